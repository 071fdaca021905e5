"""Checking the audit trail and searching it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bankcrm.audit import repository
from bankcrm.audit.chain import first_break
from bankcrm.audit.schemas import AuditEntryPage, AuditEntryRead, AuditVerification
from bankcrm.core.config import get_settings
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
    """Entries matching every filter, newest first; ``since`` and ``until`` are days in the
    bank's time zone, the one entries are shown in, and ``until`` includes that whole day."""
    params = PageParams(page=page, page_size=page_size)
    rows, total = repository.search(
        session,
        actor=actor,
        customer_id=customer_id,
        action=action,
        entity=entity,
        since=_bank_midnight(since) if since else None,
        until=_bank_midnight(until, days_later=1) if until else None,
        offset=params.offset,
        limit=params.page_size,
    )
    return AuditEntryPage(
        items=[AuditEntryRead.model_validate(row) for row in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


def _bank_midnight(day: date, *, days_later: int = 0) -> datetime | None:
    """The start of ``day`` (or of a day ``days_later``) in the bank's time zone, in UTC as
    the trail stores times; None at either end of the calendar, where nothing needs bounding."""
    midnight = datetime.combine(day, time.min, tzinfo=ZoneInfo(get_settings().timezone))
    try:
        return (midnight + timedelta(days=days_later)).astimezone(UTC)
    except OverflowError:
        return None
