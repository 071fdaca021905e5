"""A few weeks of a branch's queue tickets, planted as the demo plants them, and the plan
of the coming week computed from them: what tests of the staffing pages and API start from."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bankcrm.branches import service
from bankcrm.branches.models import BranchStaffingPlan
from bankcrm.core.clock import bank_today
from bankcrm.core.config import get_settings
from bankcrm.demo.branch_desk import QueueBranch, QueueHistorySystemRepository, queue_history

WEEKS = 3


def plant_recent_tickets(
    session: Session, branch_id: int, *, counters: int = 3, seed: int = 5
) -> int:
    """Tickets of the last three weeks up to yesterday; how many."""
    today = bank_today()
    branch = QueueBranch(
        branch_id=branch_id,
        counters=counters,
        staff_ids=(),
        daily_mean=24.0 * counters,
        yearly_growth=0.0,
        sunday_open=False,
    )
    (tickets,) = queue_history(
        [branch],
        first=today - timedelta(days=7 * WEEKS),
        last=today - timedelta(days=1),
        holidays=(),
        seed=seed,
        zone=ZoneInfo(get_settings().timezone),
    )
    return QueueHistorySystemRepository(session).add_tickets(tickets)


def plan_next_week(session: Session, branch_id: int) -> BranchStaffingPlan:
    """Recent tickets at the branch and next week's plan from them."""
    plant_recent_tickets(session, branch_id)
    return service.plan_week(session, branch_id, service.next_week())
