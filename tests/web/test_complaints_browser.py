"""The complaint desk in headless Chromium, in Chinese: intake to closure, the queues, reports."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

TEXT = "本人上周在手机银行转账五千元，页面显示失败但账户已扣款，至今未退回，要求尽快处理。"


def test_a_complaint_from_intake_to_closure_in_chinese(page: Any, served_demo: ServedDemo) -> None:
    officer = served_demo.login_for("quality_officer")
    log_in(page, served_demo, officer)
    page.goto(f"{served_demo.base_url}/customers")
    page.goto(f"{served_demo.base_url}/complaints")
    assert page.locator("h1").first.inner_text() == "投诉处理"
    page.get_by_test_id("new-complaint").click()
    page.wait_for_url(re.compile(r"/complaints/new"))

    page.select_option("#complaint-channel", "app")
    page.select_option("#complaint-severity", "high")
    page.fill("#complaint-text", TEXT)
    page.get_by_test_id("suggest").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("suggestion").is_visible()
    assert page.locator("#complaint-text").input_value() == TEXT
    page.select_option("#complaint-product-line", "digital_banking")
    page.select_option("#complaint-issue", "transaction_problem")
    snap(page, "complaint-intake-zh")
    page.get_by_test_id("register").click()
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    assert page.get_by_test_id("complaint-status").first.inner_text() == "已受理登记"
    assert page.get_by_test_id("complaint-text").inner_text() == TEXT
    assert "手机银行与网银" in page.get_by_test_id("label-product-line").inner_text()

    page.get_by_test_id("action-accept").locator("button").click()
    page.wait_for_load_state()
    page.get_by_test_id("action-investigate").locator("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complaint-status").first.inner_text() == "调查中"

    page.get_by_test_id("note-form").locator("textarea").fill(
        "已调取转账流水，确认为清算系统超时。"
    )
    page.get_by_test_id("note-form").locator("button").click()
    page.wait_for_load_state()

    reply = page.get_by_test_id("action-reply")
    reply.locator("textarea[name=reply]").fill(
        "经核查，款项已于今日退回您的账户，对给您带来的不便深表歉意。"
    )
    reply.locator("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complaint-status").first.inner_text() == "已答复"
    assert "款项已于今日退回" in page.get_by_test_id("complaint-reply").inner_text()

    close = page.get_by_test_id("action-close")
    close.locator("select[name=confirmation]").select_option("satisfied")
    close.locator("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complaint-status").first.inner_text() == "已办结"
    assert page.get_by_test_id("actions").locator("[data-testid=action-close]").count() == 0

    timeline = page.get_by_test_id("timeline-entry").all_inner_texts()
    joined = "\n".join(timeline)
    for word in ("受理", "调查", "答复", "办结", "已调取转账流水"):
        assert word in joined, (word, joined)
    assert officer["full_name"] in joined  # staff by name, not by login
    snap(page, "complaint-case-zh")
    assert page.get_by_test_id("action-reopen").count() == 1


def test_the_branch_managers_overdue_queue_has_the_escalated_cases(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    page.goto(f"{served_demo.base_url}/complaints?view=overdue")
    rows = page.get_by_test_id("complaint-row")
    assert rows.count() >= 1
    assert page.get_by_test_id("complaint-overdue").count() == rows.count()
    assert "已升级" in rows.first.inner_text()
    snap(page, "complaints-overdue-zh")

    # the case page shows how likely the complaining customer is to leave
    rows.first.get_by_test_id("complaint-link").click()
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    assert re.match(r"\d+%", page.get_by_test_id("complaint-churn").inner_text())


def test_the_case_analysis_report_renders_with_data(page: Any, served_demo: ServedDemo) -> None:
    log_in(page, served_demo, served_demo.login_for("quality_officer"))
    page.goto(f"{served_demo.base_url}/customers")
    page.goto(f"{served_demo.base_url}/complaints/reports?start=2024-10-01")
    cases = int(page.get_by_test_id("figure-cases").inner_text().replace(",", ""))
    assert cases >= 1
    for chart in ("volume-chart", "pareto-chart", "timeliness-chart", "gap-chart"):
        # ECharts draws into a canvas inside the container once the data block is read
        page.get_by_test_id(chart).locator("canvas").first.wait_for()
    assert page.get_by_test_id("pareto-row").count() >= 1
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    snap(page, "complaints-report-zh")
