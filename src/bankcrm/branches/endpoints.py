"""The REST endpoints of branch staffing plans, under ``/api/v1/branches``."""

from __future__ import annotations

from fastapi import APIRouter

from bankcrm.branches import service
from bankcrm.branches.schemas import StaffingPlanRead, StaffingRecompute
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import RowId
from bankcrm.web.deps import BranchOperationsRead, DbSession

router = APIRouter(prefix="/branches", tags=["branches"])


@router.get("/{branch_id}/staffing", response_model=StaffingPlanRead)
def get_staffing_plan(
    session: DbSession,
    user: BranchOperationsRead,
    branch_id: RowId,
    week: Day | None = None,
) -> StaffingPlanRead:
    """The stored counter plan of the week of ``week`` (next week when left out); 404 when
    none has been computed, or for a branch the caller does not see whole."""
    return service.get_plan(
        session, user=user, branch_id=branch_id, week_start=week or service.next_week()
    )


@router.post("/{branch_id}/staffing", response_model=StaffingPlanRead)
def recompute_staffing_plan(
    session: DbSession, user: BranchOperationsRead, branch_id: RowId, body: StaffingRecompute
) -> StaffingPlanRead:
    """Forecast, staff, check and roster the week of ``week_start`` again from the branch's
    tickets, replacing the stored plan; 422 with fewer than two weeks of tickets."""
    return service.recompute_plan(
        session, user=user, branch_id=branch_id, week_start=body.week_start
    )
