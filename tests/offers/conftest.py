"""A branch that sells: managers, a branch manager, compliance, an analyst, a shelf of products
from R1 to R5 and customers whose identity is verified."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import ProductCategory, ProductRisk, Role
from bankcrm.main import create_app
from bankcrm.products.models import Product
from tests import factories

BOLD_ANSWERS = {
    "age": "age_31_50",
    "household_income": "above_1m",
    "investable_share": "above_50_percent",
    "investment_experience": "derivatives_and_private",
    "experience_years": "over_10_years",
    "financial_knowledge": "professional",
    "investment_horizon": "over_5_years",
    "investment_goal": "fast_growth",
    "maximum_loss": "over_50_percent",
    "drawdown_reaction": "buy_more",
}
"""C5, growth, 120 months."""
CAUTIOUS_ANSWERS = {
    "age": "age_over_70",
    "household_income": "below_50k",
    "investable_share": "below_10_percent",
    "investment_experience": "deposits_only",
    "experience_years": "none",
    "financial_knowledge": "little",
    "investment_horizon": "within_1_year",
    "investment_goal": "keep_principal",
    "maximum_loss": "no_loss",
    "drawdown_reaction": "sell_all",
}
"""C1, preservation, 12 months."""


@dataclass
class SellingBranch:
    seller: str
    seller_id: int
    other_seller: str
    branch_manager: str
    other_branch_manager: str
    compliance: str
    analyst: str
    customers: list[int]
    unverified_customer: int
    other_book_customer: int
    deposit: int
    wealth_r2: int
    wealth_r3_long: int
    fund_r4: int
    fund_r5: int


def _product(
    session: Session,
    *,
    category: ProductCategory,
    risk: ProductRisk,
    term_months: int | None,
    minimum_cents: int | None = None,
) -> Product:
    row = factories.product(session, category=category, risk=risk)
    row.term_months = term_months
    row.min_amount_cents = minimum_cents
    row.fab_feature_zh, row.fab_feature_en = "特点", "Feature"
    row.fab_advantage_zh, row.fab_advantage_en = "优势", "Advantage"
    row.fab_benefit_zh, row.fab_benefit_en = "利益", "Benefit"
    return row


@pytest.fixture
def selling_branch(app_settings: str) -> SellingBranch:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        main = factories.branch(session)
        other = factories.branch(session, name="杭州分行")
        seller = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        other_seller = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        for qualified in (seller, other_seller):
            factories.certificate(session, holder=qualified)
        branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        other_branch_manager = factories.staff(
            session, role=Role.BRANCH_MANAGER, branch_id=other.id
        )
        compliance = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
        customers = []
        for index in range(4):
            row = factories.customer(session, branch_id=main.id, manager_id=seller.id)
            row.id_number = f"31010119800101{index:03d}X"
            row.birth_date = date(1980, 1, 1)
            customers.append(row.id)
        unverified = factories.customer(session, branch_id=main.id, manager_id=seller.id)
        other_book = factories.customer(session, branch_id=main.id, manager_id=other_seller.id)
        other_book.id_number = "310101198001019999"
        shelf = {
            "deposit": _product(
                session, category=ProductCategory.DEPOSIT, risk=ProductRisk.R1, term_months=12
            ),
            "wealth_r2": _product(
                session,
                category=ProductCategory.WEALTH,
                risk=ProductRisk.R2,
                term_months=6,
                minimum_cents=10_000_00,
            ),
            "wealth_r3_long": _product(
                session, category=ProductCategory.WEALTH, risk=ProductRisk.R3, term_months=36
            ),
            "fund_r4": _product(
                session, category=ProductCategory.FUND, risk=ProductRisk.R4, term_months=None
            ),
            "fund_r5": _product(
                session, category=ProductCategory.FUND, risk=ProductRisk.R5, term_months=None
            ),
        }
        session.flush()
        bank = SellingBranch(
            seller=seller.username,
            seller_id=seller.id,
            other_seller=other_seller.username,
            branch_manager=branch_manager.username,
            other_branch_manager=other_branch_manager.username,
            compliance=compliance.username,
            analyst=analyst.username,
            customers=customers,
            unverified_customer=unverified.id,
            other_book_customer=other_book.id,
            **{name: product.id for name, product in shelf.items()},
        )
        session.commit()
    engine.dispose()
    return bank


@pytest.fixture
def client(app_settings: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client
