"""The incentive desk: the small bank's main branch with four scored account managers in
the worked example of ``docs/staffing.md``, and a sale of one of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import ProductRisk, Role, SaleStatus
from bankcrm.offers.models import Sale
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance.models import KpiMonth
from tests import factories
from tests.small_bank import SmallBank

MONTH = date(2026, 11, 1)


@dataclass
class Desk:
    """The small bank's main branch with four scored account managers (the worked example:
    A capped, C below the volume threshold) and a sale of A's to their customer."""

    people: dict[str, int]
    """A, B, C, D: staff ids."""
    branch_id: int
    product_id: int
    customer_id: int
    other_customer_id: int
    sale_id: int
    quality_officer: str
    other_branch_manager: str


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _staff(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def _kpi(session: Session, staff: StaffUser, score: float, volume: float) -> None:
    session.add(
        KpiMonth(
            staff_id=staff.id,
            branch_id=staff.branch_id,
            month=MONTH,
            role=staff.role.value,
            figures={"volume": volume * 1_000_000},
            targets={"volume": 1_000_000},
            weights={"volume": 1.0},
            attainment={"volume": volume},
            score=score,
            rank=None,
            ranked_among=None,
            computed_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        )
    )


@pytest.fixture
def desk(small_bank: SmallBank, db: Session) -> Desk:
    a = _staff(db, small_bank.manager_a)
    b = _staff(db, small_bank.manager_b)
    c = factories.staff(db, role=Role.ACCOUNT_MANAGER, branch_id=small_bank.branch_id)
    d = factories.staff(db, role=Role.ACCOUNT_MANAGER, branch_id=small_bank.branch_id)
    branch_manager = _staff(db, small_bank.branch_manager)
    for person, score, volume in ((a, 1.2, 2.0), (b, 1.0, 1.0), (c, 0.9, 0.6), (d, 0.9, 0.9)):
        _kpi(db, person, score, volume)
    # The branch manager's own KPI month is not in the account managers' pool.
    _kpi(db, branch_manager, 1.5, 1.5)
    fund = factories.product(db, risk=ProductRisk.R4)
    sold_at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    sale = Sale(
        customer_id=small_bank.book_a[0],
        product_id=fund.id,
        branch_id=small_bank.branch_id,
        amount_cents=50_000_000,
        status=SaleStatus.SUBSCRIBED,
        sold_by_id=a.id,
        sold_at=sold_at,
        product_risk=ProductRisk.R4,
        mismatch=[],
        disclosure_confirmed_at=sold_at,
    )
    db.add(sale)
    quality_officer = factories.staff(db, role=Role.QUALITY_OFFICER)
    other_branch = factories.branch(db, name="苏州分行")
    elsewhere = factories.staff(db, role=Role.BRANCH_MANAGER, branch_id=other_branch.id)
    db.flush()
    made = Desk(
        people={"A": a.id, "B": b.id, "C": c.id, "D": d.id},
        branch_id=small_bank.branch_id,
        product_id=fund.id,
        customer_id=small_bank.book_a[0],
        other_customer_id=small_bank.book_a[1],
        sale_id=sale.id,
        quality_officer=quality_officer.username,
        other_branch_manager=elsewhere.username,
    )
    db.commit()
    return made
