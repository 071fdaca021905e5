"""A branch manager records a daily check on a phone-sized screen, in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import InspectionKind
from bankcrm.quality.inspections import service
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    opened = context.new_page()
    yield opened
    context.close()


def _daily_checklist(demo: ServedDemo) -> list[tuple[str, float | None]]:
    """Load the shipped standards into the demo bank (a no-op when they are there) and
    return the daily check's lines: code and target (none for a yes/no check)."""
    engine = make_engine(f"sqlite:///{demo.directory / 'bankcrm.db'}")
    with Session(engine) as session:
        service.load_standard_catalogue(session)
        session.commit()
        lines = [
            (line.code, line.target)
            for line in service.checklist(session, InspectionKind.DAILY_CHECK)
        ]
    engine.dispose()
    return lines


def test_branch_manager_records_a_daily_check_on_a_phone(
    phone: Any, served_demo: ServedDemo
) -> None:
    lines = _daily_checklist(served_demo)
    log_in(phone, served_demo, served_demo.login_for("branch_manager"))
    phone.goto(f"{served_demo.base_url}/quality/inspections/new")
    # a branch manager has one branch to inspect: it is chosen already
    phone.select_option("#choose-kind", "daily_check")
    phone.click("[data-testid=show-checklist]")
    phone.wait_for_selector("[data-testid=inspection-form]")
    for code, target in lines:
        if target is None:
            phone.click(f"[data-testid={'no' if code == 'ETQ-02' else 'yes'}-{code}]")
        else:
            phone.fill(f"#observed-{code}", "22" if code == "EFF-01" else f"{target:g}")
    wide = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide, "the inspection form scrolls sideways on a phone"
    snap(phone, "inspection-phone-form")
    phone.click("[data-testid=record]")
    phone.wait_for_selector("[data-testid=inspection-lines]")
    assert phone.locator("[data-testid=failed]").count() == 2
    assert phone.locator("[data-testid=action-link]").count() == 2
    assert phone.locator("[data-testid=line-EFF-01] [data-testid=failed]").count() == 1
    snap(phone, "inspection-phone-detail")
