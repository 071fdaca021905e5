"""The standards and inspections API and pages, through the application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from tests import factories
from tests.small_bank import SmallBank, login
from tests.web.test_pages import csrf_of, log_in

API = "/api/v1/quality"
HTML = {"accept": "text/html"}


@pytest.fixture
def officer(small_bank: SmallBank, app_settings: str) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        user = factories.staff(session, role=Role.QUALITY_OFFICER)
        session.commit()
        username = user.username
    engine.dispose()
    return username


@pytest.fixture
def other_branch(small_bank: SmallBank, app_settings: str) -> int:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        branch_id = factories.branch(session, name="南京分行").id
        session.commit()
    engine.dispose()
    return branch_id


def _lines(
    checklist: list[dict[str, object]], failed: tuple[str, ...] = ()
) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for standard in checklist:
        code = standard["code"]
        if standard["target"] is None:
            lines.append({"standard": code, "passed": code not in failed})
        else:
            target = float(standard["target"])  # type: ignore[arg-type]
            miss = 1 if standard["direction"] == "at_most" else -1
            lines.append(
                {"standard": code, "observed": target + miss if code in failed else target}
            )
    return lines


def test_standards_and_inspections_api(
    client: TestClient, small_bank: SmallBank, officer: str, other_branch: int
) -> None:
    quality = login(client, officer)
    manager = login(client, small_bank.branch_manager)
    analyst = login(client, small_bank.analyst)
    today = clock.bank_today()

    assert client.post(f"{API}/standards/catalogue", headers=analyst).status_code == 403
    loaded = client.post(f"{API}/standards/catalogue", headers=quality)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["created"] == 16
    standards = client.get(f"{API}/standards", headers=analyst).json()
    assert [row["code"] for row in standards][:3] == ["EFF-01", "EFF-02", "EFF-03"]

    checklist = client.get(f"{API}/inspections/checklist?kind=daily_check", headers=manager)
    assert checklist.status_code == 200
    lines = checklist.json()["standards"]
    assert len(lines) == 14
    assert (
        client.get(f"{API}/inspections/checklist?kind=weekly", headers=manager).status_code == 422
    )

    body = {
        "kind": "daily_check",
        "branch_id": small_bank.branch_id,
        "inspected_on": today.isoformat(),
        "results": _lines(lines, failed=("ETQ-01",)),
    }
    created = client.post(f"{API}/inspections", headers=manager, json=body)
    assert created.status_code == 201, created.text
    detail = created.json()
    assert (detail["checked"], detail["passed"]) == (14, 13)
    assert len(detail["actions_opened"]) == 1
    read = client.get(f"{API}/inspections/{detail['id']}", headers=analyst).json()
    failed = [line for line in read["results"] if not line["passed"]]
    assert [(line["code"], line["action_id"]) for line in failed] == [
        ("ETQ-01", detail["actions_opened"][0])
    ]

    missing = client.post(
        f"{API}/inspections", headers=manager, json={**body, "results": body["results"][1:]}
    )
    assert missing.status_code == 422
    assert missing.json()["detail"] == "ENV-01 is not answered"
    future = client.post(
        f"{API}/inspections",
        headers=manager,
        json={**body, "inspected_on": (today + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    assert future.json()["field"] == "inspected_on"
    elsewhere = client.post(
        f"{API}/inspections", headers=manager, json={**body, "branch_id": other_branch}
    )
    assert elsewhere.status_code == 403
    assert "only their own branch" in elsewhere.json()["detail"]
    assert client.post(f"{API}/inspections", headers=analyst, json=body).status_code == 403
    garbled = client.post(
        f"{API}/inspections",
        headers=manager,
        json={**body, "results": [{"standard": "ENV-01", "observed": "lots"}]},
    )
    assert garbled.status_code == 422
    assert client.get(f"{API}/inspections/999999", headers=analyst).status_code == 404

    scores = client.get(f"{API}/inspections/scores?group=branch", headers=analyst).json()
    assert [(row["id"], row["checked"], row["passed"]) for row in scores["rows"]] == [
        (small_bank.branch_id, 14, 13)
    ]
    assert scores["rows"][0]["weakest"][0]["code"] == "ETQ-01"
    assert client.get(f"{API}/inspections/scores?group=region", headers=analyst).status_code == 422
    listed = client.get(f"{API}/inspections", headers=analyst).json()
    assert [row["id"] for row in listed] == [detail["id"]]

    greet = next(row for row in standards if row["code"] == "ETQ-01")
    patch = {"version": greet["version"], "unit": "s", "target": 8, "direction": "at_most"}
    assert (
        client.patch(f"{API}/standards/{greet['id']}", headers=manager, json=patch).status_code
        == 403
    )
    changed = client.patch(f"{API}/standards/{greet['id']}", headers=quality, json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["target"] == 8.0
    stale = client.patch(f"{API}/standards/{greet['id']}", headers=quality, json=patch)
    assert stale.status_code == 409
    half = client.patch(
        f"{API}/standards/{greet['id']}",
        headers=quality,
        json={"version": changed.json()["version"], "target": 9},
    )
    assert half.status_code == 422
    assert half.json()["field"] == "unit"

    new = {"code": "ETQ-09", "category": "etiquette", "title": "使用告别语", "servqual_items": [20]}
    assert client.post(f"{API}/standards", headers=quality, json=new).status_code == 201
    assert client.post(f"{API}/standards", headers=quality, json=new).status_code == 409
    assert (
        client.post(
            f"{API}/standards", headers=quality, json={**new, "code": "bad code"}
        ).status_code
        == 422
    )


def test_inspection_pages(client: TestClient, small_bank: SmallBank, officer: str) -> None:
    log_in(client, officer)
    page = client.get("/quality/standards", headers=HTML)
    assert page.status_code == 200
    assert "no-standards" in page.text
    loaded = client.post(
        "/quality/standards/catalogue",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert loaded.status_code == 303
    page = client.get("/quality/standards", headers=HTML)
    assert 'data-testid="standard-ETQ-01"' in page.text
    assert 'data-testid="item-18"' in page.text
    token = csrf_of(page.text)

    refused = client.post(
        "/quality/standards",
        data={
            "csrf_token": token,
            "code": "EFF-09",
            "category": "efficiency",
            "title": "取号",
            "target": "5",
        },
    )
    assert refused.status_code == 422
    assert "The standard was not added." in refused.text or "服务规范未能新增" in refused.text
    assert 'value="EFF-09"' in refused.text

    chooser = client.get("/quality/inspections/new", headers=HTML)
    assert chooser.status_code == 200
    assert "inspection-form" not in chooser.text
    form = client.get(
        f"/quality/inspections/new?kind=mystery_shopper&branch_id={small_bank.branch_id}",
        headers=HTML,
    )
    assert 'name="observed:EFF-01"' in form.text
    assert 'name="passed:ETQ-02"' in form.text
    data: dict[str, str] = {
        "csrf_token": csrf_of(form.text),
        "kind": "mystery_shopper",
        "branch_id": str(small_bank.branch_id),
        "inspected_on": clock.bank_today().isoformat(),
    }
    lines = client.get(
        f"{API}/inspections/checklist?kind=mystery_shopper", headers=login(client, officer)
    )
    for standard in lines.json()["standards"]:
        if standard["target"] is None:
            data[f"passed:{standard['code']}"] = "yes"
        else:
            data[f"observed:{standard['code']}"] = str(standard["target"])
    data["observed:EFF-01"] = "22"
    del data["passed:PRC-04"]

    incomplete = client.post("/quality/inspections/new", data=data)
    assert incomplete.status_code == 422
    assert "PRC-04 is not answered" in incomplete.text
    assert 'value="22"' in incomplete.text

    data["passed:PRC-04"] = "no"
    recorded = client.post("/quality/inspections/new", data=data, follow_redirects=False)
    assert recorded.status_code == 303
    detail = client.get(recorded.headers["location"], headers=HTML)
    assert detail.status_code == 200
    assert detail.text.count('data-testid="failed"') == 2
    assert detail.text.count('href="/quality/actions/') == 2

    overview = client.get("/quality/inspections", headers=HTML)
    assert overview.status_code == 200
    assert 'data-testid="inspection-link"' in overview.text
    assert client.get("/quality/inspections?since=garbage", headers=HTML).status_code == 422
