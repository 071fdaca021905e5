"""Checking the audit trail, anchoring its head outside the database, and searching it."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bankcrm.audit import repository
from bankcrm.audit.chain import (
    Anchor,
    AnchorError,
    ChainBreak,
    anchor_breaks,
    anchor_line,
    first_break,
    read_anchor,
)
from bankcrm.audit.schemas import AuditEntryPage, AuditEntryRead, AuditVerification
from bankcrm.core.clock import utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction
from bankcrm.core.exceptions import BankcrmError
from bankcrm.core.pagination import PageParams

MAX_ANCHOR_FILE_BYTES = 16 * 1024 * 1024
"""An anchor is about 190 bytes: this is tens of thousands of anchors, and stops a wrong
file (the database, a backup) from being read whole."""


class AnchorRefused(BankcrmError):
    """No anchor was written: a trail that fails ``verify`` is not vouched for."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def verify(session: Session, *, anchor_file: Path | None = None) -> AuditVerification:
    """Recompute the whole chain, check that the append-only triggers are in place and, with
    ``anchor_file``, that the trail still holds every entry its signed anchors vouch for.

    Names the first entry that is not as it was written, and every problem in ``problems``."""
    head_seq, head_hash = repository.head(session)
    checked, broken = first_break(
        repository.stored_links(session), head_seq=head_seq, head_hash=head_hash
    )
    breaks: list[ChainBreak] = [broken] if broken else []
    other_problems: list[str] = []
    anchors: list[Anchor] = []
    if anchor_file is not None:
        anchors, file_problems = read_anchors(anchor_file)
        other_problems.extend(file_problems)
        if not anchors and not file_problems:
            other_problems.append(f"audit anchor {anchor_file}: holds no anchor")
        stored = repository.entry_hashes(session, {anchor.seq for anchor in anchors})
        breaks.extend(anchor_breaks(anchors, head_seq=head_seq, stored_hashes=stored))
    missing_triggers = []
    for guard, state in repository.unguarded(session):
        missing_triggers.append(guard.name)
        other_problems.append(
            f"audit trail unprotected: the append-only trigger {guard.name} is {state}, "
            f"so {guard.refuses} of audit entries is not refused"
        )
    first = min(breaks, key=lambda found: found.seq) if breaks else None
    problems = [f"audit trail broken at entry {found.seq}: {found.problem}" for found in breaks]
    problems += other_problems
    return AuditVerification(
        entries_checked=checked,
        head_seq=head_seq,
        head_hash=head_hash,
        intact=not problems,
        broken_at=first.seq if first else None,
        problem=first.problem if first else (problems[0] if problems else None),
        missing_triggers=missing_triggers,
        anchors_checked=len(anchors),
        anchored_seq=max((anchor.seq for anchor in anchors), default=None),
        problems=problems,
    )


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors kept in ``path`` (one JSON line each) and a problem for each line that is
    not an anchor signed with this installation's key."""
    key = get_settings().secret_key.encode()
    try:
        if path.stat().st_size > MAX_ANCHOR_FILE_BYTES:
            return [], [
                f"audit anchor {path}: larger than {MAX_ANCHOR_FILE_BYTES:,} bytes, "
                "not an anchor file"
            ]
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        return [], [f"audit anchor {path}: cannot be read ({reason})"]
    anchors, problems = [], []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(read_anchor(line, key))
        except AnchorError as error:
            problems.append(f"audit anchor {path} line {number}: {error}")
    return anchors, problems


def write_anchor(session: Session, *, out: Path) -> Anchor:
    """Sign the head of a trail that passes ``verify`` (against the anchors already in
    ``out``, so a trail cut back since the last anchor is not vouched for) and append the
    anchor to ``out``, created readable by its owner only. AnchorRefused otherwise."""
    earlier = out if out.exists() and (out.is_dir() or out.stat().st_size > 0) else None
    result = verify(session, anchor_file=earlier)
    if not result.intact:
        raise AnchorRefused(result.problems)
    if result.head_seq == 0:
        raise AnchorRefused(["audit trail empty: there is no entry to anchor yet"])
    anchor = Anchor(seq=result.head_seq, entry_hash=result.head_hash, written_at=utcnow())
    try:
        _append_line(out, anchor_line(anchor, get_settings().secret_key.encode()))
    except OSError as error:
        raise AnchorRefused([f"audit anchor {out}: cannot be written ({error.strerror})"]) from None
    return anchor


def _append_line(path: Path, line: str) -> None:
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(descriptor).st_size
        ends_open = size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"
        os.write(descriptor, (("\n" if ends_open else "") + line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
