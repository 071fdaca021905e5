"""Checking the audit trail and searching it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bankcrm.audit import repository
from bankcrm.audit.chain import first_break
from bankcrm.audit.schemas import AuditEntryPage, AuditEntryRead, AuditVerification
from bankcrm.core.enums import AuditAction
from bankcrm.core.pagination import PageParams


def verify(session: Session) -> AuditVerification:
    """Recompute the whole chain; names the first entry that is not as it was written."""
    head_seq, head_hash = repository.head(session)
    checked, broken = first_break(
        repository.stored_links(session), head_seq=head_seq, head_hash=head_hash
    )
    return AuditVerification(
        entries_checked=checked,
        head_seq=head_seq,
        head_hash=head_hash,
        intact=broken is None,
        broken_at=broken.seq if broken else None,
        problem=broken.problem if broken else None,
    )


def search(
    session: Session,
    *,
    actor: str | None = None,
    customer_id: int | None = None,
    action: AuditAction | None = None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> AuditEntryPage:
    """Entries matching every filter, newest first; ``until`` includes that whole day."""
    params = PageParams(page=page, page_size=page_size)
    rows, total = repository.search(
        session,
        actor=actor,
        customer_id=customer_id,
        action=action,
        entity=entity,
        since=datetime.combine(since, time.min) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min) if until else None,
        offset=params.offset,
        limit=params.page_size,
    )
    return AuditEntryPage(
        items=[AuditEntryRead.model_validate(row) for row in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )
