from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.config import get_settings
from bankcrm.core.enums import CustomerType, Quadrant
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.segmentation import service
from bankcrm.segmentation.schemas import (
    CustomerSegmentRead,
    MigrationRead,
    SegmentCustomerPage,
    SegmentPointsRead,
    SegmentSummaryRead,
)
from bankcrm.web.deps import AnalyticsRead, DbSession

router = APIRouter(tags=["segments"])

Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/segments/summary", response_model=SegmentSummaryRead)
def summary(
    session: DbSession,
    user: AnalyticsRead,
    as_of: Day | None = None,
    customer_type: CustomerType | None = None,
    branch_id: Id = None,
    manager_id: Id = None,
) -> SegmentSummaryRead:
    """Quadrant counts and volume, Gini, top-20 % share and Lorenz curve of a run (default the
    latest), over the customers the caller may see."""
    return service.segment_summary(
        session,
        user=user,
        as_of=as_of,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
    )


@router.get("/segments/points", response_model=SegmentPointsRead)
def points(
    session: DbSession,
    user: AnalyticsRead,
    as_of: Day | None = None,
    customer_type: CustomerType | None = None,
    branch_id: Id = None,
    manager_id: Id = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 3_000,
) -> SegmentPointsRead:
    """Customers on the matrix (an even sample above ``limit``)."""
    return service.segment_points(
        session,
        user=user,
        as_of=as_of,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        limit=limit,
    )


@router.get("/segments/customers", response_model=SegmentCustomerPage)
def customers(
    session: DbSession,
    user: AnalyticsRead,
    as_of: Day | None = None,
    quadrant: Quadrant | None = None,
    customer_type: CustomerType | None = None,
    branch_id: Id = None,
    manager_id: Id = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> SegmentCustomerPage:
    """The customers of a quadrant, largest business volume first."""
    return service.segment_customers(
        session,
        user=user,
        as_of=as_of,
        quadrant=quadrant,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        page=page,
        page_size=page_size,
    )


@router.get("/segments/migration", response_model=MigrationRead)
def migration(
    session: DbSession,
    user: AnalyticsRead,
    from_as_of: Annotated[Day | None, Query(alias="from")] = None,
    to_as_of: Annotated[Day | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MigrationRead:
    """The transition matrix between two runs (default the last two) and the downgrades."""
    return service.segment_migration(
        session,
        user=user,
        settings=get_settings(),
        from_as_of=from_as_of,
        to_as_of=to_as_of,
        limit=limit,
    )


@router.get("/customers/{customer_id}/segment", response_model=CustomerSegmentRead)
def customer_segment(
    session: DbSession, user: AnalyticsRead, customer_id: RowId
) -> CustomerSegmentRead:
    """The customer's quadrant, tier, RFM, stage and seven factors in the latest run."""
    return service.customer_segment(session, user=user, customer_id=customer_id)
