"""The customer picker in headless Chromium, in Chinese: an account manager registers a
complaint for a customer of their book by typing part of the name, choosing the customer
with the keyboard and submitting the form; no database id is typed anywhere.

The assertions are on the page's structure and data, not on UI words, whose translations
come later."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

COMPLAINT = "客户反映转账三天未到账,柜台未能说明原因"


def _a_customer_of_the_book(demo: ServedDemo, login: dict[str, str]) -> dict[str, Any]:
    token = httpx.post(
        f"{demo.base_url}/api/v1/auth/token",
        data={"username": login["username"], "password": login["password"]},
    ).json()["access_token"]
    book = httpx.get(
        f"{demo.base_url}/api/v1/customers",
        params={"customer_type": "individual", "page_size": 5},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["items"]
    assert book, "the demo account manager has individual customers"
    customer: dict[str, Any] = book[0]
    return customer


def test_an_account_manager_picks_a_customer_by_name_with_the_keyboard(
    page: Any, served_demo: ServedDemo
) -> None:
    manager = served_demo.login_for("account_manager")
    customer = _a_customer_of_the_book(served_demo, manager)
    name, number = customer["name"], customer["external_id"]
    label = f"{name} ({number})"
    log_in(page, served_demo, manager)
    page.goto(f"{served_demo.base_url}/complaints/new")
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    picker = page.get_by_test_id("customer-picker")
    field = picker.get_by_test_id("customer-picker-input")
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "false"
    listbox_id = field.get_attribute("aria-controls")
    assert page.locator(f"#{listbox_id}").get_attribute("role") == "listbox"

    # part of the name: the given name, without the surname
    part = name[1:] if len(name) > 2 else name
    field.press_sequentially(part, delay=60)
    options = picker.get_by_test_id("customer-option")
    options.first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    texts = [options.nth(index).inner_text() for index in range(options.count())]
    assert all(re.search(r"\(C\d+\)", text) for text in texts), texts
    assert any(text.startswith(label) for text in texts), (label, texts)
    snap(page, "customer-picker-zh")

    # down to the customer, then Enter chooses without submitting the form
    for _ in range(options.count()):
        field.press("ArrowDown")
        active = field.get_attribute("aria-activedescendant")
        assert active, "the highlighted option is announced"
        highlighted = page.locator(f"#{active}")
        assert highlighted.get_attribute("aria-selected") == "true"
        if highlighted.inner_text().startswith(label):
            break
    field.press("Enter")
    assert re.search(r"/complaints/new$", page.url)
    assert field.input_value() == label
    assert field.get_attribute("aria-expanded") == "false"
    assert picker.get_by_test_id("customer-picker-value").input_value() == str(customer["id"])

    page.locator("#complaint-text").fill(COMPLAINT)
    page.get_by_test_id("register").click()
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    shown = page.get_by_test_id("complaint-customer")
    assert shown.inner_text() == name
    assert shown.get_attribute("href") == f"/customers/{customer['id']}"
    snap(page, "customer-picker-complaint-zh")


def test_typed_text_without_a_choice_is_not_sent_as_no_customer(
    page: Any, served_demo: ServedDemo
) -> None:
    manager = served_demo.login_for("account_manager")
    customer = _a_customer_of_the_book(served_demo, manager)
    log_in(page, served_demo, manager)
    page.goto(f"{served_demo.base_url}/complaints/new")
    field = page.get_by_test_id("customer-picker-input")
    field.press_sequentially(customer["name"], delay=60)
    page.get_by_test_id("customer-option").first.wait_for()
    field.press("Escape")
    page.locator("#complaint-text").fill(COMPLAINT)
    page.get_by_test_id("register").click()
    page.wait_for_timeout(500)
    # the browser keeps the form: the text names nobody until a customer is chosen
    assert re.search(r"/complaints/new$", page.url)
    assert field.evaluate("element => element.validity.valid") is False
    assert page.get_by_test_id("customer-picker-value").input_value() == ""
