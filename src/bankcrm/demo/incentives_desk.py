"""The demo's incentive pools: last month's pool of every branch that has a branch manager
and scored staff, computed from the month's KPI scores (with any clawbacks of unsuitable
sales the demo's complaints call for), and approved in the demo's main branch so the pages
show a frozen month beside drafts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.staff.incentives import service as incentives_service
from bankcrm.staff.incentives.schemas import PoolApprove, PoolCreate
from bankcrm.staff.models import StaffUser

POOL_PER_PERSON = Decimal(8_000)
"""Yuan in a branch's monthly pool for each member of staff it splits among."""


def last_month(today: date) -> date:
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def open_demo_pools(
    session: Session, *, today: date, approver_by_branch: Mapping[int, StaffUser]
) -> int:
    """Open, compute and (in the main branch: the one with the most people in its pool)
    approve last month's pool of each branch whose manager is given; the statements
    written."""
    month = last_month(today)
    written: dict[int, tuple[int, int]] = {}
    for branch_id, manager in sorted(approver_by_branch.items()):
        scored = len(
            incentives_service.scored_staff(session, user=manager, branch_id=branch_id, month=month)
        )
        if not scored:
            continue
        pool = incentives_service.create_pool(
            session,
            user=manager,
            data=PoolCreate(branch_id=branch_id, month=month, amount=POOL_PER_PERSON * scored),
        )
        written[branch_id] = (pool.id, pool.statements)
    if not written:
        return 0
    main = max(written, key=lambda branch_id: (written[branch_id][1], -branch_id))
    pool_id = written[main][0]
    current = incentives_service.get_pool(session, user=approver_by_branch[main], pool_id=pool_id)
    incentives_service.approve_pool(
        session,
        user=approver_by_branch[main],
        pool_id=pool_id,
        data=PoolApprove(version=current.version),
    )
    return sum(statements for _, statements in written.values())
