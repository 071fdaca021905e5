"""Pages of the improvement work: the five-gap diagnosis, the PDCA board, one action, promises."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import ActionOrigin, ActionStage, TargetDirection
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormName, FormText, parse_day
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality import gaps
from bankcrm.quality.improvement import flows, service
from bankcrm.quality.improvement.schemas import ActionRead, GapRead
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityInspect, PageQualityManage, PageQualityRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

Version = Annotated[int, Form(ge=1, le=MAX_ID)]
Short = Annotated[FormName, Form(max_length=200, pattern=STORABLE_TEXT)]
LongText = Annotated[FormText, Form(max_length=5000, pattern=STORABLE_TEXT)]
Typed = Annotated[str, Form(max_length=32)]
"""A number, date or id as typed; read by the handler so a typo comes back as a message."""
Ticked = Annotated[str, Form(max_length=8)]

STAGE_BADGES = {
    ActionStage.PLAN: "text-bg-secondary",
    ActionStage.DO: "text-bg-primary",
    ActionStage.CHECK: "text-bg-info",
    ActionStage.ACT: "text-bg-warning",
    ActionStage.CLOSED: "text-bg-success",
}
COLUMNS = tuple(STAGE_BADGES)
AUTO_ORIGINS = (ActionOrigin.GAP, ActionOrigin.INSPECTION)
"""Origins of actions the bank creates by itself; alike ones share a card on the board."""
EVIDENCE_SHOWN = 5
"""Rows of a gap's evidence table and actions under way shown before "more"."""
NEW_ORIGINS = (ActionOrigin.OTHER, ActionOrigin.COMPLAINT)
"""Origins an action typed in by hand may have; gap and inspection actions come from
their pages."""


CONFLICT = _(
    "Someone else changed this action, or the move is not possible from its stage. "
    "It is shown as it is now: check it and try again."
)
DENIED = _("Only the action's owner or a quality officer may change it.")
MAY_NOT = _("You may not do this.")


def _refused(
    session: Session,
    error: BankcrmError,
    show: Callable[..., Response],
    *,
    otherwise: str,
    conflict: str = CONFLICT,
    denied: str = DENIED,
) -> Response:
    """The page a form came from again, with why it was refused, under the error's status."""
    problem = refusal(session, error, conflict=conflict, denied=denied, otherwise=otherwise)
    return show(problem=problem, status_code=error.status_code)


def _show(
    request: Request,
    template: str,
    context: dict[str, Any],
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    context["problem"] = translated(problem, request_locale(request))
    return render(request, f"quality/improvement/{template}", context, status_code=status_code)


# --- the diagnosis ----------------------------------------------------------------------------


@router.get("/diagnosis", response_class=HTMLResponse)
def diagnosis_page(request: Request, session: DbSession, user: PageQualityRead) -> Response:
    """The open gaps ranked by severity with their evidence and control methods; closed
    and unknown gaps below."""
    return _render_diagnosis(request, session, user)


@router.post("/diagnosis/actions", response_class=HTMLResponse)
def create_from_diagnosis(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    gap: Annotated[int, Form(ge=-MAX_ID, le=MAX_ID)],
) -> Response:
    """One click: a PDCA action prefilled from the gap's finding, then its page."""
    try:
        action = flows.create_gap_action(
            session, user=user, gap=gap, today=clock.bank_today(), locale=request_locale(request)
        )
    except BankcrmError as error:
        return _refused(
            session,
            error,
            partial(_render_diagnosis, request, session, user),
            conflict=_("The gap is closed: there is nothing to act on."),
            denied=MAY_NOT,
            otherwise=_("No action was created for this gap."),
        )
    return RedirectResponse(f"/quality/actions/{action.id}", status_code=303)


def _render_diagnosis(
    request: Request, session: Session, user: StaffUser, **shown: Any
) -> Response:
    locale = request_locale(request)
    report = flows.diagnose(session, user=user, today=clock.bank_today())
    read = flows.diagnosis_read(report, locale=locale)
    working = flows.open_gap_actions(session)

    def view(gap: GapRead) -> dict[str, Any]:
        """The API's view of the gap, in words for the page (the evidence macro says its
        figures)."""
        return {
            **dict(gap),
            "methods": [method.text(locale) for method in report.controls[gap.gap].methods],
            "actions": working.get(gap.gap, []),
        }

    context: dict[str, Any] = {
        "open_gaps": [view(gap) for gap in read.open_gaps],
        "other_gaps": [view(gap) for gap in (*read.closed_gaps, *read.unknown_gaps)],
        "evidence": report.evidence,
        "item_label": partial(flows.weakest_label, report.evidence, 1, locale=locale),
        "dimension_name": partial(flows.dimension_name, report.evidence.instrument, locale=locale),
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "top": EVIDENCE_SHOWN,
    }
    return _show(request, "diagnosis.html", context, **shown)


# --- the board ----------------------------------------------------------------------------------


@router.get("/actions", response_class=HTMLResponse)
def board(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    stage: Annotated[str, Query(max_length=16)] = "",
    origin: Annotated[str, Query(max_length=16)] = "",
    branch_id: Annotated[str, Query(max_length=20)] = "",
    mine: Annotated[str, Query(max_length=8)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The PDCA board: a column per stage, filtered by stage, origin, branch, mine, overdue."""
    chosen_stage = ActionStage(stage) if stage in set(ActionStage) else None
    filters: dict[str, Any] = {
        "stage": chosen_stage,
        "origin": ActionOrigin(origin) if origin in set(ActionOrigin) else None,
        "branch_id": chosen_id(branch_id),
        "mine": bool(mine),
        "overdue": bool(overdue),
    }
    actions = service.list_actions(session, user=user, **filters)
    context: dict[str, Any] = {
        "columns": [
            _column(column, [action for action in actions if action.stage is column])
            for column in COLUMNS
            if chosen_stage in (None, column)
        ],
        "count": len(actions),
        "stages": list(ActionStage),
        "origins": list(ActionOrigin),
        "branches": service.branch_choices(session),
        "filters": filters,
        "stage_badges": STAGE_BADGES,
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
    }
    return render(request, "quality/improvement/board.html", context)


def _column(stage: ActionStage, cards: list[ActionRead]) -> dict[str, Any]:
    """A board column: cards grouped by branch, overdue first then by due day; actions the
    bank created alike (same origin, branch, standard, gap and title) are one card with a
    count. An empty column and the closed one start collapsed."""
    alike: dict[tuple[Any, ...], list[ActionRead]] = {}
    for card in sorted(cards, key=lambda card: (not card.overdue, card.due_on, card.id)):
        key = (card.origin, card.branch_id, card.standard_id, card.gap, card.title)
        alike.setdefault(key if card.origin in AUTO_ORIGINS else (card.id,), []).append(card)
    groups: dict[str, list[dict[str, Any]]] = {}
    for same in alike.values():
        first = same[0]
        branch = f"{first.branch_code} {first.branch_name}" if first.branch_name else ""
        groups.setdefault(branch, []).append({"card": first, "count": len(same)})
    return {
        "stage": stage,
        "count": len(cards),
        "groups": list(groups.items()),
        "collapsed": stage is ActionStage.CLOSED or not cards,
    }


class ActionForm(BaseModel):
    """What was typed into the new-action form, shown again when it is refused."""

    title: Short
    due_on: Typed
    origin: ActionOrigin = ActionOrigin.OTHER
    owner_id: Typed = ""
    complaint_id: Typed = ""
    branch_id: Typed = ""
    description: LongText = ""
    metric: Short = ""
    metric_before: Typed = ""
    higher_is_better: Ticked = ""


@router.get("/actions/new", response_class=HTMLResponse)
def new_action_form(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    complaint_id: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The form for an action raised by a complaint or for another reason; ``complaint_id``
    fills it in when coming from a complaint."""
    chosen = chosen_id(complaint_id)
    due_on = clock.bank_today() + timedelta(days=get_settings().quality.action_days)
    form = ActionForm.model_construct(
        title="",
        owner_id=str(user.id),
        due_on=due_on.isoformat(),
        origin=ActionOrigin.COMPLAINT if chosen else ActionOrigin.OTHER,
        complaint_id=str(chosen) if chosen else "",
        higher_is_better="1",
    )
    return _render_new(request, session, form)


@router.post("/actions/new", response_class=HTMLResponse)
def create_action(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    form: Annotated[ActionForm, Form()],
) -> Response:
    """Puts the action in the plan column and opens it; a refused form comes back filled in."""
    try:
        if form.origin not in NEW_ORIGINS:
            raise ValidationFailed(
                "actions from a gap or an inspection are created on the diagnosis and "
                "inspection pages",
                field="origin",
            )
        action = service.add_action(
            session,
            user=user,
            title=form.title,
            owner_id=_id(form.owner_id, "owner_id"),
            due_on=_day(form.due_on, "due_on"),
            origin=form.origin,
            complaint_id=_id(form.complaint_id, "complaint_id")
            if form.origin is ActionOrigin.COMPLAINT
            else None,
            branch_id=_id(form.branch_id, "branch_id"),
            description=form.description,
            metric=form.metric,
            metric_before=_float(form.metric_before, "metric_before"),
            higher_is_better=bool(form.higher_is_better),
        )
    except BankcrmError as error:
        session.rollback()
        problem = Problem(_("The action was not created."), error.message)
        return _render_new(request, session, form, problem=problem, status_code=error.status_code)
    return RedirectResponse(f"/quality/actions/{action.id}", status_code=303)


def _render_new(request: Request, session: Session, form: ActionForm, **shown: Any) -> Response:
    context: dict[str, Any] = {
        "form": form,
        "origins": NEW_ORIGINS,
        "owners": service.owner_choices(session),
        "branches": service.branch_choices(session),
    }
    return _show(request, "new.html", context, **shown)


# --- one action --------------------------------------------------------------------------------


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def action_page(
    request: Request, session: DbSession, user: PageQualityRead, action_id: RowId
) -> Response:
    return _render_action(request, session, user, action_id)


@router.post("/actions/{action_id}/stage", response_class=HTMLResponse)
def move_stage(
    request: Request,
    session: DbSession,
    user: PageQualityInspect,
    action_id: RowId,
    stage: Annotated[ActionStage, Form()],
    version: Version,
    metric_after: Typed = "",
) -> Response:
    """One PDCA step; a stale page or a move the stage no longer allows is a 409 showing the
    action as it is now."""
    try:
        service.move_stage(
            session,
            user=user,
            action_id=action_id,
            stage=stage,
            version=version,
            metric_after=_float(metric_after, "metric_after"),
        )
    except BankcrmError as error:
        page = partial(_render_action, request, session, user, action_id)
        return _refused(session, error, page, otherwise=_("The action was not moved."))
    return RedirectResponse(f"/quality/actions/{action_id}", status_code=303)


@router.post("/actions/{action_id}/edit", response_class=HTMLResponse)
def edit_action(
    request: Request,
    session: DbSession,
    user: PageQualityInspect,
    action_id: RowId,
    version: Version,
    owner_id: Typed = "",
    due_on: Typed = "",
    description: LongText = "",
    metric: Short = "",
    metric_before: Typed = "",
    higher_is_better: Ticked = "",
    measuring: Ticked = "",
) -> Response:
    """Saves owner, due date, description and, before the check, the metric (``measuring``
    says the form showed the metric fields)."""
    try:
        service.update_action(
            session,
            user=user,
            action_id=action_id,
            version=version,
            owner_id=_id(owner_id, "owner_id"),
            due_on=_day(due_on, "due_on") if due_on else None,
            description=description,
            metric=metric if measuring else None,
            metric_before=_float(metric_before, "metric_before") if measuring else None,
            higher_is_better=bool(higher_is_better) if measuring else None,
        )
    except BankcrmError as error:
        page = partial(_render_action, request, session, user, action_id)
        return _refused(session, error, page, otherwise=_("The changes were not saved."))
    return RedirectResponse(f"/quality/actions/{action_id}", status_code=303)


def _render_action(
    request: Request, session: Session, user: StaffUser, action_id: int, **shown: Any
) -> Response:
    locale = request_locale(request)
    item = service.get_action(session, action_id=action_id)
    may_move = service.may_move(user, item)
    context: dict[str, Any] = {
        "item": item,
        "stage_badges": STAGE_BADGES,
        "columns": COLUMNS,
        "moves": item.next_stages if may_move else [],
        "may_edit": may_move and item.stage is not ActionStage.CLOSED,
        "may_reassign": has_permission(user.role, Permission.QUALITY_MANAGE),
        "measuring": item.stage in (ActionStage.PLAN, ActionStage.DO),
        "owners": service.owner_choices(session),
        "dimension": None
        if item.dimension is None
        else flows.dimension_name(
            shipped_instrument(flows.DEFAULT_INSTRUMENT), item.dimension, locale
        ),
        "gap_name": None
        if item.gap is None
        else gaps.shipped_gap_controls()[item.gap].name.text(locale),
    }
    return _show(request, "detail.html", context, **shown)


# --- promises ----------------------------------------------------------------------------------


class PromiseForm(BaseModel):
    """What was typed into a promise form, shown again when it is refused."""

    title: Short
    promised: Typed
    direction: TargetDirection = TargetDirection.AT_MOST
    product_line: Annotated[str, Form(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""
    unit: Annotated[FormName, Form(max_length=16, pattern=STORABLE_TEXT)] = ""
    delivered: Typed = ""
    measured_on: Typed = ""
    active: Ticked = ""


TypedPromise = Annotated[PromiseForm, Form()]


@router.get("/promises", response_class=HTMLResponse)
def promises_page(request: Request, session: DbSession, user: PageQualityRead) -> Response:
    """The promises the bank's communication makes, with what was delivered (gap 4)."""
    return _render_promises(request, session, user)


@router.post("/promises", response_class=HTMLResponse)
def create_promise(
    request: Request, session: DbSession, user: PageQualityManage, form: TypedPromise
) -> Response:
    return _save_promise(request, session, user, form)


@router.post("/promises/{promise_id}", response_class=HTMLResponse)
def edit_promise(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    promise_id: RowId,
    form: TypedPromise,
) -> Response:
    """Saves a promise; an empty delivered value keeps the one recorded."""
    return _save_promise(request, session, user, form, promise_id)


def _save_promise(
    request: Request,
    session: Session,
    user: StaffUser,
    form: PromiseForm,
    promise_id: int | None = None,
) -> Response:
    try:
        promised = _float(form.promised, "promised")
        fields: dict[str, Any] = {
            "title": form.title,
            "direction": form.direction,
            "product_line": form.product_line,
            "unit": form.unit,
            "delivered": _float(form.delivered, "delivered"),
            "measured_on": _day(form.measured_on, "measured_on") if form.measured_on else None,
            "active": bool(form.active),
        }
        if promise_id is not None:
            service.update_promise(
                session, user=user, promise_id=promise_id, promised=promised, **fields
            )
        elif promised is None:
            raise ValidationFailed("enter the promised value", field="promised")
        else:
            service.create_promise(session, user=user, promised=promised, **fields)
    except BankcrmError as error:
        return _refused(
            session,
            error,
            partial(_render_promises, request, session, user, form, promise_id),
            conflict=_("The promise was changed by someone else."),
            denied=MAY_NOT,
            otherwise=_("The promise was not saved."),
        )
    return RedirectResponse("/quality/promises", status_code=303)


def _render_promises(
    request: Request,
    session: Session,
    user: StaffUser,
    typed: PromiseForm | None = None,
    typed_id: int | None = None,
    **shown: Any,
) -> Response:
    """The register; a refused form is shown as it was typed (``typed_id`` names the
    promise it edits, none for a new one)."""
    promises = service.list_promises(session)
    forms = {
        promise.id: PromiseForm.model_construct(
            title=promise.title,
            product_line=promise.product_line or "",
            unit=promise.unit or "",
            promised=f"{promise.promised:g}",
            direction=promise.direction,
            delivered="" if promise.delivered is None else f"{promise.delivered:g}",
            measured_on=promise.measured_on.isoformat() if promise.measured_on else "",
            active="1" if promise.active else "",
        )
        for promise in promises
    }
    new_form = PromiseForm.model_construct(
        title="", promised="", measured_on=clock.bank_today().isoformat(), active="1"
    )
    if typed is not None:
        if typed_id is None:
            new_form = typed
        else:
            forms[typed_id] = typed
    lines = service.product_lines(request_locale(request))
    context: dict[str, Any] = {
        "promises": promises,
        "forms": forms,
        "new_form": new_form,
        "typed_id": typed_id,
        "product_lines": lines,
        "line_names": dict(lines),
        "directions": list(TargetDirection),
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
    }
    return _show(request, "promises.html", context, **shown)


# --- reading what was typed ------------------------------------------------------------------


def _float(text: str, field: str) -> float | None:
    """A number as typed (a comma as decimal mark too); empty is none."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a number", field=field) from None
    if not math.isfinite(value):
        raise ValidationFailed("must be a finite number", field=field)
    return value


def _day(text: str, field: str) -> date:
    try:
        return parse_day(text)
    except ValueError as error:
        raise ValidationFailed(str(error), field=field) from None


def _id(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    chosen = chosen_id(text)
    if chosen is None:
        raise ValidationFailed(f"{text!r} is not an id", field=field)
    return chosen
