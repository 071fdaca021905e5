"""The REST endpoints of incentive pools and statements, under ``/api/v1/incentives``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from bankcrm.core.pagination import RowId
from bankcrm.staff.incentives import export, service
from bankcrm.staff.incentives.schemas import PoolApprove, PoolCreate, PoolRead, StatementRead
from bankcrm.web.deps import DbSession, IncentivesManage, IncentivesRead
from bankcrm.web.locale import request_locale

router = APIRouter(prefix="/incentives", tags=["incentives"])

MonthQuery = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}(-\d{2})?$", description="YYYY-MM or a day of it")
]


@router.get("/pools", response_model=list[PoolRead])
def list_pools(
    session: DbSession, user: IncentivesRead, month: MonthQuery = None
) -> list[PoolRead]:
    """The pools of the branches the caller sees whole (a branch manager theirs)."""
    return service.list_pools(session, user=user, month=service.parse_month(month))


@router.post("/pools", response_model=PoolRead, status_code=201)
def create_pool(session: DbSession, user: IncentivesManage, body: PoolCreate) -> PoolRead:
    """Open the branch's pool for the month and compute its statements (branch manager)."""
    return service.create_pool(session, user=user, data=body)


@router.post("/pools/{pool_id}/compute", response_model=PoolRead)
def compute_pool(session: DbSession, user: IncentivesManage, pool_id: RowId) -> PoolRead:
    """Recompute a draft pool from the KPI months as they are now; an approved one is 409."""
    return service.compute_pool(session, user=user, pool_id=pool_id)


@router.post("/pools/{pool_id}/approve", response_model=PoolRead)
def approve_pool(
    session: DbSession, user: IncentivesManage, pool_id: RowId, body: PoolApprove
) -> PoolRead:
    """Approve the version the caller saw; a stale ``version`` or a second approval is 409."""
    return service.approve_pool(session, user=user, pool_id=pool_id, data=body)


@router.get("/statements", response_model=list[StatementRead])
def list_statements(
    session: DbSession, user: IncentivesRead, month: MonthQuery = None
) -> list[StatementRead]:
    """The caller's statements; a branch manager's branch's; the admin's all."""
    return service.list_statements(session, user=user, month=service.parse_month(month))


@router.get("/statements/{statement_id}", response_model=StatementRead)
def get_statement(session: DbSession, user: IncentivesRead, statement_id: RowId) -> StatementRead:
    return service.get_statement(session, user=user, statement_id=statement_id)


@router.get(
    "/statements/{statement_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {export.XLSX_MEDIA_TYPE: {}}}},
)
def export_statement(
    request: Request, session: DbSession, user: IncentivesRead, statement_id: RowId
) -> Response:
    """The statement as an Excel workbook, in the caller's language."""
    locale = request_locale(request)
    statement = service.get_statement(session, user=user, statement_id=statement_id)
    return Response(
        export.workbook(statement, locale),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=export.attachment(statement),
    )
