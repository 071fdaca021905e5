"""The jobs API and page: who may see and start jobs, 202 with the run, 409 while it runs."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.jobs import definitions, service
from bankcrm.jobs.definitions import JobContext, JobDefinition, Outcome
from tests import factories
from tests.conftest import SQLITE_ONLY
from tests.small_bank import SmallBank, login

pytestmark = SQLITE_ONLY


@pytest.fixture
def held_job(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The complaint sweep replaced by a job that runs until the test lets it go."""
    release = threading.Event()

    def held(session: Session, context: JobContext) -> Outcome:
        context.progress(1, 2, "Waiting")
        assert release.wait(30), "the test never released the job"
        return Outcome("%(cases)s cases", {"cases": 7})

    monkeypatch.setitem(
        definitions.BY_NAME,
        "complaint_sweep",
        JobDefinition("complaint_sweep", "Complaint deadline sweep", "bankcrm x", held),
    )
    yield release
    release.set()
    service.wait_for_launched(30)


def _page_login(client: TestClient, username: str) -> str:
    token = _csrf(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": factories.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return _csrf(client.get("/jobs").text)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_a_manager_may_neither_see_nor_start_jobs(
    client: TestClient, small_bank: SmallBank
) -> None:
    for username in (small_bank.manager_a, small_bank.branch_manager):
        bearer = login(client, username)
        assert client.get("/api/v1/jobs", headers=bearer).status_code == 403
        assert client.get("/api/v1/jobs/runs", headers=bearer).status_code == 403
        started = client.post("/api/v1/jobs/complaint_sweep/run", headers=bearer)
        assert started.status_code == 403
        # the detail is in the caller's language; the permission is named in both
        assert "jobs:run" in started.json()["detail"]
    bearer = login(client, small_bank.analyst)
    assert client.get("/api/v1/jobs/runs", headers=bearer).json() == []


def test_an_analyst_starts_a_job_gets_202_and_a_second_start_409(
    client: TestClient, small_bank: SmallBank, held_job: threading.Event
) -> None:
    bearer = login(client, small_bank.analyst)
    started = client.post("/api/v1/jobs/complaint_sweep/run", headers=bearer)
    assert started.status_code == 202, started.text
    run = started.json()
    assert (run["status"], run["origin"], run["job"]) == ("running", "staff", "complaint_sweep")

    again = client.post("/api/v1/jobs/complaint_sweep/run", headers=bearer)
    assert again.status_code == 409
    assert again.json()["detail"].startswith(
        f"job complaint_sweep is already running (run {run['id']})"
    )

    admin = login(client, small_bank.admin)
    listed = {job["name"]: job for job in client.get("/api/v1/jobs", headers=admin).json()}
    assert listed["complaint_sweep"]["last_run"]["id"] == run["id"]
    assert listed["segmentation"]["next_run_at"] is not None

    held_job.set()
    service.wait_for_launched(30)
    ended = client.get(f"/api/v1/jobs/runs/{run['id']}", headers=admin).json()
    assert (ended["status"], ended["percent"], ended["figures"]) == ("succeeded", 100, {"cases": 7})
    assert ended["started_by_id"] is not None and ended["seconds"] >= 0


def test_unknown_jobs_and_runs_are_4xx_never_500(client: TestClient, small_bank: SmallBank) -> None:
    bearer = login(client, small_bank.analyst)
    assert client.post("/api/v1/jobs/no_such_job/run", headers=bearer).status_code == 404
    assert client.post("/api/v1/jobs/Bad-Name/run", headers=bearer).status_code == 422
    assert client.get("/api/v1/jobs/runs/99999", headers=bearer).status_code == 404
    assert client.get("/api/v1/jobs/runs?job=no_such_job", headers=bearer).status_code == 404
    assert client.get("/api/v1/jobs/runs?limit=0", headers=bearer).status_code == 422


def test_the_jobs_page_runs_a_job_shows_its_progress_and_refuses_a_second_start(
    client: TestClient, small_bank: SmallBank, held_job: threading.Event
) -> None:
    csrf = _page_login(client, small_bank.analyst)
    page = client.get("/jobs")
    assert page.status_code == 200
    assert page.text.count('data-testid="job-row"') == len(definitions.JOBS)

    started = client.post(
        "/jobs/complaint_sweep/run", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    location = started.headers["location"]
    run_id = int(location.rsplit("=", 1)[1])
    followed = client.get(location)
    assert 'data-testid="run-progress"' in followed.text
    assert client.get(f"/jobs/runs/{run_id}/progress").json()["percent"] == 50

    refused = client.post("/jobs/complaint_sweep/run", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert 'data-testid="problem"' in refused.text
    assert f"already running (run {run_id})" in refused.text

    held_job.set()
    service.wait_for_launched(30)
    progress = client.get(f"/jobs/runs/{run_id}/progress").json()
    assert (progress["status"], progress["percent"], progress["summary"]) == (
        "succeeded",
        100,
        "7 cases",
    )


def test_the_jobs_page_is_forbidden_to_a_manager(client: TestClient, small_bank: SmallBank) -> None:
    token = _csrf(client.get("/login").text)
    client.post(
        "/login",
        data={
            "username": small_bank.manager_a,
            "password": factories.PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert client.get("/jobs").status_code == 403
    assert 'data-testid="nav-jobs"' not in client.get("/customers").text
