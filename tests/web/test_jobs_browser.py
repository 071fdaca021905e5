"""An analyst runs the customer segmentation from the Jobs page in headless Chromium, in
Chinese: the page follows the run's progress and then shows its success.

The assertions are on the page's structure and data, not on UI words, whose translations
come later."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def test_an_analyst_runs_the_segmentation_and_sees_progress_then_success(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("marketing_analyst"))
    # wherever the login leads, the navigation offers the Jobs page
    page.get_by_test_id("nav-jobs").wait_for(state="visible")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_test_id("nav-jobs").click()
    page.wait_for_url(re.compile(r"/jobs$"))
    row = page.locator("[data-testid='job-row'][data-job='segmentation']")
    assert row.get_by_test_id("next-run").inner_text().startswith("20")
    page.get_by_test_id("run-now-segmentation").locator("button").click()
    page.wait_for_url(re.compile(r"/jobs\?run=\d+$"))
    progress = page.get_by_test_id("run-progress")
    progress.wait_for(state="visible")
    assert progress.get_by_test_id("run-progress-bar").is_visible()
    # the script polls the run until it ends, then shows how it ended
    status = progress.get_by_test_id("run-status")
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='run-progress']\")"
        ".getAttribute('data-status') !== 'running'",
        timeout=120_000,
    )
    assert status.get_attribute("data-status") == "succeeded", progress.inner_text()
    bar = progress.get_by_test_id("run-progress-bar")
    assert bar.get_attribute("aria-valuenow") == "100"
    assert re.search(r"\d", progress.get_by_test_id("run-summary").inner_text())
    assert progress.get_by_test_id("run-error").inner_text() == ""
    run_id = progress.get_attribute("data-run-id")
    listed = page.locator(f"[data-testid='run-row'][data-run-id='{run_id}']")
    assert listed.get_by_test_id("run-row-status").get_attribute("data-status") == "succeeded"
    assert row.get_by_test_id("last-status").get_attribute("data-status") == "succeeded"
    snap(page, "jobs-zh")
    # the page itself, reloaded, lists the run as the job's last one
    page.reload()
    assert row.get_by_test_id("last-status").get_attribute("data-status") == "succeeded"
