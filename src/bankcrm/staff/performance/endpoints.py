"""The REST endpoints of KPIs, scores and ranks, under ``/api/v1/performance``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.pagination import RowId
from bankcrm.staff.performance import indicators, service
from bankcrm.staff.performance.schemas import BranchRollup, KpiMonthRead, StaffTrend
from bankcrm.web.deps import DbSession, PerformanceRead

router = APIRouter(prefix="/performance", tags=["performance"])

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM")]


@router.get("/months", response_model=list[KpiMonthRead])
def list_months(
    session: DbSession, user: PerformanceRead, month: MonthQuery = None
) -> list[KpiMonthRead]:
    """The month's KPIs the caller sees (their own; a branch manager's branch), by role and
    best score first; the last full month when none is given."""
    chosen = indicators.parse_month(month) if month else service.default_month()
    return service.list_months(session, user=user, month=chosen)


@router.get("/staff/{staff_id}", response_model=StaffTrend)
def staff_trend(
    session: DbSession,
    user: PerformanceRead,
    staff_id: RowId,
    months: Annotated[int, Query(ge=1, le=service.MAX_TREND_MONTHS)] = 12,
) -> StaffTrend:
    """One person's KPIs over their last months, oldest first."""
    return service.staff_trend(session, user=user, staff_id=staff_id, months=months)


@router.get("/branches/{branch_id}", response_model=BranchRollup)
def branch_rollup(
    session: DbSession, user: PerformanceRead, branch_id: RowId, month: MonthQuery = None
) -> BranchRollup:
    """The branch's month: totals and means per indicator, and the ranking."""
    chosen = indicators.parse_month(month) if month else service.default_month()
    return service.branch_rollup(session, user=user, branch_id=branch_id, month=chosen)
