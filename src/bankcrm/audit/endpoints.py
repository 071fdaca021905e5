from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.audit import service
from bankcrm.audit.schemas import AuditEntryPage
from bankcrm.core.enums import AuditAction
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE
from bankcrm.web.deps import AuditRead, DbSession

router = APIRouter(prefix="/audit", tags=["audit"])

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]*$"


@router.get("", response_model=AuditEntryPage)
def search_audit(
    session: DbSession,
    _auditor: AuditRead,
    actor: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARACTERS)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    action: AuditAction | None = None,
    entity: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARACTERS)] = None,
    since: Day | None = None,
    until: Day | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> AuditEntryPage:
    """Who did what, when and why: the audit trail, newest first."""
    return service.search(
        session,
        actor=actor,
        customer_id=customer_id,
        action=action,
        entity=entity,
        since=since,
        until=until,
        page=page,
        page_size=page_size,
    )
