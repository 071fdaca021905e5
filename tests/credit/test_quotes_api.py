"""Loan quotes through the API: a quote is kept and read back, one beyond the account
manager's authority waits for a branch manager other than its quoter, a stale version is
refused, a customer outside the caller's book is not found, and bad input is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import CreditGrade, CustomerType, ProductCategory, Role
from bankcrm.main import create_app
from tests import factories
from tests.small_bank import login
from tests.timing import move_to_bank_day

API = "/api/v1"
DAY = date(2026, 3, 2)
CLI_KEYS = {"rate", "floor", "ceiling", "base", "spreads", "discount", "raroc", "authority"}


@dataclass(frozen=True)
class PricingBranch:
    manager: str
    other_manager: str
    branch_manager: str
    second_branch_manager: str
    other_branch_manager: str
    compliance: str
    customer: int
    """Corporate, graded BBB, in ``manager``'s book."""
    ungraded: int
    other_book: int
    loan: str


@pytest.fixture
def pricing_branch(app_settings: str) -> PricingBranch:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        main = factories.branch(session)
        other = factories.branch(session, name="杭州分行")
        manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        other_manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        second = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        elsewhere = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=other.id)
        compliance = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        customer = factories.customer(
            session,
            branch_id=main.id,
            manager_id=manager.id,
            customer_type=CustomerType.CORPORATE,
        )
        customer.credit_grade = CreditGrade.BBB
        ungraded = factories.customer(session, branch_id=main.id, manager_id=manager.id)
        other_book = factories.customer(session, branch_id=main.id, manager_id=other_manager.id)
        other_book.credit_grade = CreditGrade.A
        loan = factories.product(session, category=ProductCategory.LOAN)
        loan.term_months = 120
        session.flush()
        bank = PricingBranch(
            manager=manager.username,
            other_manager=other_manager.username,
            branch_manager=branch_manager.username,
            second_branch_manager=second.username,
            other_branch_manager=elsewhere.username,
            compliance=compliance.username,
            customer=customer.id,
            ungraded=ungraded.id,
            other_book=other_book.id,
            loan=loan.external_id,
        )
        session.commit()
    engine.dispose()
    return bank


@pytest.fixture
def client(
    app_settings: str, time_machine: time_machine.TimeMachineFixture
) -> Iterator[TestClient]:
    move_to_bank_day(time_machine, DAY)
    with TestClient(create_app()) as test_client:
        yield test_client


def _quote(
    client: TestClient, headers: dict[str, str], customer: int, amount: str = "1000000", **extra
) -> dict:
    answer = client.post(
        f"{API}/pricing/quotes",
        json={"customer_id": customer, "amount": amount, "term_months": 36, **extra},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_quote_is_kept_at_the_customers_grade_and_read_back(
    client: TestClient, pricing_branch: PricingBranch, app_settings: str
) -> None:
    manager = login(client, pricing_branch.manager)
    made = _quote(client, manager, pricing_branch.customer, product=pricing_branch.loan)
    assert CLI_KEYS | {"id", "status", "customer_id", "version"} <= set(made)
    assert made["grade"] == "BBB" and made["product"] == pricing_branch.loan
    assert made["authority"] == "account_manager" and made["status"] == "agreed"
    spreads = made["spreads"]
    total = made["base"] + sum(spreads.values()) - made["discount"]
    assert made["rate"] == pytest.approx(min(max(total, made["floor"]), made["ceiling"]), abs=1e-4)
    assert made["raroc"] >= made["hurdle_rate"]
    assert made["quoted_by"] == pricing_branch.manager and made["version"] == 1

    listed = client.get(f"{API}/customers/{pricing_branch.customer}/quotes", headers=manager)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [made["id"]]
    assert listed.json()[0]["rate"] == made["rate"]

    # the branch manager reads it too; the compliance auditor reads but may not quote
    assert (
        client.get(
            f"{API}/customers/{pricing_branch.customer}/quotes",
            headers=login(client, pricing_branch.branch_manager),
        ).json()[0]["id"]
        == made["id"]
    )
    auditor = login(client, pricing_branch.compliance)
    refused = client.post(
        f"{API}/pricing/quotes",
        json={"customer_id": pricing_branch.customer, "amount": "1000", "term_months": 12},
        headers=auditor,
    )
    assert refused.status_code == 403

    engine = make_engine(app_settings)
    with Session(engine) as session:
        entities = set(session.scalars(select(AuditEntry.entity)))
    engine.dispose()
    assert "pricing_quotes" in entities


def test_a_stated_grade_overrides_the_customers_and_a_worse_one_costs_more(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    manager = login(client, pricing_branch.manager)
    good = _quote(client, manager, pricing_branch.customer, grade="AA")
    bad = _quote(client, manager, pricing_branch.customer, grade="B")
    assert (good["grade"], bad["grade"]) == ("AA", "B")
    assert bad["rate"] >= good["rate"]


def test_a_quote_beyond_authority_waits_for_another_branch_manager(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    manager = login(client, pricing_branch.manager)
    big = _quote(client, manager, pricing_branch.customer, amount="20000000")
    assert big["authority"] == "branch_manager" and big["status"] == "pending_approval"

    checker = login(client, pricing_branch.branch_manager)
    # the account manager may not decide at all
    assert (
        client.post(
            f"{API}/pricing/quotes/{big['id']}/approve", json={"version": 1}, headers=manager
        ).status_code
        == 403
    )
    stale = client.post(
        f"{API}/pricing/quotes/{big['id']}/approve", json={"version": 2}, headers=checker
    )
    assert stale.status_code == 409 and "version" in stale.json()["detail"]
    approved = client.post(
        f"{API}/pricing/quotes/{big['id']}/approve",
        json={"version": 1, "note": "抵押充足"},
        headers=checker,
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["decided_by"] == pricing_branch.branch_manager
    assert body["decision_note"] == "抵押充足" and body["version"] == 2
    again = client.post(
        f"{API}/pricing/quotes/{big['id']}/reject", json={"version": 2}, headers=checker
    )
    assert again.status_code == 409 and "not waiting" in again.json()["detail"]


def test_a_branch_managers_own_quote_is_agreed_or_decided_by_someone_else(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    boss = login(client, pricing_branch.branch_manager)
    within = _quote(client, boss, pricing_branch.customer, amount="20000000")
    assert within["authority"] == "branch_manager" and within["status"] == "agreed"
    beyond = _quote(client, boss, pricing_branch.customer, amount="60000000")
    assert beyond["authority"] == "head_office" and beyond["status"] == "pending_approval"

    own = client.post(
        f"{API}/pricing/quotes/{beyond['id']}/reject", json={"version": 1}, headers=boss
    )
    assert own.status_code == 403 and "maker" in own.json()["detail"]
    second = login(client, pricing_branch.second_branch_manager)
    rejected = client.post(
        f"{API}/pricing/quotes/{beyond['id']}/reject",
        json={"version": 1, "note": "超出授权"},
        headers=second,
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def test_customers_and_quotes_outside_the_callers_scope_are_not_found(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    manager = login(client, pricing_branch.manager)
    answer = client.post(
        f"{API}/pricing/quotes",
        json={"customer_id": pricing_branch.other_book, "amount": "1000", "term_months": 12},
        headers=manager,
    )
    assert answer.status_code == 404
    assert (
        client.get(
            f"{API}/customers/{pricing_branch.other_book}/quotes", headers=manager
        ).status_code
        == 404
    )
    big = _quote(client, manager, pricing_branch.customer, amount="20000000")
    elsewhere = login(client, pricing_branch.other_branch_manager)
    assert (
        client.post(
            f"{API}/pricing/quotes/{big['id']}/approve", json={"version": 1}, headers=elsewhere
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": 361}, "term_months"),
        ({"grade": "BBB+"}, "grade"),
        ({"product": "LOAN-NONE"}, None),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    client: TestClient, pricing_branch: PricingBranch, body: dict, field: str | None
) -> None:
    manager = login(client, pricing_branch.manager)
    answer = client.post(
        f"{API}/pricing/quotes",
        json={"customer_id": pricing_branch.customer, "amount": "1000", "term_months": 12, **body},
        headers=manager,
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["detail"]
    if field is not None:
        assert answer.status_code == 422
        assert field in answer.text


def test_a_customer_without_a_grade_needs_one(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    manager = login(client, pricing_branch.manager)
    answer = client.post(
        f"{API}/pricing/quotes",
        json={"customer_id": pricing_branch.ungraded, "amount": "1000", "term_months": 12},
        headers=manager,
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "grade" and "no credit grade" in answer.json()["detail"]
    graded = _quote(client, manager, pricing_branch.ungraded, grade="A")
    assert graded["grade"] == "A"
