"""Loan pre-qualification through the API and its page: the age from the customer's birth
date, the bank's own loans replacing the declared debt payments, every rule's result and the
documents to bring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import ProductCategory
from bankcrm.credit.models import LoanPrequalification
from bankcrm.customers.models import Customer
from tests import factories
from tests.small_bank import SmallBank, login
from tests.timing import move_to_bank_day
from tests.web.test_pages import csrf_of, log_in

API = "/api/v1"
DAY = date(2026, 2, 1)
APPLICATION: dict[str, Any] = {
    "residence": "local_hukou",
    "employment_months": 24,
    "income_proof": "employer_certificate",
    "monthly_income": "20000",
    "declared_monthly_debt": "0",
    "purchase_price": "200000",
    "down_payment": "60000",
    "term_months": 36,
    "annual_rate": "0.036",
}


def _prepare(database_url: str, customer_id: int, *, loan_cents: int | None = None) -> None:
    """Give the customer a birth date and, optionally, an interest-free 36-month loan opened
    on 2024-02-01 with ``loan_cents`` outstanding (12 months left on DAY)."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.birth_date = date(1985, 6, 15)
        if loan_cents is not None:
            loan = factories.product(session, category=ProductCategory.LOAN)
            loan.term_months = 36
            loan.annual_rate_bp = 0
            factories.account(
                session, customer=customer, product_id=loan.id, balance_cents=loan_cents
            )
        session.commit()
    engine.dispose()


def _stored(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = int(session.scalar(select(func.count()).select_from(LoanPrequalification)) or 0)
    engine.dispose()
    return count


def test_the_bank_s_loans_replace_the_declared_debt(
    client: TestClient,
    small_bank: SmallBank,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = small_bank.book_a[1]
    _prepare(app_settings, customer, loan_cents=12_000_00)
    answer = client.post(
        f"{API}/customers/{customer}/prequalifications",
        json=APPLICATION,
        headers=login(client, small_bank.manager_a),
    )
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["outcome"] == "pass"
    assert result["debt_source"] == "bank_records"
    assert Decimal(result["existing_monthly_debt"]) == Decimal("1000.00")
    assert Decimal(result["loan_amount"]) == Decimal("140000")
    ages = {rule["rule"]: rule for rule in result["rules"]}
    assert ages["age_at_application"]["value"] == 40
    assert all(rule["reason"] for rule in result["rules"])
    codes = [document["code"] for document in result["documents"]]
    assert codes[0] == "id_card" and "hukou_book" in codes and "guarantor_papers" not in codes
    assert _stored(app_settings) == 1


def test_without_loans_the_declared_figure_counts_and_a_stranger_is_referred(
    client: TestClient,
    small_bank: SmallBank,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = small_bank.book_a[2]
    _prepare(app_settings, customer)
    answer = client.post(
        f"{API}/customers/{customer}/prequalifications",
        json={**APPLICATION, "residence": "none", "declared_monthly_debt": "800"},
        headers=login(client, small_bank.manager_a),
    )
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["outcome"], result["debt_source"]) == ("refer", "declared")
    assert Decimal(result["existing_monthly_debt"]) == Decimal("800")
    assert "guarantor_papers" in [document["code"] for document in result["documents"]]


def test_out_of_scope_and_without_a_birth_date_it_is_refused(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    other = login(client, small_bank.manager_b)
    answer = client.post(
        f"{API}/customers/{small_bank.book_a[1]}/prequalifications", json=APPLICATION, headers=other
    )
    assert answer.status_code == 404
    no_birth_date = client.post(
        f"{API}/customers/{small_bank.book_a[3]}/prequalifications",
        json=APPLICATION,
        headers=login(client, small_bank.manager_a),
    )
    assert no_birth_date.status_code == 422
    assert no_birth_date.json()["field"] == "birth_date"
    assert _stored(app_settings) == 0


def test_the_page_shows_the_outcome_the_reasons_and_the_documents(
    client: TestClient,
    small_bank: SmallBank,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = small_bank.book_a[1]
    _prepare(app_settings, customer, loan_cents=12_000_00)
    log_in(client, small_bank.manager_a)
    client.get("/lang/en?next=/")
    form = client.get(f"/customers/{customer}/prequalification")
    assert form.status_code == 200
    assert 'data-testid="prequalification-form"' in form.text
    assert 'data-testid="latest-prequalification"' not in form.text
    typed = {key: str(value) for key, value in APPLICATION.items()}
    typed["annual_rate"] = "3.6"
    posted = client.post(
        f"/customers/{customer}/prequalification",
        data={**typed, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    page = client.get(posted.headers["location"]).text
    assert 'data-outcome="pass"' in page
    assert 'data-source="bank_records"' in page
    assert "1,000.00" in page and "140,000.00" in page
    assert "Resident identity card" in page and "Household register (hukou booklet)" in page
    assert "Local hukou" in page
    assert "Car loan pre-qualification" in page


def test_a_form_that_cannot_be_checked_is_shown_again(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer = small_bank.book_a[1]
    _prepare(app_settings, customer)
    log_in(client, small_bank.manager_a)
    form = client.get(f"/customers/{customer}/prequalification").text
    typed = {key: str(value) for key, value in APPLICATION.items()}
    typed["down_payment"] = "250000"
    answer = client.post(
        f"/customers/{customer}/prequalification",
        data={**typed, "annual_rate": "3.6", "csrf_token": csrf_of(form)},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert 'data-testid="problem"' in answer.text and 'value="250000"' in answer.text
    assert _stored(app_settings) == 0


def test_the_page_is_for_those_who_assess(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.analyst)
    answer = client.get(f"/customers/{small_bank.book_a[1]}/prequalification")
    assert answer.status_code == 403
