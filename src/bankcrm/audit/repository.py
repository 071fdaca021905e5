"""All SQL of the audit trail: appending under the head lock, streaming, searching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from bankcrm.audit.chain import Link, StoredLink, link_hash
from bankcrm.audit.models import AuditEntry, AuditHead
from bankcrm.core.enums import AuditAction

HEAD_ID = 1
VERIFY_BATCH = 20_000

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
