"""A computed incentive pool for last month at a branch, planted for the tests that need
one (the access matrix): one account manager scored, their statement drafted."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.staff.incentives import service
from bankcrm.staff.incentives.schemas import PoolCreate
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance.models import KpiMonth


def last_month() -> str:
    today = clock.bank_today()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}-01"


def plant_pool(
    session: Session, *, branch_manager: StaffUser, account_manager: StaffUser
) -> tuple[int, int]:
    """(pool id, the account manager's statement id) of a draft pool of ¥50,000."""
    assert branch_manager.branch_id is not None
    data = PoolCreate.model_validate(
        {"branch_id": branch_manager.branch_id, "month": last_month(), "amount": Decimal(50_000)},
        strict=False,
    )
    session.add(
        KpiMonth(
            staff_id=account_manager.id,
            branch_id=account_manager.branch_id,
            month=data.month,
            role=account_manager.role.value,
            figures={"volume": 900_000.0},
            targets={"volume": 1_000_000.0},
            weights={"volume": 1.0},
            attainment={"volume": 0.9},
            score=0.9,
            rank=1,
            ranked_among=1,
            computed_at=clock.utcnow(),
        )
    )
    session.flush()
    pool = service.create_pool(session, user=branch_manager, data=data)
    (statement,) = service.list_statements(session, user=account_manager, pool_id=pool.id)
    return pool.id, statement.id
