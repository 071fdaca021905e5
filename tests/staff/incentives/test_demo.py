"""The demo's pools: last month's pool of each branch with scored staff, approved in the
branch with the most people in its pool."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.demo.incentives_desk import open_demo_pools
from bankcrm.staff.incentives import service
from bankcrm.staff.models import StaffUser
from tests.small_bank import SmallBank
from tests.staff.incentives.conftest import Desk


def _user(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def test_the_demo_opens_and_approves_last_months_pools(
    small_bank: SmallBank, desk: Desk, db: Session
) -> None:
    manager = _user(db, small_bank.branch_manager)
    elsewhere = _user(db, desk.other_branch_manager)
    assert elsewhere.branch_id is not None
    written = open_demo_pools(
        db,
        today=date(2026, 12, 6),
        approver_by_branch={desk.branch_id: manager, elsewhere.branch_id: elsewhere},
    )
    db.commit()

    assert written == 4
    (pool,) = service.list_pools(db, user=manager, month=date(2026, 11, 1))
    assert pool.status == "approved"
    assert pool.amount == 32_000  # ¥8,000 for each of the four scored account managers
    assert pool.approved_by == manager.full_name
    # The other branch has no one scored last month: no pool.
    assert service.list_pools(db, user=elsewhere, month=None) == []
