"""Pages of the improvement work: the five-gap diagnosis, the PDCA board, one action, promises."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import ActionOrigin, ActionStage, TargetDirection
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormName, FormText, parse_day
from bankcrm.core.pagination import MAX_ID
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality import gaps
from bankcrm.quality.gaps import GapStatus
from bankcrm.quality.improvement import flows, service
from bankcrm.quality.improvement.flows import DiagnosisReport, Evidence
from bankcrm.quality.improvement.schemas import ActionRead, PromiseRead
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityInspect, PageQualityManage, PageQualityRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.i18n import format_date, gettext
from bankcrm.web.labels import stored_word
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

ActionId = Annotated[int, Path(ge=1, le=MAX_ID)]
PromiseId = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int, Form(ge=1, le=MAX_ID)]
Short = Annotated[FormName, Form(max_length=200, pattern=STORABLE_TEXT)]
LongText = Annotated[FormText, Form(max_length=5000, pattern=STORABLE_TEXT)]
Unit = Annotated[FormName, Form(max_length=16, pattern=STORABLE_TEXT)]
Typed = Annotated[str, Form(max_length=32)]
"""A number, date or id as typed; read by the handler so a typo comes back as a message."""

COLUMNS = (ActionStage.PLAN, ActionStage.DO, ActionStage.CHECK, ActionStage.ACT, ActionStage.CLOSED)
STAGE_BADGES = {
    ActionStage.PLAN: "text-bg-secondary",
    ActionStage.DO: "text-bg-primary",
    ActionStage.CHECK: "text-bg-info",
    ActionStage.ACT: "text-bg-warning",
    ActionStage.CLOSED: "text-bg-success",
}
STATUS_BADGES = {
    GapStatus.OPEN: "text-bg-danger",
    GapStatus.CLOSED: "text-bg-success",
    GapStatus.UNKNOWN: "text-bg-light border",
}
AUTO_ORIGINS = (ActionOrigin.GAP, ActionOrigin.INSPECTION)
"""Origins of actions the bank creates by itself; alike ones share a card on the board."""
EVIDENCE_SHOWN = 5
"""Rows of a gap's evidence table and actions under way shown before "more"."""
NEW_ORIGINS = (ActionOrigin.OTHER, ActionOrigin.COMPLAINT)
"""Origins an action typed in by hand may have; gap and inspection actions come from
their pages."""


def _(message: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return message


STATUS_LABELS = {
    GapStatus.OPEN: _("gap open"),
    GapStatus.CLOSED: _("gap closed"),
    GapStatus.UNKNOWN: _("no data yet"),
}
MOVE_BUTTONS = {
    ActionStage.DO: _("Start doing"),
    ActionStage.CHECK: _("Check the effect"),
    ActionStage.ACT: _("Act on the check"),
    ActionStage.CLOSED: _("Standardise and close"),
    ActionStage.PLAN: _("Start a new cycle"),
}
MOVE_HINTS = {
    ActionStage.DO: _("The plan is agreed; the action is being carried out."),
    ActionStage.CHECK: _("Measure the metric again; the check compares it with the value before."),
    ActionStage.ACT: _("Decide what follows from the check."),
    ActionStage.CLOSED: _("It worked: the new way of working becomes the standard."),
    ActionStage.PLAN: _("It did not work: plan another attempt against the same baseline."),
}
UNKNOWN_HINTS = {
    1: _("No SERVQUAL wave has managers' predictions yet."),
    2: _("The survey instrument has no items."),
    3: _("No inspection results in the last twelve months."),
    4: _("No measured promises and no complaints in the last twelve months."),
    5: _("No SERVQUAL wave has answers yet."),
}
CONFLICT = _(
    "Someone else changed this action, or the move is not possible from its stage. "
    "It is shown as it is now: check it and try again."
)
DENIED = _("Only the action's owner or a quality officer may change it.")


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
            session,
            user=user,
            gap=gap,
            today=clock.bank_today(),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=_("The gap is closed: there is nothing to act on."),
            denied=_("You may not do this."),
            otherwise=_("No action was created for this gap."),
        )
        return _render_diagnosis(
            request, session, user, problem=problem, status_code=error.status_code
        )
    return RedirectResponse(f"/quality/actions/{action.id}", status_code=303)


def _render_diagnosis(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    report = flows.diagnose(session, user=user, today=clock.bank_today())
    diagnosis = report.diagnosis
    working = flows.open_gap_actions(session)
    order = [finding.gap for finding in diagnosis.open_gaps]
    context: dict[str, Any] = {
        "open_gaps": [_gap_view(report, gap, locale, working) for gap in order],
        "other_gaps": [
            _gap_view(report, gap, locale, working)
            for gap in (*diagnosis.closed_gaps, *diagnosis.unknown_gaps)
        ],
        "evidence": report.evidence,
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "status_badges": STATUS_BADGES,
        "top": EVIDENCE_SHOWN,
        "problem": translated(problem, locale),
    }
    return render(request, "quality/improvement/diagnosis.html", context, status_code=status_code)


def _gap_view(
    report: DiagnosisReport, gap: int, locale: str, working: dict[int, list[Any]]
) -> dict[str, Any]:
    evidence = report.evidence
    record = evidence.record(gap)
    controls = report.controls[gap]
    status = report.status(gap)
    weakest = record.weakest if record is not None else None
    view: dict[str, Any] = {
        "number": gap,
        "name": controls.name.text(locale),
        "definition": controls.definition.text(locale),
        "status": status,
        "status_label": gettext(locale, STATUS_LABELS[status]),
        "severity": record.severity if record is not None else None,
        "weakest": flows.weakest_label(evidence, gap, weakest, locale),
        "methods": [method.text(locale) for method in controls.methods],
        "lines": [],
        "table": None,
        "actions": working.get(gap, []),
    }
    if status is GapStatus.UNKNOWN:
        view["lines"] = [gettext(locale, UNKNOWN_HINTS[gap])]
        return view
    view["lines"], view["table"] = _evidence_in_words(evidence, gap, locale)
    return view


def _evidence_in_words(
    evidence: Evidence, gap: int, locale: str
) -> tuple[list[str], dict[str, Any] | None]:
    """Sentences and a small table saying what the figures of a gap are."""

    def say(message: str, **values: Any) -> str:
        return gettext(locale, message) % values

    record = evidence.record(gap)
    instrument = evidence.instrument
    match record:
        case gaps.ManagementPerceptionEvidence():
            wave = evidence.prediction_wave
            lines = [
                say(
                    _(
                        "Wave %(wave)s: %(managers)s managers predicted what %(respondents)s "
                        "customers expect; they differ by %(difference)s points on average."
                    ),
                    wave=wave.code if wave else "—",
                    managers=wave.managers if wave else 0,
                    respondents=wave.respondents if wave else 0,
                    difference=_points(record.mean_absolute_difference),
                )
            ]
            table = {
                "head": [
                    gettext(locale, _("Item")),
                    gettext(locale, _("Customers expect")),
                    gettext(locale, _("Managers predict")),
                    gettext(locale, _("Under-estimated by")),
                ],
                "rows": [
                    [
                        flows.weakest_label(evidence, 1, entry.item, locale),
                        _points(entry.customer_expectation),
                        _points(entry.manager_prediction),
                        _points(entry.shortfall),
                    ]
                    for entry in record.shortfalls
                ],
            }
            return lines, table if record.shortfalls else None
        case gaps.StandardsCoverageEvidence():
            covered = evidence.items_checked - len(record.uncovered_items)
            lines = [
                say(
                    _(
                        "%(covered)s of %(items)s survey items have a measurable service "
                        "standard (%(coverage)s), from %(standards)s active standards."
                    ),
                    covered=covered,
                    items=evidence.items_checked,
                    coverage=_percent(record.coverage),
                    standards=evidence.standards,
                )
            ]
            if record.uncovered_items:
                lines.append(
                    say(
                        _("Items without a standard: %(items)s."),
                        items=", ".join(record.uncovered_items),
                    )
                )
            return lines, None
        case gaps.InspectionComplianceEvidence():
            lines = [
                say(
                    _("Inspections from %(start)s to %(end)s passed %(overall)s of checked items."),
                    start=format_date(evidence.period_start, locale),
                    end=format_date(evidence.today, locale),
                    overall=_percent(record.overall_compliance),
                )
            ]
            below = set(record.branches_below_target)
            rows = sorted(record.branch_compliance.items(), key=lambda entry: (entry[1], entry[0]))
            table = {
                "head": [gettext(locale, _("Branch")), gettext(locale, _("Compliance")), ""],
                "rows": [
                    [
                        branch,
                        _percent(share),
                        gettext(locale, _("below target")) if branch in below else "",
                    ]
                    for branch, share in rows
                ],
            }
            return lines, table
        case gaps.PromiseKeepingEvidence():
            lines = []
            if record.kept_share is not None:
                kept = round(record.kept_share * len(evidence.promises))
                lines.append(
                    say(
                        _("%(kept)s of %(promises)s measured promises are kept."),
                        kept=kept,
                        promises=len(evidence.promises),
                    )
                )
            if evidence.contacts:
                lines.append(
                    say(
                        _(
                            "%(tagged)s complaints about service not as advertised from "
                            "%(start)s to %(end)s: %(rate)s per 1,000 of %(contacts)s "
                            "customer contacts."
                        ),
                        tagged=evidence.not_as_advertised,
                        contacts=evidence.contacts,
                        start=format_date(evidence.period_start, locale),
                        end=format_date(evidence.today, locale),
                        rate=_number(record.complaints_per_thousand_cases, 1),
                    )
                )
            table = {
                "head": [
                    gettext(locale, _("Promise")),
                    gettext(locale, _("Promised")),
                    gettext(locale, _("Delivered")),
                    "",
                ],
                "rows": [
                    _promise_row(promise, locale)
                    for promise in sorted(
                        evidence.promises.values(),
                        key=lambda promise: (promise.kept is not False, promise.id),
                    )
                ],
            }
            return lines, table if evidence.promises else None
        case gaps.PerceivedQualityEvidence():
            wave = evidence.perception_wave
            lines = [
                say(
                    _("Wave %(wave)s, %(respondents)s respondents: perception minus expectation."),
                    wave=wave.code if wave else "—",
                    respondents=wave.respondents if wave else 0,
                )
            ]
            table = {
                "head": [gettext(locale, _("Dimension")), gettext(locale, _("Gap P − E"))],
                "rows": [
                    [flows.dimension_name(instrument, code, locale), _points(value)]
                    for code, value in sorted(
                        record.dimension_gaps.items(), key=lambda entry: entry[1]
                    )
                ],
            }
            return lines, table
    return [], None


def _promise_row(promise: PromiseRead, locale: str) -> list[str]:
    unit = f" {stored_word(promise.unit, locale)}" if promise.unit else ""
    direction = gettext(
        locale, _("at most") if promise.direction is TargetDirection.AT_MOST else _("at least")
    )
    return [
        promise.title,
        f"{direction} {_number(promise.promised)}{unit}",
        f"{_number(promise.delivered)}{unit}",
        gettext(locale, _("kept") if promise.kept else _("broken")),
    ]


def _points(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _number(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if digits is not None:
        return f"{value:.{digits}f}"
    return f"{value:g}"


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
    chosen_origin = ActionOrigin(origin) if origin in set(ActionOrigin) else None
    chosen_branch = chosen_id(branch_id)
    actions = service.list_actions(
        session,
        user=user,
        stage=chosen_stage,
        origin=chosen_origin,
        branch_id=chosen_branch,
        mine=bool(mine),
        overdue=bool(overdue),
    )
    columns = [
        _column(column, [action for action in actions if action.stage is column])
        for column in COLUMNS
        if chosen_stage is None or chosen_stage is column
    ]
    context: dict[str, Any] = {
        "columns": columns,
        "count": len(actions),
        "stages": list(ActionStage),
        "origins": list(ActionOrigin),
        "branches": service.branch_choices(session),
        "filters": {
            "stage": chosen_stage.value if chosen_stage else "",
            "origin": chosen_origin.value if chosen_origin else "",
            "branch_id": chosen_branch or "",
            "mine": bool(mine),
            "overdue": bool(overdue),
        },
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


@dataclass(frozen=True)
class ActionForm:
    """What was typed into the new-action form, shown again when it is refused."""

    title: str = ""
    owner_id: str = ""
    due_on: str = ""
    origin: str = ActionOrigin.OTHER.value
    complaint_id: str = ""
    branch_id: str = ""
    description: str = ""
    metric: str = ""
    metric_before: str = ""
    higher_is_better: bool = True


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
    form = ActionForm(
        owner_id=str(user.id),
        due_on=(
            clock.bank_today() + timedelta(days=get_settings().quality.action_days)
        ).isoformat(),
        origin=(ActionOrigin.COMPLAINT if chosen else ActionOrigin.OTHER).value,
        complaint_id=str(chosen) if chosen else "",
    )
    return _render_new(request, session, form)


@router.post("/actions/new", response_class=HTMLResponse)
def create_action(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    title: Short,
    due_on: Typed,
    origin: Annotated[ActionOrigin, Form()] = ActionOrigin.OTHER,
    owner_id: Typed = "",
    complaint_id: Typed = "",
    branch_id: Typed = "",
    description: LongText = "",
    metric: Short = "",
    metric_before: Typed = "",
    higher_is_better: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Puts the action in the plan column and opens it; a refused form comes back filled in."""
    form = ActionForm(
        title=title,
        owner_id=owner_id,
        due_on=due_on,
        origin=origin.value,
        complaint_id=complaint_id,
        branch_id=branch_id,
        description=description,
        metric=metric,
        metric_before=metric_before,
        higher_is_better=bool(higher_is_better),
    )
    try:
        if origin not in NEW_ORIGINS:
            raise ValidationFailed(
                "actions from a gap or an inspection are created on the diagnosis and "
                "inspection pages",
                field="origin",
            )
        action = service.add_action(
            session,
            user=user,
            title=title,
            owner_id=_id(owner_id, "owner_id"),
            due_on=_day(due_on, "due_on"),
            origin=origin,
            complaint_id=_id(complaint_id, "complaint_id")
            if origin is ActionOrigin.COMPLAINT
            else None,
            branch_id=_id(branch_id, "branch_id"),
            description=description,
            metric=metric,
            metric_before=_float(metric_before, "metric_before"),
            higher_is_better=bool(higher_is_better),
        )
    except BankcrmError as error:
        session.rollback()
        problem = Problem(_("The action was not created."), error.message)
        return _render_new(request, session, form, problem=problem, status_code=error.status_code)
    return RedirectResponse(f"/quality/actions/{action.id}", status_code=303)


def _render_new(
    request: Request,
    session: Session,
    form: ActionForm,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "form": form,
        "origins": NEW_ORIGINS,
        "owners": service.owner_choices(session),
        "branches": service.branch_choices(session),
        "problem": translated(problem, request_locale(request)),
    }
    return render(request, "quality/improvement/new.html", context, status_code=status_code)


# --- one action --------------------------------------------------------------------------------


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def action_page(
    request: Request, session: DbSession, user: PageQualityRead, action_id: ActionId
) -> Response:
    return _render_action(request, session, user, action_id)


@router.post("/actions/{action_id}/stage", response_class=HTMLResponse)
def move_stage(
    request: Request,
    session: DbSession,
    user: PageQualityInspect,
    action_id: ActionId,
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
        problem = refusal(
            session,
            error,
            conflict=CONFLICT,
            denied=DENIED,
            otherwise=_("The action was not moved."),
        )
        return _render_action(
            request, session, user, action_id, problem=problem, status_code=error.status_code
        )
    return RedirectResponse(f"/quality/actions/{action_id}", status_code=303)


@router.post("/actions/{action_id}/edit", response_class=HTMLResponse)
def edit_action(
    request: Request,
    session: DbSession,
    user: PageQualityInspect,
    action_id: ActionId,
    version: Version,
    owner_id: Typed = "",
    due_on: Typed = "",
    description: LongText = "",
    metric: Short = "",
    metric_before: Typed = "",
    higher_is_better: Annotated[str, Form(max_length=8)] = "",
    measuring: Annotated[str, Form(max_length=8)] = "",
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
        problem = refusal(
            session,
            error,
            conflict=CONFLICT,
            denied=DENIED,
            otherwise=_("The changes were not saved."),
        )
        return _render_action(
            request, session, user, action_id, problem=problem, status_code=error.status_code
        )
    return RedirectResponse(f"/quality/actions/{action_id}", status_code=303)


def _render_action(
    request: Request,
    session: Session,
    user: StaffUser,
    action_id: int,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    item = service.get_action(session, action_id=action_id)
    may_move = service.may_move(user, item)
    context: dict[str, Any] = {
        "item": item,
        "stage_badges": STAGE_BADGES,
        "columns": COLUMNS,
        "moves": [
            {"stage": stage, "button": MOVE_BUTTONS[stage], "hint": MOVE_HINTS[stage]}
            for stage in item.next_stages
        ]
        if may_move
        else [],
        "may_edit": may_move and item.stage is not ActionStage.CLOSED,
        "may_reassign": has_permission(user.role, Permission.QUALITY_MANAGE),
        "measuring": item.stage in (ActionStage.PLAN, ActionStage.DO),
        "owners": service.owner_choices(session),
        "dimension": _dimension_name(item, locale),
        "gap_name": _gap_name(item.gap, locale),
        "problem": translated(problem, locale),
    }
    return render(request, "quality/improvement/detail.html", context, status_code=status_code)


def _dimension_name(item: ActionRead, locale: str) -> str | None:
    if item.dimension is None:
        return None
    instrument = shipped_instrument(flows.DEFAULT_INSTRUMENT)
    return flows.dimension_name(instrument, item.dimension, locale)


def _gap_name(gap: int | None, locale: str) -> str | None:
    if gap is None:
        return None
    return gaps.shipped_gap_controls()[gap].name.text(locale)


# --- promises ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseForm:
    """What was typed into a promise form, shown again when it is refused."""

    promise_id: int | None = None
    title: str = ""
    product_line: str = ""
    unit: str = ""
    promised: str = ""
    direction: str = TargetDirection.AT_MOST.value
    delivered: str = ""
    measured_on: str = ""
    active: bool = True


@router.get("/promises", response_class=HTMLResponse)
def promises_page(request: Request, session: DbSession, user: PageQualityRead) -> Response:
    """The promises the bank's communication makes, with what was delivered (gap 4)."""
    return _render_promises(request, session, user)


def _promise_form(
    title: Short,
    promised: Typed,
    direction: Annotated[TargetDirection, Form()] = TargetDirection.AT_MOST,
    product_line: Annotated[str, Form(max_length=32, pattern=r"^[a-z0-9_]*$")] = "",
    unit: Unit = "",
    delivered: Typed = "",
    measured_on: Typed = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> PromiseForm:
    return PromiseForm(
        title=title,
        product_line=product_line,
        unit=unit,
        promised=promised,
        direction=direction.value,
        delivered=delivered,
        measured_on=measured_on,
        active=bool(active),
    )


TypedPromise = Annotated[PromiseForm, Depends(_promise_form)]


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
    promise_id: PromiseId,
    form: TypedPromise,
) -> Response:
    """Saves a promise; an empty delivered value keeps the one recorded."""
    return _save_promise(request, session, user, replace(form, promise_id=promise_id))


def _save_promise(
    request: Request, session: Session, user: StaffUser, form: PromiseForm
) -> Response:
    direction = TargetDirection(form.direction)
    try:
        promised = _float(form.promised, "promised")
        delivered = _float(form.delivered, "delivered")
        measured_on = _day(form.measured_on, "measured_on") if form.measured_on else None
        if form.promise_id is None:
            if promised is None:
                raise ValidationFailed("enter the promised value", field="promised")
            service.create_promise(
                session,
                user=user,
                title=form.title,
                promised=promised,
                direction=direction,
                product_line=form.product_line or None,
                unit=form.unit,
                delivered=delivered,
                measured_on=measured_on,
                active=form.active,
            )
        else:
            service.update_promise(
                session,
                user=user,
                promise_id=form.promise_id,
                title=form.title,
                promised=promised,
                direction=direction,
                product_line=form.product_line,
                unit=form.unit,
                delivered=delivered,
                measured_on=measured_on,
                active=form.active,
            )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=_("The promise was changed by someone else."),
            denied=_("You may not do this."),
            otherwise=_("The promise was not saved."),
        )
        return _render_promises(
            request, session, user, typed=form, problem=problem, status_code=error.status_code
        )
    return RedirectResponse("/quality/promises", status_code=303)


def _render_promises(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    typed: PromiseForm | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    promises = service.list_promises(session)
    forms = {
        promise.id: PromiseForm(
            promise_id=promise.id,
            title=promise.title,
            product_line=promise.product_line or "",
            unit=promise.unit or "",
            promised=_number(promise.promised),
            direction=promise.direction.value,
            delivered=_number(promise.delivered) if promise.delivered is not None else "",
            measured_on=promise.measured_on.isoformat() if promise.measured_on else "",
            active=promise.active,
        )
        for promise in promises
    }
    new_form = PromiseForm(measured_on=clock.bank_today().isoformat())
    if typed is not None:
        if typed.promise_id is None:
            new_form = typed
        else:
            forms[typed.promise_id] = typed
    lines = service.product_lines(locale)
    context: dict[str, Any] = {
        "promises": promises,
        "forms": forms,
        "new_form": new_form,
        "typed_id": typed.promise_id if typed is not None else None,
        "product_lines": lines,
        "line_names": dict(lines),
        "directions": list(TargetDirection),
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "problem": translated(problem, locale),
    }
    return render(request, "quality/improvement/promises.html", context, status_code=status_code)


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
