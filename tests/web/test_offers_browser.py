"""The sales desk in headless Chromium, in Chinese: an account manager takes a customer's risk
assessment on a phone, sees the offers that suit, sells one after the risk disclosure, is
refused a product above the customer's level and records the customer's insistence; the branch
manager approves it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.offers.conftest import CAUTIOUS_ANSWERS
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def _sale_id(page: Any) -> str:
    found = re.search(r"/sales/(\d+)$", page.url)
    assert found, page.url
    return found.group(1)


def test_assessment_offers_a_sale_and_an_approved_mismatch(
    phone: Any, page: Any, served_demo: ServedDemo
) -> None:
    manager = served_demo.login_for("account_manager")
    log_in(phone, served_demo, manager)
    phone.goto(f"{served_demo.base_url}/customers")
    phone.goto(f"{served_demo.base_url}/offers")
    assert phone.locator("h1").inner_text() == "推荐产品"
    phone.get_by_test_id("offer-list").locator("a.fw-semibold").first.click()
    phone.wait_for_url(re.compile(r"/customers/\d+"))
    customer_url = phone.url.split("#")[0]

    phone.get_by_test_id("take-assessment").click()
    phone.wait_for_url(re.compile(r"/assessment$"))
    for question, option in CAUTIOUS_ANSWERS.items():
        phone.check(f"#q-{question}-{option}")
    # nothing on the phone-sized page is wider than the screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_test_id("save-assessment").click()
    phone.wait_for_url(re.compile(r"/assessment\?saved=1$"))
    assert phone.get_by_test_id("assessment-level").inner_text() == "C1"
    assert "有效期至" in phone.get_by_test_id("latest-assessment").inner_text()
    snap(phone, "assessment-phone-zh")

    phone.get_by_test_id("see-offers").click()
    phone.wait_for_url(re.compile(r"/customers/\d+#offers$"))
    offers = phone.get_by_test_id("offer")
    assert offers.count() >= 1
    for index in range(offers.count()):
        # C1: nothing above R1 is offered
        assert " R1" in offers.nth(index).locator(".fw-semibold").first.inner_text()
    snap(phone, "offers-card-phone-zh")

    offers.first.get_by_test_id("sell-offer").click()
    phone.wait_for_url(re.compile(r"/sale\?product_id=\d+$"))
    phone.fill("#sale-amount", "200000")
    phone.check("#sale-disclosure")
    phone.get_by_test_id("record-sale").click()
    phone.wait_for_url(re.compile(r"/sales/\d+$"))
    assert phone.get_by_test_id("sale-status").inner_text() == "已认购"

    phone.goto(f"{customer_url}/sale")
    risky = phone.eval_on_selector(
        "#sale-product",
        "select => [...select.options].find(o => / · R[45] · /.test(o.textContent)).value",
    )
    phone.select_option("#sale-product", risky)
    phone.fill("#sale-amount", "200000")
    phone.check("#sale-disclosure")
    phone.get_by_test_id("record-sale").click()
    phone.wait_for_load_state()
    assert "产品不适合该客户" in phone.get_by_test_id("problem").inner_text()
    mismatch = phone.get_by_test_id("sale-mismatch").inner_text()
    assert "高于客户的风险等级 C1" in mismatch
    snap(phone, "sale-refused-phone-zh")
    phone.fill("#sale-override", "客户坚持购买，已书面确认风险")
    phone.check("#sale-customer-confirmed")
    phone.get_by_test_id("record-sale").click()
    phone.wait_for_url(re.compile(r"/sales/\d+$"))
    assert phone.get_by_test_id("sale-status").inner_text() == "待审批"
    assert phone.get_by_test_id("approve").count() == 0
    sale = _sale_id(phone)

    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    page.get_by_test_id("nav-sales").click()
    page.wait_for_url(re.compile(r"/sales$"))
    page.locator(f'a[href="/sales/{sale}"]').click()
    page.wait_for_url(re.compile(rf"/sales/{sale}$"))
    assert "客户坚持购买" in page.get_by_test_id("sale-override").inner_text()
    snap(page, "sale-approval-zh")
    page.get_by_test_id("approve").click()
    page.wait_for_url(re.compile(rf"/sales/{sale}$"))
    assert page.get_by_test_id("sale-status").inner_text() == "已认购"
