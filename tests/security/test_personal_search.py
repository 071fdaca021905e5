"""A masked value cannot be matched on the digits the mask hides (finding H2: an analyst who
saw ``157****6988`` rebuilt the number in 17 searches), and a search by personal data of a
role that may see it is recorded."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.customers.models import Customer
from tests.small_bank import SmallBank, login


def _mobile(app_settings: str, customer_id: int) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        mobile = session.scalar(select(Customer.mobile_phone).where(Customer.id == customer_id))
    engine.dispose()
    assert mobile
    return mobile


def _searches(app_settings: str) -> list[AuditEntry]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        entries = list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == AuditAction.READ_PERSONAL,
                    AuditEntry.after_json.like('%"searched"%'),
                )
            )
        )
    engine.dispose()
    return entries


def _found(client: TestClient, headers: dict[str, str], text: str) -> set[int]:
    answer = client.get("/api/v1/customers", params={"q": text}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


def test_a_role_that_sees_the_mask_cannot_search_the_digits(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[7]
    mobile = _mobile(app_settings, target)
    analyst = login(client, small_bank.analyst)
    listed = client.get("/api/v1/customers", params={"q": "王07"}, headers=analyst).json()
    assert listed["items"][0]["mobile_phone"] != mobile
    for length in (3, 4, 7, 10, len(mobile)):
        assert target not in _found(client, analyst, mobile[:length]), length


def test_a_role_that_sees_the_number_finds_by_it_and_the_search_is_recorded(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[7]
    mobile = _mobile(app_settings, target)
    manager = login(client, small_bank.manager_a)
    assert _found(client, manager, mobile) == {target}
    assert target in _found(client, manager, mobile[:7])
    assert _found(client, manager, "王07") == {target}

    entries = _searches(app_settings)
    assert len(entries) == 2, "two searches by number, none by name"
    whole = json.loads(entries[0].after_json or "{}")
    assert whole["searched"] == "mobile_phone" and whole["shown"] == [target]
    assert mobile not in (entries[0].after_json or "") and mobile[:7] not in (
        entries[1].after_json or ""
    )
    assert whole["term"].startswith("hmac:")
