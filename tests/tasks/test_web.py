"""Tasks through the API and the pages: reasons for every refusal (never a 500), a stale
version as 409, the list, the task page's forms and the audited export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from tests.small_bank import login
from tests.tasks.desk import Desk, build_desk
from tests.web.test_pages import HTML, csrf_of, log_in


@pytest.fixture
def desk(app_settings: str) -> Desk:
    engine = make_engine(app_settings)
    with Session(engine, expire_on_commit=False) as session:
        built = build_desk(session)
        session.commit()
    engine.dispose()
    return built


def test_the_api_lists_reads_and_works_tasks(client: TestClient, desk: Desk) -> None:
    headers = login(client, desk.manager_a.username)
    listed = client.get("/api/v1/tasks", headers=headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 5
    assert body["items"][0]["id"] == desk.overdue and body["items"][0]["overdue"] is True
    assert body["items"][0]["customer_label"] == f"王芳 ({desk.customer_a_number})"
    done = client.get("/api/v1/tasks", params={"status": "done"}, headers=headers).json()
    assert [item["id"] for item in done["items"]] == [desk.done]
    assert client.get(f"/api/v1/tasks/{desk.of_b}", headers=headers).status_code == 404
    assert client.get("/api/v1/tasks/999999", headers=headers).status_code == 404

    today = clock.bank_today()
    no_reason = client.post(
        f"/api/v1/tasks/{desk.later}/postpone",
        json={"version": 1, "due_on": (today + timedelta(days=9)).isoformat()},
        headers=headers,
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    blank = client.post(
        f"/api/v1/tasks/{desk.later}/postpone",
        json={"version": 1, "due_on": (today + timedelta(days=9)).isoformat(), "reason": " "},
        headers=headers,
    )
    assert blank.status_code == 422
    moved = client.post(
        f"/api/v1/tasks/{desk.later}/postpone",
        json={"version": 1, "due_on": (today + timedelta(days=9)).isoformat(), "reason": "出差"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2
    stale = client.post(
        f"/api/v1/tasks/{desk.later}/do",
        json={"version": 1},
        headers={**headers, "Accept-Language": "en"},
    )
    assert stale.status_code == 409 and "version" in stale.json()["detail"]
    elsewhere = client.post(
        f"/api/v1/tasks/{desk.later}/handover",
        json={"version": 2, "assignee_id": desk.manager_c.id},
        headers=headers,
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["field"] == "assignee_id"
    colleagues = client.get(f"/api/v1/tasks/{desk.later}/colleagues", headers=headers).json()
    assert {colleague["id"] for colleague in colleagues} == {
        desk.manager_b.id,
        desk.branch_manager.id,
    }
    handed = client.post(
        f"/api/v1/tasks/{desk.later}/handover",
        json={"version": 2, "assignee_id": desk.manager_b.id},
        headers=headers,
    )
    assert handed.status_code == 200 and handed.json()["assignee_id"] == desk.manager_b.id
    other = login(client, desk.manager_b.username)
    finished = client.post(
        f"/api/v1/tasks/{desk.later}/do", json={"version": 3, "outcome": "已办"}, headers=other
    )
    assert finished.status_code == 200 and finished.json()["status"] == "done"
    again = client.post(f"/api/v1/tasks/{desk.later}/do", json={"version": 4}, headers=other)
    assert again.status_code == 409


def test_garbled_requests_get_a_reason_not_a_500(client: TestClient, desk: Desk) -> None:
    headers = login(client, desk.manager_a.username)
    bodies = [
        None,
        {},
        {"version": "1"},
        {"version": 0, "due_on": "2030-01-01", "reason": "x", "assignee_id": 1},
        {
            "version": 1,
            "due_on": "tomorrow",
            "reason": "x",
            "assignee_id": -1,
            "outcome": "x" * 3000,
        },
        {
            "version": 1,
            "due_on": "9999-12-31",
            "reason": "\x00",
            "assignee_id": 0,
            "outcome": "\x00",
        },
    ]
    for action in ("do", "postpone", "handover"):
        for body in bodies:
            answer = client.post(
                f"/api/v1/tasks/{desk.undated}/{action}", json=body, headers=headers
            )
            assert 400 <= answer.status_code < 500, (action, body, answer.text)
            assert answer.json()["detail"]
    assert client.get("/api/v1/tasks", params={"status": "x"}, headers=headers).status_code == 422
    assert client.get("/api/v1/tasks/0", headers=headers).status_code == 422
    analyst = login(client, desk.admin.username)
    assert client.get("/api/v1/tasks", headers=analyst).status_code == 200
    refused = client.post(f"/api/v1/tasks/{desk.undated}/do", json={"version": 1}, headers=analyst)
    assert refused.status_code == 403


def test_the_pages_list_show_and_work_a_task(client: TestClient, desk: Desk) -> None:
    log_in(client, desk.manager_a.username)
    listed = client.get("/tasks", headers=HTML)
    assert listed.status_code == 200
    html = listed.text
    assert f"王芳 ({desk.customer_a_number})" in html
    assert "乙的任务" not in html and "丙的任务" not in html
    assert html.index("逾期回访") < html.index("电话挽留") < html.index("整理资料")
    assert 'data-testid="nav-tasks"' in html
    page = client.get(f"/tasks/{desk.later}", headers=HTML)
    assert page.status_code == 200 and 'data-testid="postpone-form"' in page.text
    token = csrf_of(page.text)
    refused = client.post(
        f"/tasks/{desk.later}/postpone",
        data={"version": "1", "due_on": "", "reason": "", "csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 422 and 'data-testid="problem"' in refused.text
    due_on = (clock.bank_today() + timedelta(days=10)).isoformat()
    moved = client.post(
        f"/tasks/{desk.later}/postpone",
        data={"version": "1", "due_on": due_on, "reason": "客户出差", "csrf_token": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    stale = client.post(
        f"/tasks/{desk.later}/do",
        data={"version": "1", "outcome": "", "csrf_token": token},
        headers=HTML,
    )
    assert stale.status_code == 409 and 'data-testid="problem"' in stale.text
    done = client.post(
        f"/tasks/{desk.overdue}/do",
        data={"version": "1", "outcome": "客户同意", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(f"/tasks/{desk.overdue}", headers=HTML).text
    assert 'data-status="done"' in shown and "客户同意" in shown
    assert client.get(f"/tasks/{desk.of_b}", headers=HTML).status_code == 404
    customer = client.get(f"/customers/{desk.customer_a}", headers=HTML).text
    assert f'href="/tasks/{desk.later}"' in customer


def test_the_export_is_the_viewers_list_and_is_audited(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    log_in(client, desk.branch_manager.username)
    answer = client.get("/tasks/export.xlsx", params={"status": "open"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles[:2] == ["逾期回访", "乙的任务"]
    assert "丙的任务" not in titles and "已办结" not in titles
    formula = next(cell for cell in sheet["C"] if str(cell.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s" and formula.quotePrefix
    engine = make_engine(app_settings)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "tasks", AuditEntry.action == AuditAction.EXPORT
            )
        ).one()
        assert entry.actor_id == desk.branch_manager.id
        assert str(desk.of_b) in (entry.after_json or "")
    engine.dispose()
