from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bankcrm.complaints import reports, service
from bankcrm.complaints.schemas import (
    ClassifierRead,
    ComplaintCreate,
    ComplaintDetail,
    ComplaintPage,
    ComplaintUpdate,
    NoteCreate,
    RecoveryCreate,
    RecoveryDecision,
    SuggestionRead,
    SuggestionRequest,
    SweepRead,
    TransitionCreate,
)
from bankcrm.core.enums import ComplaintStatus
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.web.deps import ComplaintsApprove, ComplaintsHandle, ComplaintsRead, DbSession

router = APIRouter(prefix="/complaints", tags=["complaints"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("", response_model=ComplaintDetail, status_code=201)
def create_complaint(
    session: DbSession, user: ComplaintsHandle, body: ComplaintCreate
) -> ComplaintDetail:
    """Register a complaint; it is due 15 days after receipt. Product line and issue left
    out are taken from the classifier's suggestion."""
    return service.create_complaint(
        session,
        user=user,
        channel=body.channel,
        text=body.text,
        customer_id=body.customer_id,
        branch_id=body.branch_id,
        severity=body.severity,
        product_line=body.product_line,
        issue=body.issue,
        received_at=body.received_at,
    )


@router.get("", response_model=ComplaintPage)
def list_complaints(
    session: DbSession,
    user: ComplaintsRead,
    status: ComplaintStatus | None = None,
    overdue: bool = False,
    due_soon: bool = False,
    mine: bool = False,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> ComplaintPage:
    """Cases the caller may see, earliest deadline first; ``overdue`` and ``due_soon`` keep
    the cases still awaiting a reply."""
    return service.list_complaints(
        session,
        user=user,
        status=status,
        overdue=overdue,
        due_soon=due_soon,
        mine=mine,
        customer_id=customer_id,
        page=page,
        page_size=page_size,
    )


@router.post("/suggestions", response_model=SuggestionRead)
def suggest_labels(
    session: DbSession, user: ComplaintsHandle, body: SuggestionRequest
) -> SuggestionRead:
    """Product line and issue suggested for a complaint text (Chinese or English)."""
    return service.suggest(session, text=body.text)


@router.post("/classifier", response_model=ClassifierRead, status_code=201)
def train_classifier(session: DbSession, user: ComplaintsHandle) -> ClassifierRead:
    """Train the bank's own classifier on its closed cases (officers' corrections included)."""
    return service.train_classifier(session, user=user)


@router.post("/sweep", response_model=SweepRead)
def sweep(session: DbSession, user: ComplaintsApprove) -> SweepRead:
    """Remind owners of deadlines due soon and escalate overdue cases now (the scheduled
    ``bankcrm complaints sweep`` does the same)."""
    return service.sweep(session)


@router.get(
    "/report",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, XLSX: {}}}},
)
def case_report(
    session: DbSession,
    user: ComplaintsRead,
    start: Day | None = None,
    end: Day | None = None,
    file_format: Annotated[str, Query(alias="format", pattern="^(json|xlsx)$")] = "json",
    locale: Annotated[str, Query(pattern="^(zh_CN|en)$")] = "zh_CN",
) -> Response:
    """The case-analysis report of cases received from ``start`` to ``end`` (inclusive; the
    twelve months to today when left out): volumes, root-cause Pareto, service gaps,
    timeliness, recovery cost, repeat complainants."""
    content, media_type, filename = reports.render(
        session, user=user, start=start, end=end, file_format=file_format, locale=locale
    )
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/{complaint_id}", response_model=ComplaintDetail)
def read_complaint(
    session: DbSession, user: ComplaintsRead, complaint_id: RowId
) -> ComplaintDetail:
    """A case with its timeline and recovery actions."""
    return service.get_complaint(session, user=user, complaint_id=complaint_id)


@router.patch("/{complaint_id}", response_model=ComplaintDetail)
def update_complaint(
    session: DbSession, user: ComplaintsHandle, complaint_id: RowId, body: ComplaintUpdate
) -> ComplaintDetail:
    """Accept or correct product line and issue, set the root cause or severity."""
    return service.update_labels(
        session,
        user=user,
        complaint_id=complaint_id,
        version=body.version,
        product_line=body.product_line,
        issue=body.issue,
        root_cause=body.root_cause,
        severity=body.severity,
    )


@router.post("/{complaint_id}/transitions", response_model=ComplaintDetail)
def transition(
    session: DbSession, user: ComplaintsHandle, complaint_id: RowId, body: TransitionCreate
) -> ComplaintDetail:
    """One workflow action: accept, investigate, reply, close, reopen, escalate, withdraw or
    extend. An action the status does not allow, or a stale ``version``, is a 409."""
    return service.transition(
        session,
        user=user,
        complaint_id=complaint_id,
        action=body.action,
        version=body.version,
        reason=body.reason,
        reply=body.reply,
        confirmation=body.confirmation,
    )


@router.post("/{complaint_id}/notes", response_model=ComplaintDetail, status_code=201)
def add_note(
    session: DbSession, user: ComplaintsHandle, complaint_id: RowId, body: NoteCreate
) -> ComplaintDetail:
    """An investigation note on the case's timeline."""
    return service.add_note(session, user=user, complaint_id=complaint_id, text=body.text)


@router.post("/{complaint_id}/recoveries", response_model=ComplaintDetail, status_code=201)
def propose_recovery(
    session: DbSession, user: ComplaintsHandle, complaint_id: RowId, body: RecoveryCreate
) -> ComplaintDetail:
    """An apology, fee refund or compensation; an amount above the approval limit waits for
    a second person."""
    return service.propose_recovery(
        session,
        user=user,
        complaint_id=complaint_id,
        kind=body.kind,
        amount=body.amount,
        note=body.note,
    )


@router.post("/recoveries/{recovery_id}/decision", response_model=ComplaintDetail)
def decide_recovery(
    session: DbSession, user: ComplaintsApprove, recovery_id: RowId, body: RecoveryDecision
) -> ComplaintDetail:
    """Approve or reject a pending recovery; its maker cannot decide it (403)."""
    return service.decide_recovery(
        session, user=user, recovery_id=recovery_id, version=body.version, approve=body.approve
    )
