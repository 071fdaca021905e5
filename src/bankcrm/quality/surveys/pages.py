"""Survey-wave pages for staff: the waves, a new wave, one wave with its response rate and
actions (issue links, remind, open and close, the links file), managers' predictions."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.branches import service as branches_service
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import Quadrant, SurveyKind, ValueTier, WaveStatus
from bankcrm.core.exceptions import BankcrmError
from bankcrm.core.inputs import FormName, parse_day
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import attachment, csv_cell
from bankcrm.quality.instrument import SHIPPED_INSTRUMENTS
from bankcrm.quality.surveys import service
from bankcrm.quality.surveys.sampling import Selection
from bankcrm.quality.surveys.schemas import MAX_SAMPLE, MAX_SEED
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityInspect, PageQualityManage, PageQualityRead
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import CSRF_FIELD
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality/waves")

NumberText = Annotated[str, Form(max_length=20)]

STATUS_BADGES = {
    WaveStatus.DRAFT: "text-bg-secondary",
    WaveStatus.OPEN: "text-bg-success",
    WaveStatus.CLOSED: "text-bg-light border",
}


DONE = {
    "created": _("The wave was created."),
    "issued": _("Links were issued."),
    "reminded": _("Reminders were counted; download the links file to send them."),
    "status": _("The wave's status was changed."),
}
STATUS_ACTIONS = {
    WaveStatus.OPEN: _("Open the wave"),
    WaveStatus.CLOSED: _("Close the wave"),
}


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    context["problem"] = translated(problem, request_locale(request))
    return render(request, f"quality/surveys/{name}.html", context, status_code=status_code)


def _done(wave_id: int, done: str) -> Response:
    return RedirectResponse(f"/quality/waves/{wave_id}?done={done}", status_code=303)


# --- the list and a new wave -----------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def wave_list(request: Request, session: DbSession, user: PageQualityRead) -> Response:
    context = {
        "waves": service.list_waves(session, user=user),
        "status_badges": STATUS_BADGES,
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
    }
    return render(request, "quality/surveys/list.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_wave_form(request: Request, user: PageQualityManage) -> Response:
    return _render_new(request, {"kind": SurveyKind.SERVQUAL.value, "instrument": "servqual_bank"})


@router.post("/new", response_class=HTMLResponse)
def create_wave(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    code: Annotated[str, Form(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")],
    title: Annotated[FormName, Form(max_length=200, pattern=STORABLE_TEXT)],
    kind: Annotated[SurveyKind, Form()],
    opens_on: Annotated[str, Form(max_length=10)],
    closes_on: Annotated[str, Form(max_length=10)],
    instrument: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    typed = {
        "code": code,
        "title": title,
        "kind": kind.value,
        "instrument": instrument,
        "opens_on": opens_on,
        "closes_on": closes_on,
    }
    try:
        first, last = parse_day(opens_on), parse_day(closes_on)
    except ValueError as error:
        problem = Problem(_("Enter the days the wave opens and closes."), str(error))
        return _render_new(request, typed, problem)
    if not title:
        return _render_new(request, typed, Problem(_("Give the wave a title.")))
    try:
        created = service.create_wave(
            session,
            user=user,
            code=code,
            title=title,
            kind=kind,
            opens_on=first,
            closes_on=last,
            instrument=instrument if kind is SurveyKind.SERVQUAL else None,
        )
    except BankcrmError as error:
        session.rollback()
        problem = Problem(_("The wave was not created."), error.message)
        return _render_new(request, typed, problem, error.status_code)
    return _done(created.id, "created")


def _render_new(
    request: Request, typed: dict[str, str], problem: Problem | None = None, status_code: int = 422
) -> Response:
    """The new-wave form; with a ``problem`` it comes back refused (422 unless told)."""
    context = {"typed": typed, "kinds": list(SurveyKind), "instruments": SHIPPED_INSTRUMENTS}
    return _page(request, "new", context, problem, status_code if problem else 200)


# --- one wave --------------------------------------------------------------------------------


@router.get("/{wave_id}", response_class=HTMLResponse)
def wave_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: RowId,
    done: Annotated[str, Query(max_length=16)] = "",
    count: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    return _render_wave(request, session, user, wave_id, done=done, count=count)


@router.post("/{wave_id}/invitations", response_class=HTMLResponse)
def issue_invitations(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    wave_id: RowId,
    branch_codes: Annotated[list[str], Form(max_length=500)] = [],  # noqa: B006
    quadrants: Annotated[list[Quadrant], Form(max_length=4)] = [],  # noqa: B006
    value_tiers: Annotated[list[ValueTier], Form(max_length=3)] = [],  # noqa: B006
    sample_size: NumberText = "",
    seed: NumberText = "",
) -> Response:
    size = whole_number(sample_size, low=1, high=MAX_SAMPLE)
    chosen_seed = whole_number(seed, low=0, high=MAX_SEED)
    if (sample_size.strip() and size is None) or (seed.strip() and chosen_seed is None):
        problem = Problem(_("The sample size and the seed are whole numbers."))
        return _render_wave(request, session, user, wave_id, problem=problem, status_code=422)
    selection = Selection(
        branch_codes=tuple(code[:64] for code in branch_codes if code),
        quadrants=tuple(quadrant.value for quadrant in quadrants),
        value_tiers=tuple(tier.value for tier in value_tiers),
        sample_size=size,
        seed=chosen_seed,
    )
    try:
        issued = service.issue_invitations(session, user=user, wave_id=wave_id, selection=selection)
    except BankcrmError as error:
        return _refused(request, session, user, wave_id, error, _("No links were issued."))
    return _done(wave_id, f"issued&count={issued.issued}")


@router.post("/{wave_id}/reminders", response_class=HTMLResponse)
def send_reminders(
    request: Request, session: DbSession, user: PageQualityManage, wave_id: RowId
) -> Response:
    try:
        reminded = service.send_reminders(session, user=user, wave_id=wave_id)
    except BankcrmError as error:
        return _refused(request, session, user, wave_id, error, _("No reminders were counted."))
    return _done(wave_id, f"reminded&count={reminded.reminded}")


@router.post("/{wave_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    wave_id: RowId,
    status: Annotated[WaveStatus, Form()],
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    try:
        service.change_status(session, wave_id=wave_id, status=status, version=version)
    except BankcrmError as error:
        headline = _("The wave's status was not changed.")
        return _refused(request, session, user, wave_id, error, headline)
    return _done(wave_id, "status")


@router.get("/{wave_id}/links.csv")
def links_file(
    request: Request, session: DbSession, user: PageQualityManage, wave_id: RowId
) -> Response:
    """Every link of the wave with its reminder count, for the bank's SMS or e-mail gateway."""
    wave = service.get_wave(session, user=user, wave_id=wave_id)
    base = str(request.base_url).rstrip("/")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["customer_external_id", "link", "reminders"])
    writer.writerows(
        [csv_cell(link.customer_external_id), f"{base}/s/{link.token}", link.reminders]
        for link in service.invitation_links(session, user=user, wave_id=wave_id)
    )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=attachment(f"{wave.code}-links.csv"),
    )


def _refused(
    request: Request,
    session: Session,
    user: StaffUser,
    wave_id: int,
    error: BankcrmError,
    headline: str,
) -> Response:
    problem = refusal(
        session,
        error,
        conflict=_(
            "Someone else changed this wave, or the action is not possible in its current "
            "status. It is shown as it is now."
        ),
        denied=_("You may not do this."),
        otherwise=headline,
    )
    return _render_wave(
        request, session, user, wave_id, problem=problem, status_code=error.status_code
    )


def _render_wave(
    request: Request,
    session: Session,
    user: StaffUser,
    wave_id: int,
    *,
    done: str = "",
    count: int | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    wave = service.get_wave(session, user=user, wave_id=wave_id)
    context: dict[str, Any] = {
        "wave": wave,
        "status_badges": STATUS_BADGES,
        "done": DONE.get(done),
        "count": count,
        "next_statuses": [
            (status, STATUS_ACTIONS[status]) for status in service.STATUS_CHANGES[wave.status]
        ],
        "branches": branches_service.list_branches(session),
        "quadrants": list(Quadrant),
        "value_tiers": list(ValueTier),
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "may_predict": has_permission(user.role, Permission.QUALITY_INSPECT)
        and wave.kind is SurveyKind.SERVQUAL,
    }
    return _page(request, "detail", context, problem, status_code)


# --- managers' predictions (gap 1) -----------------------------------------------------------


@router.get("/{wave_id}/prediction", response_class=HTMLResponse)
def prediction_form(
    request: Request, session: DbSession, user: PageQualityInspect, wave_id: RowId
) -> Response:
    """What the manager thinks customers expect of every item, their earlier answer filled in."""
    answers = service.prediction_of(session, user=user, wave_id=wave_id)
    return _render_prediction(request, session, user, wave_id, answers)


@router.post("/{wave_id}/prediction", response_class=HTMLResponse)
async def save_prediction(
    request: Request, session: DbSession, user: PageQualityInspect, wave_id: RowId
) -> Response:
    form = await request.form()
    answers = {
        key: value for key, value in form.items() if key != CSRF_FIELD and isinstance(value, str)
    }
    try:
        saved = service.save_prediction(session, user=user, wave_id=wave_id, answers=answers)
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=_("The prediction was not saved."),
            denied=_("You may not do this."),
            otherwise=_("Predict every item: some are not answered."),
        )
        typed = {
            key: number
            for key, value in answers.items()
            if (number := whole_number(value, low=0)) is not None
        }
        return _render_prediction(
            request, session, user, wave_id, typed, problem=problem, status_code=error.status_code
        )
    return _render_prediction(request, session, user, wave_id, saved.answers, saved=True)


def _render_prediction(
    request: Request,
    session: Session,
    user: StaffUser,
    wave_id: int,
    answers: dict[str, int],
    *,
    saved: bool = False,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "wave": service.get_wave(session, user=user, wave_id=wave_id),
        "instrument": service.prediction_instrument(session, wave_id=wave_id),
        "answers": answers,
        "saved": saved,
    }
    return _page(request, "prediction", context, problem, status_code)
