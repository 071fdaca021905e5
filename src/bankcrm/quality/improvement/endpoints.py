"""The improvement board, the promise register and the five-gap diagnosis over the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core import clock
from bankcrm.core.enums import ActionOrigin, ActionStage
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.quality.improvement import flows, service
from bankcrm.quality.improvement.schemas import (
    ActionCreate,
    ActionList,
    ActionRead,
    ActionUpdate,
    DiagnosisActionCreate,
    DiagnosisRead,
    PromiseCreate,
    PromiseList,
    PromiseRead,
    PromiseUpdate,
    StageMove,
)
from bankcrm.web.deps import DbSession, QualityInspect, QualityManage, QualityRead

router = APIRouter(prefix="/quality", tags=["quality"])

Locale = Annotated[str, Query(pattern="^(zh_CN|en)$")]


@router.get("/actions", response_model=ActionList)
def list_actions(
    session: DbSession,
    user: QualityRead,
    stage: ActionStage | None = None,
    origin: ActionOrigin | None = None,
    branch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    mine: bool = False,
    overdue: bool = False,
) -> ActionList:
    """Improvement actions, earliest due first; ``mine`` keeps the caller's own, ``overdue``
    the unfinished ones past their due date."""
    items = service.list_actions(
        session,
        user=user,
        stage=stage,
        origin=origin,
        branch_id=branch_id,
        mine=mine,
        overdue=overdue,
    )
    return ActionList(items=items)


@router.post("/actions", response_model=ActionRead, status_code=201)
def create_action(session: DbSession, user: QualityManage, body: ActionCreate) -> ActionRead:
    """Put an action in the plan column. An action from a complaint names the complaint,
    one from an inspection the inspection, one from a gap the gap."""
    return service.add_action(session, user=user, **dict(body))


@router.get("/actions/{action_id}", response_model=ActionRead)
def read_action(session: DbSession, user: QualityRead, action_id: RowId) -> ActionRead:
    return service.get_action(session, action_id=action_id)


@router.patch("/actions/{action_id}", response_model=ActionRead)
def update_action(
    session: DbSession, user: QualityInspect, action_id: RowId, body: ActionUpdate
) -> ActionRead:
    """Change due date, description or (before the check) the metric: the owner or a
    quality officer (403 for anyone else); handing the action over takes a quality officer.
    A stale ``version`` is a 409."""
    return service.update_action(session, user=user, action_id=action_id, **dict(body))


@router.post("/actions/{action_id}/stage", response_model=ActionRead)
def move_stage(
    session: DbSession, user: QualityInspect, action_id: RowId, body: StageMove
) -> ActionRead:
    """Move the action to its next PDCA stage: its owner or a quality officer (403 for
    anyone else). Moving to
    ``check`` takes ``metric_after`` and judges the action's effect; from ``act`` an
    effective action is closed, an ineffective one starts again at ``plan``. A move the
    stage does not allow, or a stale ``version``, is a 409."""
    return service.move_stage(session, user=user, action_id=action_id, **dict(body))


@router.get("/promises", response_model=PromiseList)
def list_promises(session: DbSession, user: QualityRead) -> PromiseList:
    """The service promises the bank's communication makes, with what was delivered."""
    return PromiseList(items=service.list_promises(session))


@router.post("/promises", response_model=PromiseRead, status_code=201)
def create_promise(session: DbSession, user: QualityManage, body: PromiseCreate) -> PromiseRead:
    return service.create_promise(session, user=user, **dict(body))


@router.patch("/promises/{promise_id}", response_model=PromiseRead)
def update_promise(
    session: DbSession, user: QualityManage, promise_id: RowId, body: PromiseUpdate
) -> PromiseRead:
    """Change a promise or record what was delivered (with the day it was measured)."""
    return service.update_promise(session, user=user, promise_id=promise_id, **dict(body))


@router.get("/diagnosis", response_model=DiagnosisRead)
def read_diagnosis(
    session: DbSession, user: QualityRead, locale: Locale = "zh_CN"
) -> DiagnosisRead:
    """The five gaps: open ones ranked by severity with their evidence, weakest element and
    the control methods; then the closed and the unknown (no data) ones."""
    report = flows.diagnose(session, user=user, today=clock.bank_today())
    return flows.diagnosis_read(report, locale=locale)


@router.post("/diagnosis/actions", response_model=ActionRead, status_code=201)
def create_diagnosis_action(
    session: DbSession, user: QualityManage, body: DiagnosisActionCreate, locale: Locale = "zh_CN"
) -> ActionRead:
    """A PDCA action prefilled from an open gap's finding (title, owner, metric, control
    methods in ``locale``). An unknown gap is a 422, a closed one a 409."""
    action = flows.create_gap_action(
        session, user=user, gap=body.gap, today=clock.bank_today(), locale=locale
    )
    return service.get_action(session, action_id=action.id)
