"""The five-gap diagnosis of the demo bank in headless Chromium, in Chinese: it names the
dimension and the branch the generator planted as weak, and one click raises the action."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

FAILING_BRANCH = "BR002"
"""The branch whose inspections the demo plants as failing."""
WEAK_DIMENSION = "响应性"
"""Responsiveness, the dimension the generator plants with the widest gap."""


def test_the_diagnosis_names_the_planted_weaknesses_and_raises_an_action(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("quality_officer"))
    page.goto(f"{served_demo.base_url}/customers")
    page.get_by_test_id("nav-diagnosis").click()
    page.wait_for_url(re.compile(r"/quality/diagnosis"))
    open_gaps = page.get_by_test_id("open-gaps")
    perceived = open_gaps.get_by_test_id("gap-5")
    inspections = open_gaps.get_by_test_id("gap-3")
    assert perceived.get_by_test_id("gap-weakest").inner_text() == WEAK_DIMENSION
    assert inspections.get_by_test_id("gap-weakest").inner_text().startswith(FAILING_BRANCH)
    assert perceived.get_by_test_id("gap-methods").locator("li").count() >= 1
    snap(page, "quality-diagnosis")

    inspections.get_by_test_id("gap-create-action").locator("button").click()
    page.wait_for_url(re.compile(r"/quality/actions/\d+$"))
    assert page.get_by_test_id("action-stage").inner_text().startswith("计划")
    assert page.get_by_test_id("action-branch").inner_text().startswith(FAILING_BRANCH)
    assert "差距三" in page.get_by_test_id("origin-gap").inner_text()
    assert page.get_by_test_id("metric-before").inner_text() != "—"
