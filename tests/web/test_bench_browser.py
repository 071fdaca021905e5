"""Each role's day starts on its work bench, in headless Chromium and in Chinese: the cards
of its own work, and a count that leads to a list of as many items."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def _count(page: Any, testid: str) -> int:
    return int(page.get_by_test_id(f"{testid}-count").inner_text().replace(",", ""))


def test_a_branch_managers_overdue_complaints_lead_to_the_overdue_queue(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text().startswith("我的工作台")
    for card in ("card-tasks", "card-complaints", "card-actions"):
        assert page.get_by_test_id(card).is_visible(), card
    overdue = _count(page, "complaints-overdue")
    snap(page, "bench-branch-manager-zh")
    page.get_by_test_id("complaints-overdue").click()
    page.wait_for_url(re.compile(r"/complaints\?view=overdue$"))
    listed = page.get_by_test_id("complaint-total").inner_text()
    assert int(re.sub(r"\D", "", listed)) == overdue


def test_an_analyst_sees_the_runs_and_no_task_card(page: Any, served_demo: ServedDemo) -> None:
    log_in(page, served_demo, served_demo.login_for("marketing_analyst"))
    runs = page.get_by_test_id("card-runs")
    assert runs.is_visible()
    assert page.get_by_test_id("card-tasks").count() == 0
    runs.locator("a").first.click()
    page.wait_for_url(re.compile(r"/segments"))
