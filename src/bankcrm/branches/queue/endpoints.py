"""The REST endpoints of queue tickets, under ``/api/v1/queue``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile

from bankcrm.branches.queue import service
from bankcrm.branches.queue.schemas import (
    CallNext,
    FlowRead,
    ImportRead,
    TicketCreate,
    TicketRead,
    TimesRead,
)
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.web.deps import BranchOperationsRead, DbSession, QueueRecord
from bankcrm.web.locale import request_locale

router = APIRouter(prefix="/queue", tags=["queue"])

BranchQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/tickets", response_model=list[TicketRead])
def list_tickets(
    request: Request,
    session: DbSession,
    user: QueueRecord,
    branch_id: BranchQuery = None,
    day: Day | None = None,
) -> list[TicketRead]:
    """The tickets of a day (today by default) at the branch, by arrival."""
    return service.list_tickets(
        session, user=user, branch_id=branch_id, day=day, locale=request_locale(request)
    )


@router.post("/tickets", response_model=TicketRead, status_code=201)
def issue_ticket(
    request: Request, session: DbSession, user: QueueRecord, body: TicketCreate
) -> TicketRead:
    """Draw the day's next number for a customer who just arrived."""
    return service.issue_ticket(session, user=user, data=body, locale=request_locale(request))


@router.post("/tickets/call-next", response_model=TicketRead)
def call_next(
    request: Request, session: DbSession, user: QueueRecord, body: CallNext
) -> TicketRead:
    """Call the next customer to the caller's counter, VIP and elderly first; a ticket
    another counter called first is 409, nobody waiting too."""
    return service.call_next(session, user=user, data=body, locale=request_locale(request))


@router.post("/tickets/{ticket_id}/start", response_model=TicketRead)
def start_service(
    request: Request, session: DbSession, user: QueueRecord, ticket_id: RowId
) -> TicketRead:
    """Start serving a called customer; a ticket not in the ``called`` status is 409."""
    return service.move_ticket(
        session, user=user, ticket_id=ticket_id, move="start", locale=request_locale(request)
    )


@router.post("/tickets/{ticket_id}/end", response_model=TicketRead)
def end_service(
    request: Request, session: DbSession, user: QueueRecord, ticket_id: RowId
) -> TicketRead:
    """End the service; a ticket not being served is 409."""
    return service.move_ticket(
        session, user=user, ticket_id=ticket_id, move="end", locale=request_locale(request)
    )


@router.post("/tickets/{ticket_id}/no-show", response_model=TicketRead)
def mark_no_show(
    request: Request, session: DbSession, user: QueueRecord, ticket_id: RowId
) -> TicketRead:
    """The called customer did not come to the counter; a ticket not called is 409."""
    return service.move_ticket(
        session, user=user, ticket_id=ticket_id, move="no_show", locale=request_locale(request)
    )


@router.post("/imports", response_model=ImportRead, status_code=201)
async def import_tickets(request: Request, session: DbSession, user: QueueRecord) -> ImportRead:
    """A queue system's CSV (multipart: ``file`` and ``branch_id``), all visits or none; a
    refused file names the row and column at fault (422)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValidationFailed("send the CSV as multipart/form-data with a branch_id", field="file")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("choose a CSV file to upload", field="file")
    branch = str(form.get("branch_id") or "")
    if not branch.isdigit() or not 1 <= int(branch) <= MAX_ID:
        raise ValidationFailed("branch_id must be a branch's id", field="branch_id")
    content = await upload.read(service.IMPORT_FILE_LIMIT + 1)
    if len(content) > service.IMPORT_FILE_LIMIT:
        raise ValidationFailed("the file is larger than 20 MB", field="file")
    return service.import_tickets(
        session,
        user=user,
        branch_id=int(branch),
        content=content,
        file_name=upload.filename[:200],
    )


@router.get("/times", response_model=TimesRead)
def queue_times(
    session: DbSession,
    user: BranchOperationsRead,
    branch_id: BranchQuery = None,
    start: Day | None = None,
    end: Day | None = None,
) -> TimesRead:
    """Wait, service and idle minutes per counter and staff member over the period (the last
    30 days by default; every branch the caller sees when no branch is given)."""
    return service.times(session, user=user, branch_id=branch_id, start=start, end=end)


@router.get("/flow", response_model=FlowRead)
def service_flow(
    request: Request,
    session: DbSession,
    user: BranchOperationsRead,
    branch_id: BranchQuery = None,
    start: Day | None = None,
    end: Day | None = None,
) -> FlowRead:
    """The service flow's stages, standard against measured minutes, and the service
    blueprint's wait points with the times tickets measured."""
    return service.flow_report(
        session,
        user=user,
        branch_id=branch_id,
        start=start,
        end=end,
        locale=request_locale(request),
    )
