"""All SQL of the audit trail: appending under the head lock, streaming, searching, and
looking at the triggers that keep it append-only."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from bankcrm.audit.chain import Link, StoredLink, link_hash
from bankcrm.audit.models import AuditEntry, AuditHead
from bankcrm.core.enums import AuditAction

HEAD_ID = 1
VERIFY_BATCH = 20_000
HASH_LOOKUP_BATCH = 500

_HEAD = cast(Table, AuditHead.__table__)
_ENTRIES = cast(Table, AuditEntry.__table__)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_seq=_HEAD.c.last_seq + bindparam("count"))
    .returning(_HEAD.c.last_seq, _HEAD.c.last_hash)
)
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_hash=bindparam("hash"))
_LINK_COLUMNS = [_ENTRIES.c[name] for name in Link.__dataclass_fields__]


def count_actions(session: Session, *, action: AuditAction, start: datetime, end: datetime) -> int:
    """Entries of ``action`` from ``start`` up to (not including) ``end``."""
    statement = select(func.count()).where(
        AuditEntry.action == action, AuditEntry.occurred_at >= start, AuditEntry.occurred_at < end
    )
    return int(session.scalar(statement) or 0)


def append(connection: Connection, links: Sequence[Link]) -> None:
    """Chain ``links`` onto the trail in this transaction, numbering them in order.

    The first statement moves the head, so it takes the write lock at once (the head row on
    PostgreSQL, the database on SQLite): appenders queue there and the chain never forks."""
    if not links:
        return
    moved = connection.execute(_MOVE_HEAD, {"count": len(links)}).one()
    seq = int(moved.last_seq) - len(links)
    prev_hash = str(moved.last_hash)
    rows = []
    for pending in links:
        seq += 1
        link = replace(pending, seq=seq)
        entry_hash = link_hash(prev_hash, link)
        rows.append({**vars(link), "prev_hash": prev_hash, "entry_hash": entry_hash})
        prev_hash = entry_hash
    connection.execute(insert(_ENTRIES), rows)
    connection.execute(_SET_HEAD_HASH, {"hash": prev_hash})


def head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one()
    return int(row.last_seq), str(row.last_hash)


def stored_links(session: Session) -> Iterator[StoredLink]:
    """Every entry in ``seq`` order, in batches of plain rows (the trail can be long)."""
    after = 0
    columns = [*_LINK_COLUMNS, _ENTRIES.c.prev_hash, _ENTRIES.c.entry_hash]
    while True:
        batch = session.execute(
            select(*columns)
            .where(_ENTRIES.c.seq > after)
            .order_by(_ENTRIES.c.seq)
            .limit(VERIFY_BATCH)
        ).all()
        if not batch:
            return
        for *fields, prev_hash, entry_hash in batch:
            yield StoredLink(link=Link(*fields), prev_hash=prev_hash, entry_hash=entry_hash)
        after = batch[-1][0]


def entry_hashes(session: Session, seqs: Collection[int]) -> dict[int, str]:
    """The stored ``entry_hash`` of each of ``seqs`` that exists."""
    wanted = sorted(set(seqs))
    hashes: dict[int, str] = {}
    for start in range(0, len(wanted), HASH_LOOKUP_BATCH):
        batch = wanted[start : start + HASH_LOOKUP_BATCH]
        rows = session.execute(
            select(_ENTRIES.c.seq, _ENTRIES.c.entry_hash).where(_ENTRIES.c.seq.in_(batch))
        )
        hashes.update({int(seq): str(entry_hash) for seq, entry_hash in rows})
    return hashes


@dataclass(frozen=True)
class Guard:
    """One trigger that keeps ``audit_entries`` append-only, as the migration created it."""

    name: str
    refuses: str
    """The statements it refuses, for the message when it is gone."""
    definition: str
    """Its SQL (SQLite) or its function's body (PostgreSQL), whitespace collapsed."""


_COMMON_MESSAGE = "'audit entries are append-only'"
GUARDS = {
    "sqlite": [
        Guard(
            name=f"audit_entries_no_{event.lower()}",
            refuses=event,
            definition=f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON "
            f"audit_entries BEGIN SELECT RAISE(ABORT, {_COMMON_MESSAGE}); END",
        )
        for event in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        Guard(
            name="audit_entries_append_only",
            refuses="UPDATE, DELETE and TRUNCATE",
            definition=f"BEGIN RAISE EXCEPTION {_COMMON_MESSAGE}; END",
        )
    ],
}
"""The triggers of migration db74f8466a8c (audit trail, privacy requests, retention)."""

_PG_BEFORE, _PG_DELETE, _PG_UPDATE, _PG_TRUNCATE = 2, 8, 16, 32
"""Bits of ``pg_trigger.tgtype``."""


def _collapsed(sql: str | None) -> str:
    return " ".join((sql or "").split())


def unguarded(session: Session) -> list[tuple[Guard, str]]:
    """Each append-only trigger that is not as the migration created it, with what is wrong
    with it: ``missing``, ``disabled`` or ``altered``."""
    dialect = session.get_bind().dialect.name
    found: list[tuple[Guard, str]] = []
    for guard in GUARDS.get(dialect, []):
        state = (
            _postgres_trigger_state(session, guard)
            if dialect == "postgresql"
            else _sqlite_trigger_state(session, guard)
        )
        if state is not None:
            found.append((guard, state))
    return found


def _sqlite_trigger_state(session: Session, guard: Guard) -> str | None:
    sql = session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": guard.name},
    ).scalar_one_or_none()
    if sql is None:
        return "missing"
    return None if _collapsed(sql) == guard.definition else "altered"


def _postgres_trigger_state(session: Session, guard: Guard) -> str | None:
    row = session.execute(
        text(
            "SELECT t.tgenabled, t.tgtype, t.tgqual IS NULL AS unconditional, p.prosrc "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = to_regclass('audit_entries') AND t.tgname = :name"
        ),
        {"name": guard.name},
    ).one_or_none()
    if row is None:
        return "missing"
    if row.tgenabled not in ("O", "A"):
        return "disabled"
    events = _PG_BEFORE | _PG_DELETE | _PG_UPDATE | _PG_TRUNCATE
    if (
        int(row.tgtype) & events != events
        or not row.unconditional
        or _collapsed(row.prosrc) != guard.definition
    ):
        return "altered"
    return None


def search(
    session: Session,
    *,
    actor: str | None,
    customer_id: int | None,
    action: AuditAction | None,
    entity: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[AuditEntry], int]:
    """Entries matching every given filter, newest first."""
    conditions = []
    if actor:
        conditions.append(AuditEntry.actor_label == actor)
    if customer_id is not None:
        conditions.append(AuditEntry.customer_id == customer_id)
    if action is not None:
        conditions.append(AuditEntry.action == action)
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if since is not None:
        conditions.append(AuditEntry.occurred_at >= since)
    if until is not None:
        conditions.append(AuditEntry.occurred_at < until)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.seq.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total or 0)
