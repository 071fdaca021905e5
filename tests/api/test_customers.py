from __future__ import annotations

from fastapi.testclient import TestClient

from tests.small_bank import SmallBank, login


def _all_ids(client: TestClient, headers: dict[str, str]) -> set[int]:
    answer = client.get("/api/v1/customers", params={"page_size": 200}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


def test_account_manager_sees_exactly_their_book(client: TestClient, small_bank: SmallBank) -> None:
    assert _all_ids(client, login(client, small_bank.manager_a)) == set(small_bank.book_a)
    assert _all_ids(client, login(client, small_bank.manager_b)) == set(small_bank.book_b)


def test_branch_manager_sees_the_branch(client: TestClient, small_bank: SmallBank) -> None:
    seen = _all_ids(client, login(client, small_bank.branch_manager))
    assert seen == set(small_bank.book_a) | set(small_bank.book_b)


def test_analyst_sees_all(client: TestClient, small_bank: SmallBank) -> None:
    seen = _all_ids(client, login(client, small_bank.analyst))
    assert small_bank.other_branch_customer in seen
    assert len(seen) == len(small_bank.book_a) + len(small_bank.book_b) + 1


def test_another_books_customer_is_404(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.manager_b)
    answer = client.get(f"/api/v1/customers/{small_bank.book_a[0]}", headers=headers)
    assert answer.status_code == 404
    assert "王" not in answer.text
    branch = login(client, small_bank.branch_manager)
    assert (
        client.get(
            f"/api/v1/customers/{small_bank.other_branch_customer}", headers=branch
        ).status_code
        == 404
    )


def test_paging_and_totals(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.manager_a)
    first = client.get("/api/v1/customers", params={"page_size": 10}, headers=headers).json()
    last = client.get(
        "/api/v1/customers", params={"page_size": 10, "page": 3}, headers=headers
    ).json()
    assert first["total"] == 30 and len(first["items"]) == 10 and len(last["items"]) == 10
    assert [item["name"] for item in first["items"]][:2] == ["王00", "王01"]
    assert {item["id"] for item in first["items"]}.isdisjoint(
        {item["id"] for item in last["items"]}
    )


def test_search_and_filters(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.analyst)
    by_name = client.get("/api/v1/customers", params={"q": "李"}, headers=headers).json()
    assert by_name["total"] == 5
    corporates = client.get(
        "/api/v1/customers", params={"customer_type": "corporate"}, headers=headers
    ).json()
    assert corporates["total"] == 6
    assert all(item["customer_type"] == "corporate" for item in corporates["items"])
    wildcard = client.get("/api/v1/customers", params={"q": "%"}, headers=headers).json()
    assert wildcard["total"] == 0


def test_customer_360(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.manager_a)
    answer = client.get(f"/api/v1/customers/{small_bank.book_a[1]}", headers=headers)
    assert answer.status_code == 200
    view = answer.json()
    assert view["profile"]["name"] == "王01"
    assert view["accounts"][0]["balance"] == "1234.56"
    assert view["deposit_balance"] == "1234.56"
    assert len(view["recent_transactions"]) == 1
    assert view["recent_transactions"][0]["amount"] == "500.00"
    assert view["assignments"][0]["ended_on"] is None
    assert view["monthly_flows"][-1] == {"month": "2025-06", "inflow": "500.00", "outflow": "0.00"}


def test_bad_parameters_are_422_not_500(client: TestClient, small_bank: SmallBank) -> None:
    headers = login(client, small_bank.analyst)
    for params in (
        {"page": 0},
        {"page_size": 1000},
        {"customer_type": "alien"},
        {"branch_id": "x"},
        {"manager_id": 10**20},
        {"q": "王\x00"},
    ):
        answer = client.get("/api/v1/customers", params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["detail"]
    assert client.get("/api/v1/customers/0", headers=headers).status_code == 422
    assert client.get(f"/api/v1/customers/{2**40}", headers=headers).status_code == 422
    assert client.get("/api/v1/customers/999999", headers=headers).status_code == 404
