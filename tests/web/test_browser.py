from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import ServedDemo

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("BANKCRM_SCREENSHOTS")


def snap(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def submit_login(page: Any, demo: ServedDemo, login: dict[str, str]) -> None:
    page.goto(f"{demo.base_url}/")
    page.fill("#username", login["username"])
    page.fill("#password", login["password"])
    page.click("button[type=submit]")


def log_in(page: Any, demo: ServedDemo, login: dict[str, str]) -> None:
    """Log in and land on the work bench."""
    submit_login(page, demo, login)
    page.wait_for_url(f"{demo.base_url}/")


def test_login_page_speaks_chinese_by_default(page: Any, served_demo: ServedDemo) -> None:
    page.goto(f"{served_demo.base_url}/customers")
    assert re.search(r"/login\?next=/customers$", page.url)
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    snap(page, "login-zh")


def test_account_manager_sees_own_book_and_a_customer_360(
    page: Any, served_demo: ServedDemo
) -> None:
    manager = served_demo.login_for("account_manager")
    log_in(page, served_demo, manager)
    page.goto(f"{served_demo.base_url}/customers")
    token = httpx.post(
        f"{served_demo.base_url}/api/v1/auth/token",
        data={"username": manager["username"], "password": manager["password"]},
    ).json()["access_token"]
    book = httpx.get(
        f"{served_demo.base_url}/api/v1/customers",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["total"]
    assert page.get_by_test_id("customer-total").inner_text() == f"共 {book:,} 位客户"
    assert page.get_by_test_id("current-user").inner_text().endswith("客户经理")
    snap(page, "customers-zh")

    first = page.locator("[data-testid=customer-table] tbody a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    assert page.get_by_test_id("customer-name").inner_text() == name
    assert page.locator("[data-testid=accounts-table] tbody tr").count() >= 1
    assert "¥" in page.get_by_test_id("deposit-balance").inner_text()
    page.wait_for_selector("[data-testid=flow-chart] canvas")
    assert page.locator("[data-testid=flow-chart] canvas").count() == 1
    assert page.get_by_text("身份与联系方式").count() == 1
    snap(page, "customer-360-zh")

    page.click("text=English")
    page.wait_for_selector("text=Identity and contact")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Recent transactions").count() == 1
    snap(page, "customer-360-en")


def test_wrong_password_shows_the_error_and_keeps_the_username(
    page: Any, served_demo: ServedDemo
) -> None:
    analyst = served_demo.login_for("marketing_analyst")
    submit_login(page, served_demo, {**analyst, "password": "not-the-password"})
    assert page.get_by_test_id("login-error").inner_text() == "用户名或密码错误。"
    assert page.input_value("#username") == analyst["username"]


def test_another_books_customer_is_not_found(page: Any, served_demo: ServedDemo) -> None:
    managers = [login for login in served_demo.logins if login["role"] == "account_manager"]
    other = managers[1]
    token = httpx.post(
        f"{served_demo.base_url}/api/v1/auth/token",
        data={"username": other["username"], "password": other["password"]},
    ).json()["access_token"]
    foreign = httpx.get(
        f"{served_demo.base_url}/api/v1/customers",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["items"][0]["id"]
    log_in(page, served_demo, managers[0])
    page.goto(f"{served_demo.base_url}/customers")
    answer = page.goto(f"{served_demo.base_url}/customers/{foreign}")
    assert answer is not None and answer.status == 404
    assert page.get_by_text("不在您的查看范围内").count() == 1


def test_a_form_post_without_the_csrf_token_is_refused(served_demo: ServedDemo) -> None:
    manager = served_demo.login_for("account_manager")
    with httpx.Client(base_url=served_demo.base_url) as client:
        client.get("/login")
        answer = client.post(
            "/login",
            data={"username": manager["username"], "password": manager["password"]},
            headers={"accept": "text/html"},
        )
    assert answer.status_code == 403


def test_pages_run_under_the_content_security_policy(page: Any, served_demo: ServedDemo) -> None:
    """The charts draw and their tooltips show without one CSP violation or script error."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    analyst = served_demo.login_for("marketing_analyst")
    log_in(page, served_demo, analyst)
    page.goto(f"{served_demo.base_url}/customers")
    page.locator("[data-testid=customer-table] tbody a").first.click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    for path, chart in (
        (None, "flow-chart"),
        ("/segments", "matrix-chart"),
        ("/clv", None),
        ("/churn", None),
    ):
        if path:
            page.goto(f"{served_demo.base_url}{path}")
        page.wait_for_load_state("networkidle")
        if chart:
            canvas = page.locator(f"[data-testid={chart}] canvas")
            canvas.wait_for()
            canvas.hover()
            page.mouse.move(200, 200)
    assert problems == []
