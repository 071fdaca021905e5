"""Limits and headers of every answer: a request body over the limit is refused unread
(finding L5: a 50 MB JSON password was read whole, 700 MB of memory), and nothing with
personal data is kept by a browser or a proxy (finding L6)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from bankcrm.core.config import get_settings
from tests.small_bank import SmallBank, login
from tests.web.test_pages import csrf_of, log_in

OVER = get_settings().request_body_limit_bytes + 1


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"a" * 65_536
        sent += 65_536


def test_a_body_over_the_limit_is_refused_on_api_and_pages(
    client: TestClient, small_bank: SmallBank
) -> None:
    password = client.post(
        "/api/v1/auth/token", data={"username": small_bank.analyst, "password": "x" * OVER}
    )
    assert password.status_code == 413 and password.json()["detail"]
    headers = login(client, small_bank.manager_a)
    complaint = client.post(
        "/api/v1/complaints",
        json={"channel": "counter", "text": "投" * OVER, "customer_id": small_bank.book_a[0]},
        headers=headers,
    )
    assert complaint.status_code == 413
    streamed = client.post(
        "/api/v1/complaints",
        content=_chunks(OVER),
        headers={**headers, "content-type": "application/json"},
    )
    assert streamed.status_code == 413, "a body without a length is counted as it arrives"
    log_in(client, small_bank.manager_a)
    token = csrf_of(client.get("/complaints/new").text)
    page = client.post(
        "/complaints/new",
        data={"csrf_token": token, "text": "投" * OVER, "channel": "counter"},
        headers={"accept": "text/html"},
    )
    assert page.status_code == 413
    small = client.post(
        "/api/v1/auth/token", data={"username": small_bank.analyst, "password": "wrong"}
    )
    assert small.status_code == 401


def test_answers_with_personal_data_are_not_stored_static_files_may_be(
    client: TestClient, small_bank: SmallBank
) -> None:
    headers = login(client, small_bank.manager_a)
    customer = small_bank.book_a[0]
    for path in ("/api/v1/customers", f"/api/v1/customers/{customer}", "/api/v1/nowhere"):
        assert client.get(path, headers=headers).headers["cache-control"] == "no-store", path
    log_in(client, small_bank.manager_a)
    for path in ("/customers", f"/customers/{customer}", "/login"):
        answer = client.get(path, headers={"accept": "text/html"})
        assert answer.headers["cache-control"] == "no-store", path
    static = client.get("/static/css/bankcrm.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")
