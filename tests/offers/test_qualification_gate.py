"""The seller's qualification at the gate: a product whose risk level needs a qualification
(wealth-sales for R3 and above) is sold only by someone holding a valid certificate on the
day; no override answers it, and a bank that keeps no qualification records turns it off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today
from bankcrm.core.config import OfferSettings
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import (
    ProductCategory,
    ProductRisk,
    RiskLevel,
    Role,
    SaleStatus,
    SuitabilityReason,
)
from bankcrm.offers import service
from bankcrm.offers.models import Sale
from bankcrm.offers.pages import refusal_text
from bankcrm.offers.schemas import RefusalRead
from bankcrm.offers.suitability import (
    Investor,
    Offering,
    Seller,
    SuitabilityRules,
    judge,
)
from bankcrm.products.models import Product
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training.qualifications import load_shipped
from tests import factories
from tests.offers.conftest import BOLD_ANSWERS
from tests.timing import move_to_bank_day

RULES = SuitabilityRules(required_qualifications=load_shipped().required_by_risk)
BOLD = Investor(level=RiskLevel.C5, horizon_months=240)
QUALIFICATIONS = st.frozensets(st.sampled_from(["wealth_sales", "fund_sales", "other"]))


@given(st.sampled_from(ProductRisk), QUALIFICATIONS)
def test_the_seller_is_refused_exactly_when_the_level_needs_what_they_lack(
    risk: ProductRisk, held: frozenset[str]
) -> None:
    verdict = judge(BOLD, Offering(risk, ProductCategory.FUND), RULES, Seller(held))
    needs = risk in {ProductRisk.R3, ProductRisk.R4, ProductRisk.R5}
    refused = SuitabilityReason.SELLER_UNQUALIFIED in verdict.reasons
    assert refused == (needs and "wealth_sales" not in held)
    if refused:
        [refusal] = verdict.refusals
        assert (refusal.product, refusal.customer) == (risk.value, "wealth_sales")


def test_without_a_seller_or_a_requirement_the_gate_judges_only_the_customer() -> None:
    r4 = Offering(ProductRisk.R4, ProductCategory.FUND)
    assert judge(BOLD, r4, RULES).allowed
    assert judge(BOLD, r4, SuitabilityRules(), Seller()).allowed
    assert not judge(BOLD, r4, RULES, Seller()).allowed


# --- the sale --------------------------------------------------------------------------------


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _branch(session: Session) -> tuple[StaffUser, int, dict[ProductRisk, Product]]:
    """A seller with a C5 customer and a fund of each risk level."""
    branch = factories.branch(session)
    seller = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
    customer = factories.customer(session, branch_id=branch.id, manager_id=seller.id)
    customer.id_number = "310101198001010011"
    customer.birth_date = date(1980, 1, 1)
    funds = {
        risk: factories.product(session, category=ProductCategory.FUND, risk=risk)
        for risk in ProductRisk
    }
    session.flush()
    service.assess(
        session,
        user=seller,
        settings=OfferSettings(),
        customer_id=customer.id,
        answers=BOLD_ANSWERS,
        vulnerable=False,
    )
    return seller, customer.id, funds


def _sell(
    session: Session, seller: StaffUser, customer_id: int, product: Product, **request: object
) -> SaleStatus:
    sale = service.sell(
        session,
        user=seller,
        settings=OfferSettings(),
        request=service.SaleRequest(
            customer_id=customer_id,
            product_id=product.id,
            amount=Decimal(10_000),
            override_reason=request.get("override_reason"),  # type: ignore[arg-type]
            disclosure_confirmed=True,
            customer_confirmed=bool(request.get("customer_confirmed")),
        ),
        locale="en",
    )
    return sale.status


def _refusal(
    session: Session, seller: StaffUser, customer_id: int, product: Product, **request: object
) -> list[dict[str, str]]:
    with pytest.raises(service.SaleRefused) as refused:
        _sell(session, seller, customer_id, product, **request)
    return refused.value.reasons


def test_an_r3_sale_needs_a_valid_wealth_sales_certificate_on_the_day(
    db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    today = date(2026, 6, 15)
    move_to_bank_day(time_machine, today)
    seller, customer, funds = _branch(db)

    assert _refusal(db, seller, customer, funds[ProductRisk.R3]) == [
        {"reason": "seller_unqualified", "product": "R3", "customer": "wealth_sales"}
    ]
    # no override answers it, even one the customer signed
    answered = _refusal(
        db,
        seller,
        customer,
        funds[ProductRisk.R5],
        override_reason="客户坚持购买",
        customer_confirmed=True,
    )
    assert [each["reason"] for each in answered] == ["seller_unqualified"]
    # below R3 nothing is asked of the seller
    assert _sell(db, seller, customer, funds[ProductRisk.R2]) is SaleStatus.SUBSCRIBED

    # a certificate of another qualification does not do
    factories.certificate(db, holder=seller, qualification="fund_sales", issued_on=today)
    assert _refusal(db, seller, customer, funds[ProductRisk.R3])
    certificate = factories.certificate(
        db, holder=seller, issued_on=today - timedelta(days=365), expires_on=today
    )
    assert _sell(db, seller, customer, funds[ProductRisk.R3]) is SaleStatus.SUBSCRIBED
    assert _sell(db, seller, customer, funds[ProductRisk.R4]) is SaleStatus.SUBSCRIBED

    # the day after its expiry day it no longer qualifies
    move_to_bank_day(time_machine, today + timedelta(days=1))
    assert bank_today() > certificate.expires_on  # type: ignore[operator]
    assert _refusal(db, seller, customer, funds[ProductRisk.R3])[0]["reason"] == (
        "seller_unqualified"
    )
    sold = db.scalar(select(func.count(Sale.id)).where(Sale.sold_by_id == seller.id))
    assert sold == 3


def test_a_revoked_or_future_certificate_does_not_qualify(
    db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    today = date(2026, 6, 15)
    move_to_bank_day(time_machine, today)
    seller, customer, funds = _branch(db)
    revoked = factories.certificate(db, holder=seller, issued_on=date(2026, 1, 1))
    revoked.revoked_at = datetime(2026, 6, 1, tzinfo=UTC)
    factories.certificate(db, holder=seller, issued_on=today + timedelta(days=1))
    db.flush()
    assert _refusal(db, seller, customer, funds[ProductRisk.R4])[0]["reason"] == (
        "seller_unqualified"
    )


def test_a_bank_that_keeps_no_qualification_records_turns_the_check_off(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANKCRM_TRAINING__ENFORCE_QUALIFICATIONS", "false")
    reset_caches()
    seller, customer, funds = _branch(db)
    assert _sell(db, seller, customer, funds[ProductRisk.R5]) is SaleStatus.SUBSCRIBED


def test_the_sales_desk_names_the_missing_qualification_in_the_readers_words() -> None:
    refused = RefusalRead(
        reason=SuitabilityReason.SELLER_UNQUALIFIED, product="R3", customer="wealth_sales"
    )
    assert refusal_text(refused, "en") == (
        "Selling a product of risk level R3 needs a valid Wealth product sales qualification "
        "certificate, which you do not hold today: a qualified colleague must make the sale."
    )
