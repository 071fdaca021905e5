"""The prospect pipeline's REST endpoints, under ``/api/v1/prospects``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.campaigns.prospects import service
from bankcrm.campaigns.prospects.schemas import (
    FeeAdvance,
    FollowUpComplete,
    FollowUpCreate,
    FollowUpRead,
    FunnelRead,
    ObjectionCreate,
    ObjectionRead,
    ProspectCreate,
    ProspectDetail,
    ProspectRead,
    ProspectUpdate,
    StageMove,
)
from bankcrm.core.enums import ProspectStage
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.web.deps import DbSession, ProspectsRead, ProspectsWork
from bankcrm.web.locale import request_locale

router = APIRouter(prefix="/prospects", tags=["prospects"])


@router.get("", response_model=list[ProspectRead])
def list_prospects(
    session: DbSession,
    user: ProspectsWork,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    stage: ProspectStage | None = None,
) -> list[ProspectRead]:
    """The prospects the caller sees (their own; a branch manager's branch), of one owner or
    in one stage when asked."""
    return service.list_prospects(session, user=user, owner_id=owner_id, stage=stage)


@router.post("", response_model=ProspectRead, status_code=201)
def create_prospect(session: DbSession, user: ProspectsWork, body: ProspectCreate) -> ProspectRead:
    """Open a prospect in the ``identify`` stage."""
    return service.create_prospect(session, user=user, data=body)


@router.get("/funnel", response_model=FunnelRead)
def funnel(
    session: DbSession,
    user: ProspectsRead,
    branch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> FunnelRead:
    """Prospects per stage reached and the conversion from stage to stage."""
    return service.funnel(session, user=user, branch_id=branch_id)


@router.get("/{prospect_id}", response_model=ProspectDetail)
def get_prospect(
    request: Request, session: DbSession, user: ProspectsWork, prospect_id: RowId
) -> ProspectDetail:
    """The prospect with its moves, objections (and the handbook's answers) and follow-ups."""
    return service.get_prospect(
        session, user=user, prospect_id=prospect_id, locale=request_locale(request)
    )


@router.patch("/{prospect_id}", response_model=ProspectRead)
def update_prospect(
    session: DbSession, user: ProspectsWork, prospect_id: RowId, body: ProspectUpdate
) -> ProspectRead:
    """Change the fields given; a stale ``version`` is refused (409)."""
    return service.update_prospect(session, user=user, prospect_id=prospect_id, data=body)


@router.post("/{prospect_id}/stage", response_model=ProspectRead)
def move_stage(
    session: DbSession, user: ProspectsWork, prospect_id: RowId, body: StageMove
) -> ProspectRead:
    """Move the prospect to another stage; a move the pipeline does not allow is 409."""
    return service.move_stage(session, user=user, prospect_id=prospect_id, data=body)


@router.post("/{prospect_id}/fee-flow", response_model=ProspectRead)
def advance_fee_flow(
    session: DbSession, user: ProspectsWork, prospect_id: RowId, body: FeeAdvance
) -> ProspectRead:
    """Take the fee-based business flow one step on (the fee is quoted at the quotation)."""
    return service.advance_fee_flow(session, user=user, prospect_id=prospect_id, data=body)


@router.post("/{prospect_id}/objections", response_model=ObjectionRead, status_code=201)
def add_objection(
    request: Request,
    session: DbSession,
    user: ProspectsWork,
    prospect_id: RowId,
    body: ObjectionCreate,
) -> ObjectionRead:
    return service.add_objection(
        session,
        user=user,
        prospect_id=prospect_id,
        data=body,
        locale=request_locale(request),
    )


@router.post("/{prospect_id}/follow-ups", response_model=FollowUpRead, status_code=201)
def add_follow_up(
    session: DbSession, user: ProspectsWork, prospect_id: RowId, body: FollowUpCreate
) -> FollowUpRead:
    """Plan a follow-up; a task reminds the prospect's owner on its day."""
    return service.add_follow_up(session, user=user, prospect_id=prospect_id, data=body)


@router.post("/{prospect_id}/follow-ups/{follow_up_id}/complete", response_model=FollowUpRead)
def complete_follow_up(
    session: DbSession,
    user: ProspectsWork,
    prospect_id: RowId,
    follow_up_id: RowId,
    body: FollowUpComplete,
) -> FollowUpRead:
    """Record that the follow-up took place; its task is closed."""
    return service.complete_follow_up(
        session, user=user, prospect_id=prospect_id, follow_up_id=follow_up_id, data=body
    )
