"""The ticket page of the demo bank in headless Chromium, in Chinese: an account manager
issues a ticket, calls it to their counter, starts and ends the service, and the visit is
listed as done with its times."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bankcrm.web.i18n import gettext
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

MINUTES = re.compile(r"^\d+\.\d$")


def test_a_visit_is_recorded_on_the_ticket_page(page: Any, served_demo: ServedDemo) -> None:
    log_in(page, served_demo, served_demo.login_for("account_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    page.get_by_test_id("nav-queue").click()
    page.wait_for_url(re.compile(r"/queue$"))
    assert page.locator("h1").first.inner_text() == gettext("zh_CN", "Queue")

    page.select_option("#service_type", "wealth")
    page.select_option("#priority", "elderly")
    page.get_by_test_id("issue").click()
    waiting = page.get_by_test_id("waiting-list").locator("tbody tr").first
    waiting.wait_for()
    number = waiting.locator("td").first.inner_text()
    assert number.startswith("E")
    assert "理财咨询" in waiting.inner_text()

    page.fill("#counter", "7")
    page.get_by_test_id("call-next").click()
    page.get_by_test_id(f"mine-{number}").wait_for()
    assert page.url.endswith("/queue?counter=7")
    assert page.get_by_test_id(f"waiting-{number}").count() == 0
    page.get_by_test_id(f"start-{number}").click()
    page.get_by_test_id(f"end-{number}").click()

    visit = page.get_by_test_id(f"visit-{number}")
    visit.wait_for()
    assert visit.get_by_test_id("visit-status").inner_text() == gettext("zh_CN", "Done")
    assert MINUTES.match(visit.get_by_test_id("visit-wait").inner_text())
    assert MINUTES.match(visit.get_by_test_id("visit-service").inner_text())
    assert page.get_by_test_id(f"mine-{number}").count() == 0
    snap(page, "queue-tickets-zh")
