"""The pages of queue tickets: the ticket page of the caller's branch (issue a ticket, call
the next customer to one's counter, start, end, no-show, import the queue system's file)
and the report of the times per counter and staff with the service flow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from bankcrm.branches.queue import service
from bankcrm.branches.queue.schemas import CallNext, ImportRead, TicketCreate
from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.core.exceptions import BankcrmError, ImportRejected, NotFound, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageBranchOperationsRead, PageQueueRecord
from bankcrm.web.i18n import format_number, gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/queue")

BranchQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
CounterQuery = Annotated[str, Query(max_length=16, pattern=r"^[0-9A-Za-z\-]*$")]


NOT_DONE = _("The ticket was not changed")
TAKEN = _("Someone at another counter was quicker. The queue is shown as it is now.")
DENIED = _("You may not work this queue")
IMPORT_FAILED = _("The file was not imported; nothing of it was saved")
IMPORT_WHERE = _("%(file)s, row %(row)s, column %(column)s: %(reason)s")
STANDARD = _("Standard")
MEASURED = _("Measured")
MINUTES = _("minutes")
PRIORITY_LABELS = {
    TicketPriority.NORMAL: _("Normal"),
    TicketPriority.VIP: _("VIP"),
    TicketPriority.ELDERLY: _("Elderly"),
}
STATUS_LABELS = {
    TicketStatus.WAITING: _("Waiting"),
    TicketStatus.CALLED: _("Called"),
    TicketStatus.SERVING: _("Being served"),
    TicketStatus.DONE: _("Done"),
    TicketStatus.NO_SHOW: _("No-show"),
}
MOVES = {"start": "start", "end": "end", "no-show": "no_show"}
"""The page's move in the address, and the service's."""


def _parse(model: type[BaseModel], values: dict[str, Any]) -> Any:
    """A form's values as the API's body, its first problem named by field."""
    try:
        return model.model_validate(values, strict=False)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ValidationFailed(f"{field}: {problem['msg']}", field=field) from None


def _branch_of(user: StaffUser) -> int:
    if user.branch_id is None:
        raise NotFound("you belong to no branch with a queue")
    return user.branch_id


def _clock(locale: str) -> Any:
    """Moments on the bank's wall clock, hours and minutes."""
    zone = ZoneInfo(get_settings().timezone)

    def clock(moment: datetime | None) -> str:
        return "—" if moment is None else moment.astimezone(zone).strftime("%H:%M")

    return clock


def _labels(locale: str) -> dict[str, dict[str, str]]:
    return {
        "priority": {key.value: gettext(locale, text) for key, text in PRIORITY_LABELS.items()},
        "status": {key.value: gettext(locale, text) for key, text in STATUS_LABELS.items()},
    }


def _back(counter: str) -> RedirectResponse:
    return RedirectResponse(f"/queue?counter={counter}" if counter else "/queue", status_code=303)


def _counter(value: object) -> str:
    text = str(value or "").strip()
    return text if len(text) <= 16 and all(c.isalnum() or c == "-" for c in text) else ""


# --- the ticket page ------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def ticket_page(
    request: Request, session: DbSession, user: PageQueueRecord, counter: CounterQuery = ""
) -> Response:
    """Today's queue of the caller's branch: the waiting list, the caller's counter and the
    visits served."""
    return _render_tickets(request, session, user, counter)


def _render_tickets(
    request: Request,
    session: Session,
    user: StaffUser,
    counter: str,
    *,
    problem: Problem | None = None,
    imported: ImportRead | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    branch_id = _branch_of(user)
    tickets = service.list_tickets(session, user=user, branch_id=branch_id, locale=locale)
    waiting = [ticket for ticket in tickets if ticket.status is TicketStatus.WAITING]
    waiting.sort(key=lambda ticket: (ticket.priority is TicketPriority.NORMAL, ticket.arrived_at))
    mine = [
        ticket
        for ticket in tickets
        if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        and ticket.staff_id == user.id
    ]
    finished = [
        ticket for ticket in tickets if ticket.status in (TicketStatus.DONE, TicketStatus.NO_SHOW)
    ]
    return render(
        request,
        "queue/tickets.html",
        {
            "branch_id": branch_id,
            "counter": counter,
            "waiting": waiting,
            "mine": mine,
            "finished": sorted(finished, key=lambda ticket: ticket.arrived_at, reverse=True),
            "service_types": [
                (kind.code, kind.name.text(locale)) for kind in service.service_flow().service_types
            ],
            "priorities": list(TicketPriority),
            "labels": _labels(locale),
            "clock": _clock(locale),
            "imported": imported,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


async def _act(
    request: Request, session: Session, user: StaffUser, action: Any, counter: str
) -> Response:
    """Carry out a form of the ticket page and go back to it, or show why not."""
    try:
        action()
    except BankcrmError as error:
        problem = refusal(session, error, conflict=TAKEN, denied=DENIED, otherwise=NOT_DONE)
        return _render_tickets(
            request, session, user, counter, problem=problem, status_code=error.status_code
        )
    session.commit()
    return _back(counter)


@router.post("/tickets", response_class=HTMLResponse)
async def issue(request: Request, session: DbSession, user: PageQueueRecord) -> Response:
    form = await request.form()
    counter = _counter(form.get("counter"))

    def save() -> None:
        values = {
            "branch_id": _branch_of(user),
            "service_type": str(form.get("service_type") or ""),
            "priority": str(form.get("priority") or TicketPriority.NORMAL.value),
        }
        service.issue_ticket(session, user=user, data=_parse(TicketCreate, values))

    return await _act(request, session, user, save, counter)


@router.post("/call-next", response_class=HTMLResponse)
async def call_next(request: Request, session: DbSession, user: PageQueueRecord) -> Response:
    form = await request.form()
    counter = _counter(form.get("counter"))

    def save() -> None:
        values = {"branch_id": _branch_of(user), "counter": str(form.get("counter") or "")}
        service.call_next(session, user=user, data=_parse(CallNext, values))

    return await _act(request, session, user, save, counter)


async def _move(
    request: Request, session: Session, user: StaffUser, ticket_id: int, move: str
) -> Response:
    form = await request.form()
    counter = _counter(form.get("counter"))

    def save() -> None:
        service.move_ticket(session, user=user, ticket_id=ticket_id, move=MOVES[move])

    return await _act(request, session, user, save, counter)


@router.post("/tickets/{ticket_id}/start", response_class=HTMLResponse)
async def start(
    request: Request, session: DbSession, user: PageQueueRecord, ticket_id: RowId
) -> Response:
    return await _move(request, session, user, ticket_id, "start")


@router.post("/tickets/{ticket_id}/end", response_class=HTMLResponse)
async def end(
    request: Request, session: DbSession, user: PageQueueRecord, ticket_id: RowId
) -> Response:
    return await _move(request, session, user, ticket_id, "end")


@router.post("/tickets/{ticket_id}/no-show", response_class=HTMLResponse)
async def no_show(
    request: Request, session: DbSession, user: PageQueueRecord, ticket_id: RowId
) -> Response:
    return await _move(request, session, user, ticket_id, "no-show")


@router.post("/imports", response_class=HTMLResponse)
async def import_file(request: Request, session: DbSession, user: PageQueueRecord) -> Response:
    """The queue system's CSV of the caller's branch, all visits or none."""
    locale = request_locale(request)
    form = await request.form()
    counter = _counter(form.get("counter"))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("choose a CSV file to upload", field="file")
        content = await upload.read(service.IMPORT_FILE_LIMIT + 1)
        if len(content) > service.IMPORT_FILE_LIMIT:
            raise ValidationFailed("the file is larger than 20 MB", field="file")
        imported = service.import_tickets(
            session,
            user=user,
            branch_id=_branch_of(user),
            content=content,
            file_name=upload.filename[:200],
        )
    except BankcrmError as error:
        problem = refusal(
            session, error, conflict=IMPORT_FAILED, denied=DENIED, otherwise=IMPORT_FAILED
        )
        if isinstance(error, ImportRejected):
            problem = Problem(
                problem.headline,
                gettext(locale, IMPORT_WHERE)
                % {
                    "file": error.file,
                    "row": "—" if error.row is None else format_number(error.row, locale),
                    "column": error.column or "—",
                    "reason": error.reason,
                },
            )
        return _render_tickets(
            request, session, user, counter, problem=problem, status_code=error.status_code
        )
    session.commit()
    return _render_tickets(request, session, user, counter, imported=imported)


# --- the report -----------------------------------------------------------------------------


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: DbSession,
    user: PageBranchOperationsRead,
    branch: BranchQuery = None,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    """Where the time goes at a branch: wait, service and idle minutes per counter and staff
    member, and the service flow's stages, standard against measured minutes."""
    locale = request_locale(request)
    branches = service.visible_branches(session, user=user)
    chosen = branch or (user.branch_id if user.branch_id is not None else None)
    times = service.times(session, user=user, branch_id=chosen, start=start, end=end)
    flow = service.flow_report(
        session, user=user, branch_id=chosen, start=times.start, end=times.end, locale=locale
    )
    names = {row.id: row.name for row in branches}
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [gettext(locale, STANDARD), gettext(locale, MEASURED)]},
        "xAxis": {"type": "category", "data": [stage.name for stage in flow.stages]},
        "yAxis": {"type": "value", "name": gettext(locale, MINUTES)},
        "series": [
            {
                "name": gettext(locale, STANDARD),
                "type": "bar",
                "data": [stage.standard_minutes for stage in flow.stages],
            },
            {
                "name": gettext(locale, MEASURED),
                "type": "bar",
                "data": [
                    None if stage.measured_minutes is None else round(stage.measured_minutes, 1)
                    for stage in flow.stages
                ],
            },
        ],
    }
    return render(
        request,
        "queue/report.html",
        {
            "branches": [(row.id, row.name) for row in branches],
            "branch_id": chosen,
            "branch_names": names,
            "times": times,
            "flow": flow,
            "chart": chart,
        },
    )
