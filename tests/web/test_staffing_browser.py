"""A branch manager's counter staffing page in headless Chromium, in Chinese: the nav link
leads to their own branch, the week's plan is computed when there is none, and the page
draws the forecast chart and lists the roster.

The assertions are on the page's structure and data, not on UI words, whose translations
come later."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def test_a_branch_manager_sees_the_chart_and_roster_of_their_branch(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_test_id("nav-staffing").click()
    page.wait_for_url(re.compile(r"/branches/staffing$"))
    if page.get_by_test_id("no-plan").count():
        page.get_by_test_id("recompute-form").locator("button").click()
        page.wait_for_url(re.compile(r"/branches/\d+/staffing\?week=\d{4}-\d{2}-\d{2}$"))
    chart = page.get_by_test_id("staffing-chart")
    chart.locator("canvas").first.wait_for(state="attached")
    assert chart.locator("canvas").count() >= 1
    option = json.loads(page.locator("#staffing-chart-data").text_content() or "{}")
    arrivals, counters = option["series"][0]["data"], option["series"][1]["data"]
    assert len(arrivals) == len(counters) > 0 and sum(arrivals) > 0 and max(counters) >= 1
    rows = page.get_by_test_id("roster-row")
    assert rows.count() >= 1
    assert all(rows.nth(index).locator("td").count() == 4 for index in range(rows.count()))
    snap(page, "staffing-zh")
