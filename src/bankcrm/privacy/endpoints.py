from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bankcrm.core.enums import PrivacyRequestStatus
from bankcrm.core.pagination import MAX_PAGE_SIZE, RowId
from bankcrm.privacy import service
from bankcrm.privacy.schemas import (
    PrivacyDecision,
    PrivacyRequestCreate,
    PrivacyRequestPage,
    PrivacyRequestRead,
)
from bankcrm.web.deps import DbSession, PrivacyApprove, PrivacyRequests

router = APIRouter(prefix="/privacy/requests", tags=["privacy"])


@router.post("", response_model=PrivacyRequestRead, status_code=201)
def create_request(
    session: DbSession, user: PrivacyRequests, body: PrivacyRequestCreate
) -> PrivacyRequestRead:
    """Register a customer's access, correction or deletion request (due in 15 days); an
    access request needs a `reason`, recorded in the audit trail with its export."""
    return service.create_request(
        session,
        user=user,
        customer_id=body.customer_id,
        kind=body.kind,
        note=body.note,
        reason=body.reason,
        corrections=body.corrections,
    )


@router.get("", response_model=PrivacyRequestPage)
def list_requests(
    session: DbSession,
    user: PrivacyRequests,
    status: PrivacyRequestStatus | None = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> PrivacyRequestPage:
    """Requests of the customers the caller may see, earliest deadline first."""
    return service.list_requests(
        session, user=user, status=status, overdue=overdue, page=page, page_size=page_size
    )


@router.get("/{request_id}", response_model=PrivacyRequestRead)
def read_request(
    session: DbSession, user: PrivacyRequests, request_id: RowId
) -> PrivacyRequestRead:
    return service.get_request(session, user=user, request_id=request_id)


@router.post("/{request_id}/approve", response_model=PrivacyRequestRead)
def approve_request(
    session: DbSession, user: PrivacyApprove, request_id: RowId, body: PrivacyDecision
) -> PrivacyRequestRead:
    """Carry out a correction or deletion, or allow an access request's export by roles that
    see personal data masked; the approver cannot be the person who registered it."""
    return service.approve(session, user=user, request_id=request_id, version=body.version)


@router.post("/{request_id}/reject", response_model=PrivacyRequestRead)
def reject_request(
    session: DbSession, user: PrivacyApprove, request_id: RowId, body: PrivacyDecision
) -> PrivacyRequestRead:
    return service.reject(
        session, user=user, request_id=request_id, version=body.version, reason=body.reason
    )


@router.get(
    "/{request_id}/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def export_request(
    session: DbSession,
    user: PrivacyRequests,
    request_id: RowId,
    file_format: Annotated[Literal["json", "xlsx"], Query(alias="format")] = "json",
) -> Response:
    """An access request's answer: everything kept about the customer (the request completes).

    Recorded in the audit trail with the request's reason. A role without
    `personal_data:view` gets 403 until a second person has approved the request."""
    content, media_type, filename = service.export_customer_data(
        session, user=user, request_id=request_id, file_format=file_format
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
