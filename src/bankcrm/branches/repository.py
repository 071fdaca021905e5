from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch, BranchStaffingPlan
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.core.clock import as_utc
from bankcrm.core.enums import Role
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser

ROSTER_ROLES = (Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER)
"""Who of a branch's staff the counter roster names."""


def list_branches(session: Session) -> list[Branch]:
    return list(session.scalars(select(Branch).order_by(Branch.external_id)))


def get_branch(session: Session, branch_id: int) -> Branch | None:
    return session.get(Branch, branch_id)


def roster_staff(session: Session, branch_id: int) -> list[StaffUser]:
    """The branch's active account managers, then its branch managers, by user name."""
    statement = (
        select(StaffUser)
        .where(
            StaffUser.branch_id == branch_id,
            StaffUser.is_active.is_(True),
            StaffUser.role.in_(ROSTER_ROLES),
        )
        .order_by(StaffUser.role != Role.ACCOUNT_MANAGER, StaffUser.username)
    )
    return list(session.scalars(statement))


def get_plan(session: Session, branch_id: int, week_start: date) -> BranchStaffingPlan | None:
    statement = select(BranchStaffingPlan).where(
        BranchStaffingPlan.branch_id == branch_id, BranchStaffingPlan.week_start == week_start
    )
    return session.scalars(statement).first()


def _arrival_times(
    rows: ScopedRepository | SystemRepository, branch_id: int, since: datetime, until: datetime
) -> list[datetime]:
    statement = (
        rows.owned(QueueTicket, QueueTicket.arrived_at)
        .where(
            QueueTicket.branch_id == branch_id,
            QueueTicket.arrived_at >= since,
            QueueTicket.arrived_at < until,
        )
        .order_by(QueueTicket.arrived_at)
    )
    return [as_utc(moment) for moment in rows.session.scalars(statement)]


class BranchTicketRepository(ScopedRepository):
    """A branch's tickets as the viewer sees them: their own branch's, or every branch's for
    a role that sees the whole bank."""

    def arrival_times(self, *, branch_id: int, since: datetime, until: datetime) -> list[datetime]:
        """When each ticket of the branch in [since, until) was drawn (UTC), in order."""
        return _arrival_times(self, branch_id, since, until)


class BranchTicketSystemRepository(SystemRepository):
    """A branch's tickets for the weekly planning job, which plans every branch."""

    def arrival_times(self, *, branch_id: int, since: datetime, until: datetime) -> list[datetime]:
        return _arrival_times(self, branch_id, since, until)
