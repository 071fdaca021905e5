"""The marketing plan REST endpoints (``/api/v1/marketing-plans``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bankcrm.campaigns.planning import export, service
from bankcrm.campaigns.planning.schemas import (
    PlanCreate,
    PlanDecision,
    PlanRead,
    PlanSummaryRead,
    PlanUpdate,
)
from bankcrm.core.pagination import RowId
from bankcrm.web.deps import CampaignsApprove, CampaignsDesign, CampaignsRead, DbSession
from bankcrm.web.locale import request_locale

router = APIRouter(prefix="/marketing-plans", tags=["marketing plans"])


@router.get("", response_model=list[PlanSummaryRead])
def list_plans(session: DbSession, user: CampaignsRead) -> list[PlanSummaryRead]:
    """The newest version of every plan the caller may see."""
    return service.list_plans(session, user=user)


@router.post("", response_model=PlanRead, status_code=201)
def create_plan(
    request: Request, session: DbSession, user: CampaignsDesign, body: PlanCreate
) -> PlanRead:
    """A new plan as a draft: bank-wide, or for one branch (``branch_id``)."""
    return service.create_plan(session, user=user, data=body, locale=request_locale(request))


@router.get("/{plan_id}", response_model=PlanRead)
def get_plan(request: Request, session: DbSession, user: CampaignsRead, plan_id: RowId) -> PlanRead:
    """The plan version with its sections, rows, the four budget methods and the actual
    spend of its campaigns."""
    return service.get_plan(session, user=user, plan_id=plan_id, locale=request_locale(request))


@router.patch("/{plan_id}", response_model=PlanRead)
def update_plan(
    request: Request, session: DbSession, user: CampaignsDesign, plan_id: RowId, body: PlanUpdate
) -> PlanRead:
    """Change a draft or returned plan (the version seen is required: a stale one is 409).
    Changing an approved plan makes its next version, a draft, and answers with that."""
    return service.update_plan(
        session, user=user, plan_id=plan_id, data=body, locale=request_locale(request)
    )


@router.post("/{plan_id}/submit", response_model=PlanRead)
def submit_plan(
    request: Request, session: DbSession, user: CampaignsDesign, plan_id: RowId, body: PlanDecision
) -> PlanRead:
    return service.submit(
        session, user=user, plan_id=plan_id, version=body.version, locale=request_locale(request)
    )


@router.post("/{plan_id}/approve", response_model=PlanRead)
def approve_plan(
    request: Request,
    session: DbSession,
    user: CampaignsApprove,
    plan_id: RowId,
    body: PlanDecision,
) -> PlanRead:
    """Approve a submitted plan, freezing this version; never by its author."""
    return service.decide(
        session,
        user=user,
        plan_id=plan_id,
        data=body,
        approve=True,
        locale=request_locale(request),
    )


@router.post("/{plan_id}/return", response_model=PlanRead)
def return_plan(
    request: Request,
    session: DbSession,
    user: CampaignsApprove,
    plan_id: RowId,
    body: PlanDecision,
) -> PlanRead:
    """Send a submitted plan back to its author with a reason (``reason`` is required)."""
    return service.decide(
        session,
        user=user,
        plan_id=plan_id,
        data=body,
        approve=False,
        locale=request_locale(request),
    )


@router.get(
    "/{plan_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {export.XLSX_MEDIA_TYPE: {}}}},
)
def export_workbook(
    request: Request, session: DbSession, user: CampaignsRead, plan_id: RowId
) -> Response:
    locale = request_locale(request)
    plan = service.get_plan(session, user=user, plan_id=plan_id, locale=locale)
    return Response(
        export.workbook(plan, locale),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=export.attachment(plan, "xlsx"),
    )


@router.get(
    "/{plan_id}/export.pdf",
    response_class=Response,
    responses={200: {"content": {export.PDF_MEDIA_TYPE: {}}}},
)
def export_pdf(
    request: Request, session: DbSession, user: CampaignsRead, plan_id: RowId
) -> Response:
    locale = request_locale(request)
    plan = service.get_plan(session, user=user, plan_id=plan_id, locale=locale)
    return Response(
        export.pdf(plan, locale),
        media_type=export.PDF_MEDIA_TYPE,
        headers=export.attachment(plan, "pdf"),
    )
