"""The work bench: each role sees the cards of its own work, and a card's counts are those of
the list it links to, in the viewer's scope."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.jobs import definitions as job_definitions
from tests import factories
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


def _count(html: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}-count">([\d,]+)<', html)
    assert found, testid
    return int(found.group(1).replace(",", ""))


def _staff_in_role(app_settings: str, role: Role) -> str:
    """The username of a new staff member in ``role``."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        username = factories.staff(session, role=role).username
        session.commit()
    engine.dispose()
    return username


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
    username = _staff_in_role(app_settings, Role.COMPLIANCE_AUDITOR)
    html = _bench(client, username)
    assert _count(html, "privacy-overdue") == 0
    assert 'data-testid="card-tasks"' not in html


def test_without_a_login_the_bench_asks_for_one(client: TestClient) -> None:
    answer = client.get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert "/login" in answer.headers["location"]


def test_an_auditors_bench_counts_the_weeks_trail_as_the_trail_page_does(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    username = _staff_in_role(app_settings, Role.COMPLIANCE_AUDITOR)
    token = csrf_of(client.get("/login").text)
    refused = client.post(
        "/login", data={"username": username, "password": "wrong", "csrf_token": token}
    )
    assert refused.status_code in (200, 400, 401)
    html = _bench(client, username)
    assert _count(html, "audit-failed-logins") >= 1
    entries = _count(html, "audit-entries")
    link = re.search(r'href="(/audit\?since=[0-9-]+)" data-testid="audit-entries"', html)
    assert link, "the entries count links to the trail"
    trail = client.get(link.group(1), headers=HTML)
    assert trail.status_code == 200
    assert entries >= 2  # the failed and the good log-in at least


def test_an_admins_bench_lists_every_job_and_no_customer_work(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    username = _staff_in_role(app_settings, Role.ADMIN)
    html = _bench(client, username)
    assert html.count('data-testid="bench-job"') == len(job_definitions.JOBS)
    assert 'data-testid="card-churn"' not in html
