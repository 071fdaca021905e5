"""An account manager's tasks in headless Chromium, in Chinese: the nav link leads to the
list, one task is postponed with a reason, another is marked done.

The assertions are on the page's structure and data, not on UI words, whose translations
come later."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

REASON = "客户出差,下周回访"
OUTCOME = "客户同意续作"


def _task_ids(page: Any) -> list[str]:
    rows = page.get_by_test_id("task-row")
    return [rows.nth(index).get_attribute("data-task-id") for index in range(rows.count())]


def test_an_account_manager_postpones_one_task_and_finishes_another(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("account_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_test_id("nav-tasks").click()
    page.wait_for_url(re.compile(r"/tasks$"))
    ids = _task_ids(page)
    assert len(ids) >= 2, "the demo account manager has open tasks"
    snap(page, "tasks-zh")

    first, second = ids[0], ids[1]
    page.locator(f'tr[data-task-id="{first}"]').get_by_test_id("task-link").click()
    page.wait_for_url(re.compile(rf"/tasks/{first}$"))
    due_text = page.get_by_test_id("task-due").get_attribute("data-due") or ""
    due = date.fromisoformat(due_text) if due_text else date.today()
    new_due = (max(due, date.today()) + timedelta(days=7)).isoformat()
    form = page.get_by_test_id("postpone-form")
    form.locator("input[name=due_on]").fill(new_due)
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{first}$"))
    page.get_by_test_id("task-postponed").wait_for()
    assert REASON in page.get_by_test_id("task-postponed").inner_text()
    assert page.get_by_test_id("task-due").get_attribute("data-due") == new_due
    assert page.get_by_test_id("problem").count() == 0

    page.get_by_test_id("nav-tasks").click()
    page.wait_for_url(re.compile(r"/tasks$"))
    page.locator(f'tr[data-task-id="{second}"]').get_by_test_id("task-link").click()
    page.wait_for_url(re.compile(rf"/tasks/{second}$"))
    done = page.get_by_test_id("do-form")
    done.locator("textarea[name=outcome]").fill(OUTCOME)
    done.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{second}$"))
    assert page.get_by_test_id("task-status").get_attribute("data-status") == "done"
    assert OUTCOME in page.get_by_test_id("task-outcome").inner_text()
    assert page.get_by_test_id("do-form").count() == 0
    snap(page, "task-done-zh")

    page.get_by_test_id("nav-tasks").click()
    page.wait_for_url(re.compile(r"/tasks$"))
    assert second not in _task_ids(page)
