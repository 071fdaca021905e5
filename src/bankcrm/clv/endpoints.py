from __future__ import annotations

from fastapi import APIRouter

from bankcrm.clv import service
from bankcrm.clv.schemas import ClvByQuadrantRead, ClvValidationRead, CustomerValueRead
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import RowId
from bankcrm.web.deps import AnalyticsRead, DbSession

router = APIRouter(tags=["lifetime value"])


@router.get("/customers/{customer_id}/value", response_model=CustomerValueRead)
def customer_value(
    session: DbSession, user: AnalyticsRead, customer_id: RowId
) -> CustomerValueRead:
    """The customer's P(alive), expected transactions and spend, and CLV (latest valuation)."""
    return service.customer_value(session, user=user, customer_id=customer_id)


@router.get("/clv/by-quadrant", response_model=ClvByQuadrantRead)
def by_quadrant(
    session: DbSession, user: AnalyticsRead, as_of: Day | None = None
) -> ClvByQuadrantRead:
    """CLV and mean P(alive) per quadrant of the customers the caller may see."""
    return service.value_by_quadrant(session, user=user, as_of=as_of)


@router.get("/clv/validation", response_model=ClvValidationRead)
def validation(
    session: DbSession, user: AnalyticsRead, as_of: Day | None = None
) -> ClvValidationRead:
    """The models' parameters and their holdout check: expected against actual transactions
    by frequency bucket and cumulatively over time."""
    return service.clv_validation(session, as_of=as_of)
