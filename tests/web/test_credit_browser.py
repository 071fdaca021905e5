"""The credit desk in headless Chromium, in Chinese: an account manager rates a company on
the scorecard, the branch manager reviews and approves it and the grade is the customer's;
a car loan pre-qualification shows every rule's result and the papers to bring.

The assertions are on data (grades, points, the checklist's own Chinese texts), not on UI
words, whose translations come later."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.credit.test_ratings_service import MIDDLING
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


@pytest.fixture
def zh_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _first_customer(page: Any, demo: ServedDemo, customer_type: str) -> str:
    page.goto(f"{demo.base_url}/customers?customer_type={customer_type}")
    href = page.locator('table a[href^="/customers/"]').first.get_attribute("href")
    assert href and re.fullmatch(r"/customers/\d+", href), href
    return href


def test_a_rating_is_entered_approved_and_becomes_the_grade(
    zh_page: Any, page: Any, served_demo: ServedDemo
) -> None:
    log_in(zh_page, served_demo, served_demo.login_for("account_manager"))
    zh_page.goto(f"{served_demo.base_url}/customers")
    company = _first_customer(zh_page, served_demo, "corporate")
    zh_page.goto(f"{served_demo.base_url}{company}/rating")
    assert "所处行业前景" in zh_page.get_by_test_id("rating-form").inner_text()
    for code, answer in MIDDLING.items():
        selector = f"#factor-{code}"
        if isinstance(answer, str):
            zh_page.select_option(selector, answer)
        else:
            zh_page.fill(selector, str(answer))
    zh_page.get_by_test_id("save-rating").click()
    zh_page.wait_for_url(re.compile(r"/rating\?saved=1$"))
    assert zh_page.get_by_test_id("rating-grade").inner_text() == "BB"
    assert zh_page.get_by_test_id("rating-total").inner_text() == "59"
    assert "资产负债率" in zh_page.get_by_test_id("rating-costliest").inner_text()
    assert zh_page.get_by_test_id("rating-status").get_attribute("class")
    snap(zh_page, "rating-submitted-zh")

    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    page.get_by_test_id("nav-ratings").click()
    page.wait_for_url(re.compile(r"/ratings$"))
    card = page.locator('[data-testid^="queued-rating-"]').filter(
        has=page.locator(f'a[href="{company}/rating"]')
    )
    assert "59 / 100" in card.inner_text()
    snap(page, "rating-queue-zh")
    card.locator("input[name=note]").fill("财务数据已核实")
    card.get_by_test_id("approve-rating").click()
    page.wait_for_url(re.compile(rf"{company}/rating$"))
    assert page.get_by_test_id("credit-grade").inner_text() == "BB"
    assert "财务数据已核实" in page.get_by_test_id("latest-rating").inner_text()
    snap(page, "rating-approved-zh")


def test_a_prequalification_shows_its_outcome_and_the_papers_to_bring(
    zh_page: Any, served_demo: ServedDemo
) -> None:
    log_in(zh_page, served_demo, served_demo.login_for("account_manager"))
    zh_page.goto(f"{served_demo.base_url}/customers")
    person = _first_customer(zh_page, served_demo, "individual")
    zh_page.goto(f"{served_demo.base_url}{person}/prequalification")
    zh_page.select_option("#pq-residence", "none")
    zh_page.select_option("#pq-income_proof", "employer_certificate")
    for field, value in {
        "employment_months": "24",
        "monthly_income": "20000",
        "declared_monthly_debt": "0",
        "purchase_price": "200000",
        "down_payment": "60000",
        "term_months": "36",
        "annual_rate": "3.6",
    }.items():
        zh_page.fill(f"#pq-{field}", value)
    zh_page.get_by_test_id("run-prequalification").click()
    zh_page.wait_for_url(re.compile(r"/prequalification\?saved=1$"))
    outcome = zh_page.get_by_test_id("prequalification-outcome").get_attribute("data-outcome")
    assert outcome in {"refer", "decline"}
    residence = zh_page.get_by_test_id("rule-local_residence")
    assert residence.get_attribute("data-outcome") == "refer"
    assert "非本地居民，需提供担保人" in residence.inner_text()
    documents = zh_page.get_by_test_id("documents").inner_text()
    assert "身份证" in documents and "担保人身份证及收入证明" in documents
    assert "购车合同" in documents
    assert "140,000.00" in zh_page.get_by_test_id("loan-amount").inner_text().replace("¥", "")
    snap(zh_page, "prequalification-zh")
