"""A correction request is read like every other typed value (finding L4): each new value is
normalised, measured against the column it will be written to and, for a date, checked to be a
plausible past day, when it is filed, so that approving it can never fail on the database (a
250-character name answered 500 on PostgreSQL at approval)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.customers.models import Customer
from tests.small_bank import SmallBank, login

API = "/api/v1/privacy/requests"


def _file(
    client: TestClient, headers: dict[str, str], customer_id: int, corrections: dict[str, str]
) -> Response:
    return client.post(
        API,
        headers=headers,
        json={"customer_id": customer_id, "kind": "correction", "corrections": corrections},
    )


def test_a_correction_that_would_not_fit_is_refused_when_filed(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    headers = login(client, small_bank.manager_a)
    customer_id = small_bank.book_a[0]
    for corrections, field in (
        ({"name": "王" * 201}, "corrections.name"),
        ({"mobile_phone": "1" * 65}, "corrections.mobile_phone"),
        ({"name": "\u200b \u202e"}, "corrections.name"),
        ({"birth_date": "0001-01-01"}, "corrections.birth_date"),
        ({"birth_date": "2999-01-01"}, "corrections.birth_date"),
        ({"birth_date": "1980-02-30"}, "corrections.birth_date"),
    ):
        answer = _file(client, headers, customer_id, corrections)
        assert answer.status_code == 422, (corrections, answer.text)
        assert answer.json()["field"] == field
    assert client.get(API, headers=headers).json()["total"] == 0


def test_a_filed_correction_is_stored_normalised_and_applies_on_approval(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    maker = login(client, small_bank.manager_a)
    customer_id = small_bank.book_a[0]
    filed = _file(
        client,
        maker,
        customer_id,
        {
            "name": "王\u200b 小明\u202e",
            "mobile_phone": "１３８００００１１１１",
            "primary_address": "上海市,浦东新区 世纪大道100号\ufeff",
            "birth_date": " 1980-02-29 ",
            "nickname": "",
        },
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["corrections"] == {
        "name": "王 小明",
        "mobile_phone": "13800001111",
        "primary_address": "上海市,浦东新区 世纪大道100号",
        "birth_date": "1980-02-29",
        "nickname": None,
    }
    checker = login(client, small_bank.branch_manager)
    approved = client.post(
        f"{API}/{filed.json()['id']}/approve",
        headers=checker,
        json={"version": filed.json()["version"]},
    )
    assert approved.status_code == 200, approved.text
    engine = make_engine(app_settings)
    with Session(engine) as session:
        customer = session.get_one(Customer, customer_id)
        assert (customer.name, customer.mobile_phone) == ("王 小明", "13800001111")
    engine.dispose()
