"""The customer picker's search: by name, customer number or phone, within the viewer's
scope, as the API and as the JSON the picker of a page asks for; the forms and reports that
name a customer show ``name (C…number)``."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.customers.models import Customer
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in

SEARCH = "/api/v1/customers/search"
ENGLISH = {"lang": "en"}


def _customer(app_settings: str, customer_id: int) -> tuple[str, str, str]:
    """Name, customer number and mobile number."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        row = session.execute(
            select(Customer.name, Customer.external_id, Customer.mobile_phone).where(
                Customer.id == customer_id
            )
        ).one()
    engine.dispose()
    name, number, mobile = row
    assert mobile
    return name, number, mobile


def _search(client: TestClient, headers: dict[str, str], q: str, **params: Any) -> list[Any]:
    answer = client.get(SEARCH, params={"q": q, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[Any] = answer.json()
    return found


def _ids(found: list[Any]) -> set[int]:
    return {item["id"] for item in found}


def test_a_name_finds_the_customer_as_name_and_number(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[7]
    name, number, mobile = _customer(app_settings, target)
    manager = login(client, small_bank.manager_a)
    found = _search(client, manager, "王07")
    assert _ids(found) == {target}
    [item] = found
    assert item["label"] == f"{name} ({number})" and item["customer_number"] == number
    assert item["name"] == "王07" and item["branch_name"]
    # the picker shows the phone as the customer list does: masked
    assert item["mobile_phone"] != mobile and "*" in item["mobile_phone"]
    # anywhere in the name, not only its start
    assert target in _ids(_search(client, manager, "07"))
    assert _ids(_search(client, manager, "王0", limit=20)) == set(small_bank.book_a[:10])


def test_an_account_manager_finds_only_their_own_book(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    other = small_bank.book_b[1]
    name, number, mobile = _customer(app_settings, other)
    manager_a = login(client, small_bank.manager_a)
    for term in (name, number, number[1:], mobile):
        assert _search(client, manager_a, term) == [], term
    elsewhere = small_bank.other_branch_customer
    _, elsewhere_number, _ = _customer(app_settings, elsewhere)
    assert _search(client, manager_a, elsewhere_number) == []
    # the other manager, and their branch manager, do find the customer
    assert _ids(_search(client, login(client, small_bank.manager_b), name)) == {other}
    branch_manager = login(client, small_bank.branch_manager)
    assert _ids(_search(client, branch_manager, number)) == {other}
    assert _search(client, branch_manager, elsewhere_number) == []


def test_a_customer_number_matches_by_its_start_with_or_without_the_c(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[3]
    _, number, _ = _customer(app_settings, target)
    manager = login(client, small_bank.manager_a)
    for term in (number, number[1:], "c" + number[1:]):
        assert _ids(_search(client, manager, term)) == {target}, term
    assert target in _ids(_search(client, manager, number[:-1], limit=20))


def test_a_phone_matches_as_the_role_sees_it(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[7]
    _, _, mobile = _customer(app_settings, target)
    # an account manager sees the number: its start is enough
    manager = login(client, small_bank.manager_a)
    assert target in _ids(_search(client, manager, mobile[:9], limit=20))
    assert _ids(_search(client, manager, mobile)) == {target}
    # an analyst sees it masked: only the whole number finds, and it is shown masked
    analyst = login(client, small_bank.analyst)
    for length in (3, 7, 10):
        assert target not in _ids(_search(client, analyst, mobile[:length], limit=20)), length
    [item] = _search(client, analyst, mobile)
    assert item["id"] == target and item["mobile_phone"] != mobile
    engine = make_engine(app_settings)
    with Session(engine) as session:
        recorded = list(
            session.scalars(
                select(AuditEntry.after_json).where(
                    AuditEntry.action == AuditAction.READ_PERSONAL,
                    AuditEntry.after_json.like('%"searched"%'),
                )
            )
        )
    engine.dispose()
    assert recorded, "a search by phone is a read of personal data"
    assert all(mobile not in (entry or "") for entry in recorded)
    assert target in json.loads(recorded[-1] or "{}")["shown"]


def test_the_limit_caps_the_answer(client: TestClient, small_bank: SmallBank) -> None:
    manager = login(client, small_bank.manager_a)
    assert len(_search(client, manager, "王0", limit=3)) == 3
    assert len(_search(client, manager, "王0")) == 10, "ten by default"


def test_a_bad_term_is_refused_with_the_reason(client: TestClient, small_bank: SmallBank) -> None:
    manager = login(client, small_bank.manager_a)
    for params in (
        {},
        {"q": "王"},
        {"q": " 王 "},
        {"q": "王" * 101},
        {"q": "王\x00五"},
        {"q": "王0", "limit": "0"},
        {"q": "王0", "limit": "21"},
        {"q": "王0", "limit": "many"},
    ):
        answer = client.get(SEARCH, params=params, headers=manager)
        assert answer.status_code == 422, (params, answer.text)
        body = answer.json()
        assert body["detail"] and body.get("field") in {"q", "limit"}, body
    # wildcards are text, not patterns
    assert _search(client, manager, "%%") == []
    assert _search(client, manager, "__") == []


def test_the_pages_picker_asks_with_the_login_cookie(
    client: TestClient, small_bank: SmallBank
) -> None:
    answer = client.get("/customers/search", params={"q": "王07"}, follow_redirects=False)
    assert answer.status_code == 303, "no login, no customers"
    log_in(client, small_bank.manager_a)
    found = client.get("/customers/search", params={"q": "王07"}).json()
    assert _ids(found) == {small_bank.book_a[7]}
    assert client.get("/customers/search", params={"q": "李1"}).json() == []
    refused = client.get("/customers/search", params={"q": "王"})
    assert refused.status_code == 422 and refused.json()["field"] == "q"


def test_a_refused_complaint_form_shows_the_customer_by_name(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    target = small_bank.book_a[4]
    name, number, _ = _customer(app_settings, target)
    log_in(client, small_bank.manager_a)
    client.cookies.set("lang", "en")
    form = client.get("/complaints/new", params={"customer_id": str(target)}, headers=HTML)
    assert f"{name} ({number})" in form.text and 'role="combobox"' in form.text
    token = csrf_of(form.text)
    refused = client.post(
        "/complaints/new",
        data={
            "customer_id": str(target),
            "channel": "counter",
            "received_at": "yesterday",
            "text": "转账未到账",
            "csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert f"{name} ({number})" in refused.text
    assert f'name="customer_id" value="{target}"' in refused.text
    # another book's customer is not shown, and the picker starts empty
    other = small_bank.book_b[0]
    other_name, _, _ = _customer(app_settings, other)
    foreign = client.get("/complaints/new", params={"customer_id": str(other)}, headers=HTML)
    assert other_name not in foreign.text
    assert f'value="{other}"' not in foreign.text
