from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.churn import service
from bankcrm.churn.schemas import ChurnScoreRead, ChurnWarningPage, RiskGroup
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.web.deps import AnalyticsRead, DbSession
from bankcrm.web.locale import request_locale

router = APIRouter(tags=["churn"])

Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/churn/warnings", response_model=ChurnWarningPage)
def warnings(
    request: Request,
    session: DbSession,
    user: AnalyticsRead,
    as_of: Day | None = None,
    manager_id: Id = None,
    branch_id: Id = None,
    group: RiskGroup | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> ChurnWarningPage:
    """Customers above the warning threshold with their reasons and diagnosis: the still
    active first (early warnings), then the lapsed (win-back), each ranked by probability ×
    lifetime value; ``group=active`` or ``group=lapsed`` keeps one list. An account manager
    sees their own book."""
    return service.churn_warnings(
        session,
        user=user,
        locale=request_locale(request),
        as_of=as_of,
        manager_id=manager_id,
        branch_id=branch_id,
        group=group,
        page=page,
        page_size=page_size,
    )


@router.get("/customers/{customer_id}/churn", response_model=ChurnScoreRead)
def customer_churn(
    request: Request,
    session: DbSession,
    user: AnalyticsRead,
    customer_id: RowId,
) -> ChurnScoreRead:
    """The customer's churn probability, reasons and before/after diagnosis."""
    return service.customer_churn(
        session, user=user, customer_id=customer_id, locale=request_locale(request)
    )
