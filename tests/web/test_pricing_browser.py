"""Loan pricing in headless Chromium, in Chinese: an account manager quotes a loan on a
customer's page and sees its breakdown add up; a quote beyond their authority waits in the
branch manager's queue and is approved there. The checks are on figures and data, not on
words, which the catalog translates."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

PER_CENT = re.compile(r"(-?\d+\.\d{2}) %")


def _per_cent(text: str) -> list[Decimal]:
    return [Decimal(found) for found in PER_CENT.findall(text)]


def _figure(page: Any, test_id: str) -> str:
    return str(page.get_by_test_id(test_id).inner_text()).strip()


def _quote(page: Any, customer_url: str, amount: str) -> str:
    page.goto(f"{customer_url}/quote")
    page.fill("#quote-amount", amount)
    page.fill("#quote-term", "36")
    page.select_option("#quote-grade", "BBB")
    page.get_by_test_id("quote-submit").click()
    page.wait_for_url(re.compile(r"/quote\?shown=\d+$"))
    found = re.search(r"shown=(\d+)$", page.url)
    assert found, page.url
    return found.group(1)


def test_a_quote_with_its_breakdown_and_an_approval_beyond_authority(
    page: Any, browser: Any, served_demo: ServedDemo
) -> None:
    context = browser.new_context(locale="zh-CN")
    manager_page = context.new_page()
    log_in(manager_page, served_demo, served_demo.login_for("account_manager"))
    manager_page.goto(f"{served_demo.base_url}/customers")
    manager_page.locator("[data-testid=customer-table] tbody a").first.click()
    manager_page.wait_for_url(re.compile(r"/customers/\d+$"))
    customer_url = manager_page.url

    _quote(manager_page, customer_url, "1,000,000")
    breakdown = manager_page.get_by_test_id("quote-breakdown")
    assert "¥1,000,000" in breakdown.inner_text()
    rate = _per_cent(_figure(manager_page, "quote-rate"))[0]
    base = _per_cent(_figure(manager_page, "quote-base"))[0]
    floor, ceiling = _per_cent(_figure(manager_page, "quote-bounds"))
    raroc, hurdle = _per_cent(_figure(manager_page, "quote-raroc"))
    # the LPR of a 36-month loan, and a rate above it within the product's bounds
    assert base == Decimal("3.00")
    assert floor <= rate <= ceiling and rate > base
    assert hurdle == Decimal("12.00") and raroc > 0
    # the rate is the base plus the spreads less the discount, within the bounds
    spreads = [
        Decimal(cell) for cell in manager_page.get_by_test_id("quote-spread").all_inner_texts()
    ]
    discount = Decimal(_figure(manager_page, "quote-discount"))
    expected = min(max(base + sum(spreads) - discount, floor), ceiling)
    assert abs(rate - expected) <= Decimal("0.02")
    assert manager_page.get_by_test_id("quote-status").get_attribute("data-status") == "agreed"
    snap(manager_page, "pricing-quote-zh")

    pending = _quote(manager_page, customer_url, "20,000,000")
    assert "¥20,000,000" in manager_page.get_by_test_id("quote-breakdown").inner_text()
    status = manager_page.get_by_test_id("quote-status")
    assert status.get_attribute("data-status") == "pending_approval"
    context.close()

    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    page.get_by_test_id("nav-pricing").click()
    page.wait_for_url(re.compile(r"/pricing/quotes$"))
    card = page.locator(f'[data-testid=pending-quote][data-quote-id="{pending}"]')
    assert card.count() == 1
    assert "¥20,000,000" in card.inner_text()
    snap(page, "pricing-queue-zh")
    card.get_by_test_id("approve").click()
    page.wait_for_url(re.compile(rf"/pricing/quotes\?decided={pending}$"))
    assert page.locator(f'[data-quote-id="{pending}"]').count() == 0
    page.goto(f"{customer_url}/quote?shown={pending}")
    assert page.get_by_test_id("quote-status").get_attribute("data-status") == "approved"

    page.goto(f"{served_demo.base_url}/pricing/simulation")
    assert page.get_by_test_id("simulation-chart").locator("canvas").count() == 1
    table = page.get_by_test_id("simulation-table").inner_text()
    # a corporate BBB loan of ¥1,000,000 over 36 months without discount: 4.11 %
    assert "¥1,000,000" in table and "4.11 %" in table
