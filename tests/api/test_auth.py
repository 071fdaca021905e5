from __future__ import annotations

from fastapi.testclient import TestClient

from tests.small_bank import SmallBank, login


def test_token_login_and_me(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.manager_a)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == small_bank.manager_a
    assert me.json()["role"] == "account_manager"


def test_token_login_accepts_json(client: TestClient, small_bank: SmallBank) -> None:
    answer = client.post(
        "/api/v1/auth/token",
        json={"username": small_bank.analyst, "password": "correct-horse-9"},
    )
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "bearer"


def test_wrong_password_is_401_with_reason(client: TestClient, small_bank: SmallBank) -> None:
    answer = client.post(
        "/api/v1/auth/token", data={"username": small_bank.manager_a, "password": "nope-nope"}
    )
    assert answer.status_code == 401
    assert answer.json()["detail"] == "invalid username or password"


def test_missing_credentials_are_422_not_500(client: TestClient, small_bank: SmallBank) -> None:
    assert client.post("/api/v1/auth/token", data={"username": "x"}).status_code == 422
    assert client.post("/api/v1/auth/token", content=b"\xff\xfe").status_code == 422
    bad_json = client.post(
        "/api/v1/auth/token", content=b"{", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422


def test_five_failures_make_the_address_wait(client: TestClient, small_bank: SmallBank) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": small_bank.manager_b, "password": "x"})
    answer = client.post(
        "/api/v1/auth/token",
        data={"username": small_bank.manager_b, "password": "correct-horse-9"},
    )
    assert answer.status_code == 429
    assert 0 < int(answer.headers["retry-after"]) <= 30
    assert "for this username from this address" in answer.json()["detail"]


def test_requests_without_a_valid_token_are_401(client: TestClient, small_bank: SmallBank) -> None:
    assert client.get("/api/v1/customers").status_code == 401
    forged = client.get("/api/v1/customers", headers={"Authorization": "Bearer abc.def"})
    assert forged.status_code == 401
    assert forged.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(
    client: TestClient, small_bank: SmallBank, monkeypatch: object
) -> None:
    from bankcrm.core.config import get_settings

    headers = login(client, small_bank.analyst)
    get_settings().token_max_age_seconds = -1
    try:
        answer = client.get("/api/v1/me", headers=headers)
    finally:
        get_settings().token_max_age_seconds = 3600
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


def test_staff_list_is_for_administrators(client: TestClient, small_bank: SmallBank) -> None:
    assert (
        client.get("/api/v1/staff", headers=login(client, small_bank.manager_a)).status_code == 403
    )
    answer = client.get("/api/v1/staff", headers=login(client, small_bank.admin))
    assert answer.status_code == 200
    assert {row["username"] for row in answer.json()} >= {small_bank.manager_a, small_bank.admin}
