"""A campaign in headless Chromium, in Chinese: the account manager records consent, the
analyst builds a segment and designs a campaign with a 20 % control group, the branch
manager approves it, the analyst launches it, the account manager works a contact task, the
analyst imports the responses and reads the uplift with its interval and the ROI.

The assertions are on data (counts, customer numbers, the figures' shape), not on UI words,
whose translations come later."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bankcrm.core.clock import bank_today
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

CONSENTING = 10


def _own_customers(page: Any, demo: ServedDemo) -> list[str]:
    page.goto(f"{demo.base_url}/customers")
    hrefs = [
        link.get_attribute("href") for link in page.locator('table a[href^="/customers/"]').all()
    ]
    own = [href for href in dict.fromkeys(hrefs) if href and re.fullmatch(r"/customers/\d+", href)]
    assert len(own) >= CONSENTING, own
    return own[:CONSENTING]


def _as(page: Any, demo: ServedDemo, role: str) -> None:
    page.context.clear_cookies()
    log_in(page, demo, demo.login_for(role))
    page.goto(f"{demo.base_url}/customers")


def test_a_campaign_from_segment_to_evaluation(
    page: Any, served_demo: ServedDemo, tmp_path: Path
) -> None:
    demo = served_demo
    _as(page, demo, "account_manager")
    for customer in _own_customers(page, demo):
        page.goto(f"{demo.base_url}{customer}/consent")
        page.select_option("#consent-channel", "branch")
        page.select_option("#consent-granted", "1")
        page.fill("#consent-source", "柜面开户")
        page.get_by_test_id("record-consent").click()
        page.wait_for_url(re.compile(r"/consent\?saved=1$"))
        assert "柜面开户" in page.get_by_test_id("consent-branch").inner_text()
    snap(page, "campaign-consent-zh")

    _as(page, demo, "marketing_analyst")
    page.get_by_test_id("nav-campaigns").click()
    page.wait_for_url(re.compile(r"/campaigns$"))
    page.get_by_test_id("segments-link").click()
    page.check("#customer_types-individual")
    page.check("#customer_types-corporate")
    page.get_by_test_id("count-segment").click()
    assert re.search(r"[1-9]\d*", page.get_by_test_id("segment-size").inner_text())
    page.fill("#segment-name", "全行活跃客户")
    page.get_by_test_id("save-segment").click()
    page.wait_for_url(re.compile(r"/campaigns/segments\?saved=1$"))
    assert "全行活跃客户" in page.get_by_test_id("saved-segments").inner_text()

    page.goto(f"{demo.base_url}/campaigns/new")
    today = bank_today()
    page.fill("#campaign-name", "到期理财续作提醒")
    page.select_option("#campaign-objective", "remind")
    page.select_option("#campaign-channel", "branch")
    page.select_option("#campaign-segment_id", label="全行活跃客户")
    page.fill("#campaign-control_share", "20")
    page.fill("#campaign-starts_on", today.isoformat())
    page.fill("#campaign-ends_on", (today + timedelta(days=30)).isoformat())
    page.fill("#campaign-budget", "10,000")
    page.fill("#campaign-cost_per_contact", "20")
    page.fill("#campaign-fixed_cost", "500")
    page.fill("#campaign-message", "您的理财即将到期，欢迎来行续作。")
    page.get_by_test_id("create-campaign").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    campaign_url = page.url
    assert page.get_by_test_id("control-share").inner_text() == "20.0 %"
    assert page.get_by_test_id("approve-campaign").count() == 0

    _as(page, demo, "branch_manager")
    page.goto(campaign_url)
    page.get_by_test_id("approve-campaign").click()
    page.wait_for_url(re.compile(r"\?done=approve$"))
    assert page.get_by_test_id("approved-by").inner_text() != "—"

    _as(page, demo, "marketing_analyst")
    page.goto(campaign_url)
    page.get_by_test_id("launch-campaign").click()
    page.wait_for_url(re.compile(r"\?done=launch$"))
    control = int(page.get_by_test_id("control-count").inner_text())
    treatment = int(page.get_by_test_id("treatment-count").inner_text())
    assert control >= 1 and treatment >= 4
    responding = treatment // 4
    assert page.get_by_test_id("excluded-no_consent").count() == 1
    snap(page, "campaign-launched-zh")
    listed = page.request.get(f"{campaign_url}/contacts.csv")
    assert listed.ok
    rows = list(csv.reader(io.StringIO(listed.text().lstrip("\ufeff"))))
    treated = [row[0] for row in rows[1:]]
    assert len(treated) == treatment and all(number.startswith("C") for number in treated)

    _as(page, demo, "account_manager")
    page.get_by_test_id("nav-contact-tasks").click()
    page.wait_for_url(re.compile(r"/campaigns/tasks$"))
    # the demo bank runs campaigns of its own; this one's tasks are found by its name
    task = page.locator('[data-testid^="task-"]').filter(has_text="到期理财续作提醒").first
    number = (task.get_attribute("data-testid") or "").removeprefix("task-")
    assert number in treated
    task.locator("input[name=contacted]").check()
    task.locator("input[name=responded]").check()
    task.locator("input[name=amount]").fill("50,000")
    task.get_by_test_id("record-outcome").click()
    page.wait_for_url(re.compile(r"/campaigns/tasks\?done=1$"))
    assert page.get_by_test_id(f"task-{number}").filter(has_text="到期理财续作提醒").count() == 0
    snap(page, "campaign-tasks-zh")

    responses = tmp_path / "responses.csv"
    lines = ["customer_number,contacted,responded,converted,amount"]
    for index, number in enumerate(treated):
        responded = 1 if index < responding else 0
        lines.append(f"{number},1,{responded},{responded},{30000 if responded else 0}")
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _as(page, demo, "marketing_analyst")
    page.goto(campaign_url)
    page.set_input_files("#response-file", str(responses))
    page.get_by_test_id("import-responses").click()
    page.wait_for_url(re.compile(rf"\?done=import&rows={treatment}$"))
    uplift = page.get_by_test_id("uplift").inner_text()
    figures = re.findall(r"-?\d+\.\d+", uplift)
    # the treated who answered yes against a control group that bought nothing
    expected = responding / treatment * 100
    assert figures[0] == f"{expected:.1f}", uplift
    low, high = float(figures[1]), float(figures[2])
    assert low < expected < high
    assert re.search(r"p\s*[=<]\s*0\.\d{3}", uplift)
    assert "%" in page.get_by_test_id("roi").inner_text()
    assert f"{responding * 30_000:,}.00" in page.get_by_test_id("incremental-revenue").inner_text()
    page.wait_for_selector("#campaign-funnel canvas")
    chart = page.locator("#campaign-funnel")
    island = json.loads(page.locator(f"#{chart.get_attribute('data-chart')}").text_content())
    funnel = [step["value"] for step in island["series"][0]["data"]]
    assert island["series"][0]["type"] == "funnel" and funnel[0] == treatment
    assert funnel[1] == treatment and funnel[2] == funnel[3] == responding
    snap(page, "campaign-evaluation-zh")


def test_a_marketing_plan_is_exported_to_excel_and_pdf(
    page: Any, served_demo: ServedDemo, tmp_path: Path
) -> None:
    _as(page, served_demo, "marketing_analyst")
    page.get_by_test_id("nav-plans").click()
    page.wait_for_url(re.compile(r"/plans$"))
    today = bank_today()
    page.fill("#plan-title", "2027年一季度零售营销计划")
    page.fill("#plan-start", today.isoformat())
    page.fill("#plan-end", (today + timedelta(days=90)).isoformat())
    page.get_by_test_id("new-plan-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert page.get_by_test_id("plan-title").inner_text() == "2027年一季度零售营销计划"

    with page.expect_download() as excel:
        page.get_by_test_id("export-xlsx").click()
    workbook_path = tmp_path / "plan.xlsx"
    excel.value.save_as(workbook_path)
    book = load_workbook(workbook_path)
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    assert "2027年一季度零售营销计划" in cells

    with page.expect_download() as pdf:
        page.get_by_test_id("export-pdf").click()
    pdf_path = tmp_path / "plan.pdf"
    pdf.value.save_as(pdf_path)
    document = PdfReader(pdf_path)
    assert len(document.pages) >= 1
    assert "2027" in "".join(sheet.extract_text() for sheet in document.pages)
