"""The work bench: each role sees the cards of its own work, and a card's counts are those of
the list it links to, in the viewer's scope."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from tests import factories
from tests.small_bank import login
from tests.tasks.desk import Desk, build_desk
from tests.web.test_pages import HTML, log_in


@pytest.fixture
def desk(app_settings: str) -> Desk:
    engine = make_engine(app_settings)
    with Session(engine, expire_on_commit=False) as session:
        built = build_desk(session)
        session.commit()
    engine.dispose()
    return built


def _count(html: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}-count">([\d,]+)<', html)
    assert found, testid
    return int(found.group(1).replace(",", ""))


def _bench(client: TestClient, username: str) -> str:
    log_in(client, username)
    answer = client.get("/", headers=HTML)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_an_account_managers_bench_counts_their_own_tasks(client: TestClient, desk: Desk) -> None:
    html = _bench(client, desk.manager_a.username)
    listed = client.get("/api/v1/tasks", headers=login(client, desk.manager_a.username)).json()
    assert _count(html, "tasks-open") == listed["total"] == 5
    assert _count(html, "tasks-overdue") == 1
    # due today and in five days; the one in two weeks is not due soon
    assert _count(html, "tasks-due-soon") == 2
    assert 'data-testid="card-waves"' not in html
    assert 'data-testid="nav-bench"' in html


def test_a_branch_managers_bench_counts_the_branch_not_the_other_one(
    client: TestClient, desk: Desk
) -> None:
    html = _bench(client, desk.branch_manager.username)
    # A's overdue task and B's; C's, at the other branch, is not theirs
    assert _count(html, "tasks-overdue") == 2
    assert 'data-testid="card-complaints"' in html


def test_an_auditor_sees_the_privacy_queue_and_no_tasks(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        session.commit()
        username = auditor.username
    engine.dispose()
    html = _bench(client, username)
    assert _count(html, "privacy-overdue") == 0
    assert 'data-testid="card-tasks"' not in html


def test_without_a_login_the_bench_asks_for_one(client: TestClient) -> None:
    answer = client.get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert "/login" in answer.headers["location"]
