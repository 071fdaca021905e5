"""The promise register (gap 4) and the board's pages, through the API and the web."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role, TargetDirection
from bankcrm.core.exceptions import PermissionDenied, ValidationFailed
from bankcrm.quality.improvement import service
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in


def test_promise_register_validates_and_judges(session: Session) -> None:
    officer = factories.staff(session, role=Role.QUALITY_OFFICER)
    analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
    today = clock.bank_today()
    wait = service.create_promise(
        session, user=officer, title=" 排队等候不超过15分钟 ", promised=15, unit="min"
    )
    assert (wait.title, wait.direction, wait.kept) == (
        "排队等候不超过15分钟",
        TargetDirection.AT_MOST,
        None,
    )
    measured = service.update_promise(
        session, user=officer, promise_id=wait.id, delivered=19.5, measured_on=today
    )
    assert measured.kept is False
    atm = service.create_promise(
        session,
        user=officer,
        title="ATM可用率",
        promised=99.5,
        direction=TargetDirection.AT_LEAST,
        delivered=99.7,
        measured_on=today,
    )
    assert atm.kept is True
    assert [promise.name for promise in service.measured_promises(session)] == [
        "排队等候不超过15分钟",
        "ATM可用率",
    ]
    service.update_promise(session, user=officer, promise_id=atm.id, active=False)
    assert [promise.name for promise in service.measured_promises(session)] == [
        "排队等候不超过15分钟"
    ]

    with pytest.raises(PermissionDenied):
        service.create_promise(session, user=analyst, title="x", promised=1)
    refusals: dict[str, dict[str, Any]] = {
        "measured_on": {"delivered": 3.0},
        "product_line": {"product_line": "spaceships"},
        "title": {"title": "  "},
    }
    for field, extra in refusals.items():
        arguments: dict[str, Any] = {"title": "理财收益", "promised": 4.5, **extra}
        with pytest.raises(ValidationFailed) as refused:
            service.create_promise(session, user=officer, **arguments)
        assert refused.value.field == field
    with pytest.raises(ValidationFailed, match="future"):
        service.create_promise(
            session,
            user=officer,
            title="理财收益",
            promised=4.5,
            delivered=3.1,
            measured_on=today + timedelta(days=1),
        )


def _officer(app_settings: str) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer: StaffUser = factories.staff(session, role=Role.QUALITY_OFFICER)
        session.commit()
        name = officer.username
    engine.dispose()
    return name


def test_promises_and_actions_over_the_api(
    small_bank: SmallBank, client: TestClient, app_settings: str
) -> None:
    officer = login(client, _officer(app_settings))
    created = client.post(
        "/api/v1/quality/promises",
        json={
            "title": "理财产品预期年化收益4.5%",
            "product_line": "wealth_management",
            "unit": "%",
            "promised": 4.5,
            "direction": "at_least",
        },
        headers=officer,
    )
    assert created.status_code == 201, created.text
    promise_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/quality/promises/{promise_id}",
        json={"delivered": 3.1, "measured_on": clock.bank_today().isoformat()},
        headers=officer,
    )
    assert patched.status_code == 200
    assert patched.json()["kept"] is False
    listed = client.get("/api/v1/quality/promises", headers=officer).json()["items"]
    assert [row["id"] for row in listed] == [promise_id]

    analyst = login(client, small_bank.analyst)
    assert client.get("/api/v1/quality/promises", headers=analyst).status_code == 200
    assert (
        client.post(
            "/api/v1/quality/promises", json={"title": "x", "promised": 1}, headers=analyst
        ).status_code
        == 403
    )

    due = (clock.bank_today() + timedelta(days=30)).isoformat()
    action = client.post(
        "/api/v1/quality/actions",
        json={
            "title": "整改理财宣传口径",
            "due_on": due,
            "metric": "yield %",
            "metric_before": 3.1,
        },
        headers=officer,
    )
    assert action.status_code == 201, action.text
    body = action.json()
    assert (body["stage"], body["origin"], body["version"]) == ("plan", "other", 1)
    action_id = body["id"]

    manager = login(client, small_bank.branch_manager)
    # a branch manager reads the board but may not move an action that is not theirs
    assert client.get("/api/v1/quality/actions", headers=manager).status_code == 200
    assert (
        client.post(
            f"/api/v1/quality/actions/{action_id}/stage",
            json={"stage": "do", "version": 1},
            headers=manager,
        ).status_code
        == 403
    )
    # a marketing analyst reads quality but does not work on actions
    assert (
        client.post(
            f"/api/v1/quality/actions/{action_id}/stage",
            json={"stage": "do", "version": 1},
            headers=analyst,
        ).status_code
        == 403
    )
    moved = client.post(
        f"/api/v1/quality/actions/{action_id}/stage",
        json={"stage": "do", "version": 1},
        headers=officer,
    )
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = client.post(
        f"/api/v1/quality/actions/{action_id}/stage",
        json={"stage": "check", "version": 1, "metric_after": 4.0},
        headers=officer,
    )
    assert stale.status_code == 409 and "you saw 1" in stale.json()["detail"]
    no_metric = client.post(
        f"/api/v1/quality/actions/{action_id}/stage",
        json={"stage": "check", "version": 2},
        headers=officer,
    )
    assert no_metric.status_code == 422
    checked = client.post(
        f"/api/v1/quality/actions/{action_id}/stage",
        json={"stage": "check", "version": 2, "metric_after": 4.0},
        headers=officer,
    )
    assert checked.json()["effective"] is True
    patched_action = client.patch(
        f"/api/v1/quality/actions/{action_id}",
        json={"version": 3, "description": "按监管口径统一宣传材料"},
        headers=officer,
    )
    assert patched_action.status_code == 200
    assert (
        client.get(f"/api/v1/quality/actions/{action_id}", headers=manager).json()["description"]
        == "按监管口径统一宣传材料"
    )
    overdue = client.get("/api/v1/quality/actions", params={"overdue": True}, headers=officer)
    assert overdue.json()["items"] == []
    missing_complaint = client.post(
        "/api/v1/quality/actions",
        json={"title": "x", "due_on": due, "origin": "complaint", "complaint_id": 999999},
        headers=officer,
    )
    assert missing_complaint.status_code == 422


def test_the_board_pages(small_bank: SmallBank, client: TestClient, app_settings: str) -> None:
    log_in(client, _officer(app_settings))
    form_page = client.get("/quality/actions/new", headers=HTML)
    assert form_page.status_code == 200
    due = (clock.bank_today() - timedelta(days=2)).isoformat()
    created = client.post(
        "/quality/actions/new",
        data={
            "title": "大堂引导员高峰时段到岗",
            "due_on": due,
            "origin": "other",
            "metric": "平均等候(分钟)",
            "metric_before": "19,5",
            "csrf_token": csrf_of(form_page.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    location = created.headers["location"]

    board = client.get("/quality/actions", headers=HTML)
    assert board.status_code == 200
    assert "大堂引导员高峰时段到岗" in board.text
    assert 'data-testid="action-overdue"' in board.text  # due two days ago
    overdue_only = client.get(
        "/quality/actions", params={"overdue": "1", "stage": "do"}, headers=HTML
    )
    assert "大堂引导员高峰时段到岗" not in overdue_only.text

    detail = client.get(location, headers=HTML)
    assert "19.5" in detail.text
    token = csrf_of(detail.text)
    stale = client.post(
        f"{location}/stage",
        data={"stage": "do", "version": "9", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert stale.status_code == 409
    moved = client.post(
        f"{location}/stage",
        data={"stage": "do", "version": "1", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert moved.status_code == 303
    after = client.get(location, headers=HTML)
    assert 'name="metric_after"' in after.text  # the next move is the check
    bad_number = client.post(
        f"{location}/stage",
        data={"stage": "check", "version": "2", "metric_after": "abc", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert bad_number.status_code == 422
    checked = client.post(
        f"{location}/stage",
        data={"stage": "check", "version": "2", "metric_after": "14", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert checked.status_code == 303
    assert 'data-testid="verdict"' in client.get(location, headers=HTML).text

    promises = client.get("/quality/promises", headers=HTML)
    assert promises.status_code == 200
    saved = client.post(
        "/quality/promises",
        data={
            "title": "贷款审批不超过5个工作日",
            "promised": "5",
            "direction": "at_most",
            "unit": "天",
            "delivered": "4.2",
            "measured_on": clock.bank_today().isoformat(),
            "active": "1",
            "csrf_token": csrf_of(promises.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listed = client.get("/quality/promises", headers=HTML).text
    assert "贷款审批不超过5个工作日" in listed and 'data-testid="promise-kept"' in listed
