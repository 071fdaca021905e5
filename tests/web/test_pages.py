"""The pages through the application object, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD
from tests.small_bank import SmallBank

HTML = {"accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def log_in(client: TestClient, username: str) -> None:
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/x"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/x"


def test_pages_need_a_login(client: TestClient, small_bank: SmallBank) -> None:
    answer = client.get("/customers?q=王", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/customers")


def test_next_must_stay_on_this_site(client: TestClient, small_bank: SmallBank) -> None:
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={
            "username": small_bank.manager_a,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/customers"


def test_login_rotates_the_csrf_token(client: TestClient, small_bank: SmallBank) -> None:
    before = csrf_of(client.get("/login").text)
    log_in(client, small_bank.manager_a)
    after = csrf_of(client.get("/customers").text)
    assert before != after


def test_book_scope_on_pages(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_b)
    listing = client.get("/customers")
    assert listing.status_code == 200
    assert "共 5 位客户" in listing.text
    assert client.get(f"/customers/{small_bank.book_b[0]}").status_code == 200
    foreign = client.get(f"/customers/{small_bank.book_a[0]}", headers=HTML)
    assert foreign.status_code == 404
    assert "王" not in foreign.text


def test_english_switch_and_logout(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.analyst)
    client.get("/lang/en?next=/customers")
    page = client.get("/customers")
    assert "36 customers" in page.text
    assert 'lang="en"' in page.text
    token = csrf_of(page.text)
    assert client.post("/logout", data={"csrf_token": "wrong"}, headers=HTML).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/customers", follow_redirects=False).status_code == 303


def test_bad_page_parameters_are_answered_not_crashed(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.analyst)
    assert client.get("/customers?page=0", headers=HTML).status_code == 422
    refused = client.get("/customers?q=%00", headers=HTML)
    assert refused.status_code == 422
    assert "无法处理该请求" in refused.text
    assert client.get("/customers?customer_type=alien").status_code == 200
    assert client.get(f"/customers/{2**40}", headers=HTML).status_code == 422


def test_branch_and_manager_filters_follow_the_role(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.analyst)
    everyone = client.get("/customers")
    assert 'name="branch_id"' in everyone.text and 'name="manager_id"' in everyone.text
    one_branch = client.get(f"/customers?branch_id={small_bank.branch_id}")
    assert "共 35 位客户" in one_branch.text
    assert "共 36 位客户" in client.get("/customers?branch_id=abc").text

    client.cookies.clear()
    log_in(client, small_bank.manager_a)
    own_book = client.get(f"/customers?branch_id={small_bank.branch_id + 1}")
    assert 'name="branch_id"' not in own_book.text
    assert "共 30 位客户" in own_book.text
