"""The demo bank end to end: built by the CLI, served by the CLI, used over HTTP and in Chromium."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bankcrm.core.clock import bank_today
from tests.commands import BANKCRM, free_port, run_bankcrm, user_environment, wait_until_serving


@pytest.fixture(scope="module")
def demo_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    work_dir = tmp_path_factory.mktemp("demo")
    result = run_bankcrm("demo", "--customers", "500", "--no-serve", "--json", cwd=work_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    yield work_dir, json.loads(result.stdout)


def test_demo_json_names_the_database_and_a_login_per_role(demo_bank: tuple[Path, dict]) -> None:
    work_dir, payload = demo_bank
    assert payload["database_url"] == "sqlite:///./bankcrm.db"
    assert (work_dir / "bankcrm.db").is_file()
    roles = [login["role"] for login in payload["logins"]]
    assert roles.count("account_manager") >= 2
    for role in ("admin", "marketing_analyst", "compliance_auditor", "branch_manager"):
        assert role in roles
    assert all(login["password"].isalnum() for login in payload["logins"])


def test_served_demo_accepts_its_logins_and_scopes_the_book(
    demo_bank: tuple[Path, dict],
) -> None:
    work_dir, payload = demo_bank
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [BANKCRM, "serve", "--port", str(port)],
        cwd=work_dir,
        env=user_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(base_url, server)
        managers = [login for login in payload["logins"] if login["role"] == "account_manager"]
        books: list[set[int]] = []
        for manager in managers[:2]:
            answer = httpx.post(
                f"{base_url}/api/v1/auth/token",
                data={"username": manager["username"], "password": manager["password"]},
            )
            assert answer.status_code == 200, answer.text
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            me = httpx.get(f"{base_url}/api/v1/me", headers=headers).json()
            listing = httpx.get(
                f"{base_url}/api/v1/customers", params={"page_size": 200}, headers=headers
            )
            assert listing.status_code == 200, listing.text
            body = listing.json()
            assert body["total"] > 0
            assert {item["manager_id"] for item in body["items"]} == {me["id"]}
            books.append({item["id"] for item in body["items"]})
            other = httpx.post(
                f"{base_url}/api/v1/auth/token",
                data={"username": manager["username"], "password": manager["password"] + "x"},
            )
            assert other.status_code == 401
        assert books[0].isdisjoint(books[1])
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_demo_runs_past_campaigns_a_live_one_a_plan_and_pipelines(
    demo_bank: tuple[Path, dict],
) -> None:
    work_dir, _ = demo_bank
    with sqlite3.connect(work_dir / "bankcrm.db") as connection:
        statuses = [status for (status,) in connection.execute("SELECT status FROM campaigns")]
        assert sorted(statuses) == ["finished", "finished", "finished", "running"]
        outcomes = connection.execute(
            'SELECT m."group", sum(m.responded), count(*) FROM campaign_members m '
            "JOIN campaigns c ON c.id = m.campaign_id WHERE c.status = 'finished' "
            'GROUP BY m."group"'
        ).fetchall()
        by_group = {group: (responded, members) for group, responded, members in outcomes}
        assert by_group["treatment"][0] > 0 and by_group["control"][1] > 0
        open_tasks = connection.execute(
            "SELECT count(*) FROM tasks WHERE source = 'campaign' AND status = 'open'"
        ).fetchone()[0]
        running_treated = connection.execute(
            "SELECT treatment FROM campaigns WHERE status = 'running'"
        ).fetchone()[0]
        assert open_tasks == running_treated > 0
        plan = connection.execute(
            "SELECT p.status, count(l.campaign_id) FROM marketing_plans p "
            "JOIN marketing_plan_campaigns l ON l.plan_id = p.id GROUP BY p.id"
        ).fetchone()
        assert plan == ("approved", 3)
        owners = connection.execute("SELECT count(DISTINCT owner_id) FROM prospects").fetchone()
        assert owners[0] >= 2


def test_the_demos_analytics_are_as_of_yesterday(demo_bank: tuple[Path, dict]) -> None:
    work_dir, _ = demo_bank
    with sqlite3.connect(work_dir / "bankcrm.db") as connection:
        days = {
            table: connection.execute(f"SELECT max(as_of) FROM {table}").fetchone()[0]
            for table in ("segment_runs", "clv_runs", "churn_runs")
        }
    # the build may have crossed the bank's midnight
    yesterday = bank_today() - timedelta(days=1)
    expected = {yesterday.isoformat(), (yesterday - timedelta(days=1)).isoformat()}
    assert set(days.values()) <= expected, days
