"""The page shell as bankers use it: on a phone the sidebar folds behind a menu button,
on a 1366-pixel office screen it stays open and the button is gone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    opened = context.new_page()
    yield opened
    context.close()


def test_on_a_phone_the_menu_button_opens_the_navigation(
    phone: Any, served_demo: ServedDemo
) -> None:
    log_in(phone, served_demo, served_demo.login_for("branch_manager"))
    sidebar = phone.get_by_test_id("sidebar")
    button = phone.get_by_test_id("menu-button")
    assert not sidebar.is_visible()
    assert button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "app-sidebar"
    # Nothing spills sideways: the page is no wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # By keyboard: Enter opens, the first link takes the focus, Escape closes.
    button.focus()
    phone.keyboard.press("Enter")
    assert sidebar.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    assert phone.evaluate("document.activeElement.closest('#app-sidebar') !== null")
    phone.keyboard.press("Escape")
    assert not sidebar.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.dataset.testid") == "menu-button"

    button.click()
    assert sidebar.is_visible()
    snap(phone, "shell-phone-menu-open")
    sidebar.get_by_test_id("nav-complaints").click()
    phone.wait_for_url(re.compile(r"/complaints$"))
    assert not phone.get_by_test_id("sidebar").is_visible()
    assert phone.get_by_test_id("menu-button").get_attribute("aria-expanded") == "false"


def test_at_1366_pixels_the_sidebar_shows_and_the_button_does_not(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("branch_manager"))
    assert page.get_by_test_id("sidebar").is_visible()
    assert not page.get_by_test_id("menu-button").is_visible()
    assert page.get_by_test_id("current-user").is_visible()
