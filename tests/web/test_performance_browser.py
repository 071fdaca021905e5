"""An account manager's KPI page in headless Chromium, in Chinese: the month computed by
``bankcrm performance compute`` on the demo bank shows the manager's own name, score, rank
and business volume as the API gives them, with the trend chart drawn."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from bankcrm.core.clock import bank_today
from bankcrm.staff.performance import indicators
from tests.commands import run_bankcrm
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def test_an_account_manager_reads_their_kpis_in_chinese(page: Any, served_demo: ServedDemo) -> None:
    demo = served_demo
    month = indicators.previous_month(indicators.month_start(bank_today())).strftime("%Y-%m")
    computed = run_bankcrm("performance", "compute", "--month", month, "--json", cwd=demo.directory)
    assert computed.returncode == 0, computed.stderr
    assert json.loads(computed.stdout)["staff"] >= 1

    login = demo.login_for("account_manager")
    token = httpx.post(
        f"{demo.base_url}/api/v1/auth/token",
        data={"username": login["username"], "password": login["password"]},
    ).json()["access_token"]
    rows = httpx.get(
        f"{demo.base_url}/api/v1/performance/months",
        params={"month": month},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert len(rows) == 1
    mine = rows[0]
    volume = next(item["figure"] for item in mine["indicators"] if item["code"] == "volume")

    log_in(page, demo, login)
    page.goto(f"{demo.base_url}/customers")
    page.get_by_test_id("nav-performance").click()
    page.wait_for_url(re.compile(r"/performance$"))
    page.goto(f"{demo.base_url}/performance?month={month}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_test_id("kpi-person").inner_text() == mine["staff_name"]
    assert page.get_by_test_id("kpi-month").inner_text() == month
    assert page.get_by_test_id("kpi-score").inner_text() == f"{mine['score']:.1f}"
    assert f"{mine['rank']}" in page.get_by_test_id("kpi-rank").inner_text()
    assert f"{volume:,.2f}" in page.get_by_test_id("kpi-volume-figure").inner_text()
    assert page.locator("#kpi-trend canvas").count() >= 1
    snap(page, "performance-zh")
