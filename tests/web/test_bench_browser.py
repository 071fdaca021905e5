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


@pytest.mark.parametrize(
    ("role", "cards"),
    [
        ("account_manager", ("card-tasks", "card-churn", "card-valuable")),
        ("quality_officer", ("card-actions", "card-waves")),
        ("compliance_auditor", ("card-audit",)),
        ("admin", ("card-jobs",)),
    ],
)
def test_each_roles_bench_in_traditional_chinese_and_in_english(
    browser: Any, served_demo: ServedDemo, role: str, cards: tuple[str, ...]
) -> None:
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        log_in(page, served_demo, served_demo.login_for(role))
        # the browser asks for zh-TW; the app answers in its default until the switch is used
        page.get_by_test_id("lang-zh-tw").click()
        page.wait_for_url(f"{served_demo.base_url}/")
        assert page.locator("html").get_attribute("lang") == "zh-TW"
        assert page.locator("h1").inner_text().startswith("我的工作臺")
        for card in cards:
            assert page.get_by_test_id(card).is_visible(), card
        snap(page, f"bench-{role}-zh-tw")
        page.get_by_test_id("lang-en").click()
        page.wait_for_url(f"{served_demo.base_url}/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text().startswith("My work bench")
        for card in cards:
            assert page.get_by_test_id(card).is_visible(), card
    finally:
        context.close()


def test_the_language_switch_keeps_a_customer_search(page: Any, served_demo: ServedDemo) -> None:
    log_in(page, served_demo, served_demo.login_for("account_manager"))
    page.goto(f"{served_demo.base_url}/customers?q=王")
    chinese_rows = page.locator("tbody tr").count()
    page.get_by_test_id("lang-zh-tw").click()
    page.wait_for_url(re.compile(r"/customers\?q=%E7%8E%8B$|/customers\?q=王$"))
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    assert page.locator("tbody tr").count() == chinese_rows
    page.get_by_test_id("lang-en").click()
    page.wait_for_url(re.compile(r"/customers\?q="))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("tbody tr").count() == chinese_rows


def test_an_account_managers_most_valuable_customers_say_what_moved(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("account_manager"))
    card = page.get_by_test_id("card-valuable")
    assert card.is_visible()
    customers = card.get_by_test_id("valuable-customer")
    assert 1 <= customers.count() <= 5
    assert "¥" in customers.first.inner_text()
    # the demo segments its bank twice, half a year apart: the volume moved since then
    assert card.get_by_test_id("valuable-change").count() >= 1
    assert "¥" in card.get_by_test_id("valuable-change").first.inner_text()
    customers.first.locator("a").click()
    page.wait_for_url(re.compile(r"/customers/[0-9]+$"))


def test_a_branch_managers_business_volume_against_the_month_before(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    card = page.get_by_test_id("card-branch-volume")
    assert card.is_visible()
    assert page.get_by_test_id("branch-volume").inner_text().startswith("¥")
    change = page.get_by_test_id("branch-volume-change").inner_text()
    assert re.search(r"[0-9]+\.[0-9] %", change) and "¥" in change
    card.locator("a").first.click()
    page.wait_for_url(re.compile(r"/performance$"))
