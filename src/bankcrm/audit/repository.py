"""All SQL of the audit trail: appending under the head lock, streaming, searching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.orm import Session

from bankcrm.audit.chain import Link, StoredLink, link_hash
from bankcrm.audit.models import AuditEntry, AuditHead
from bankcrm.core.enums import AuditAction

HEAD_ID = 1
VERIFY_BATCH = 10_000


def append(connection: Connection, links: Sequence[Link]) -> None:
    """Chain ``links`` onto the trail in this transaction, numbering them in order.

    The first statement moves the head, so it takes the write lock at once (the head row on
    PostgreSQL, the database on SQLite): appenders queue there and the chain never forks."""
    if not links:
        return
    head = AuditHead.__table__
    entries = AuditEntry.__table__
    assert isinstance(head, Table) and isinstance(entries, Table)
    moved = connection.execute(
        update(head)
        .where(head.c.id == HEAD_ID)
        .values(last_seq=head.c.last_seq + len(links))
        .returning(head.c.last_seq, head.c.last_hash)
    ).one()
    seq = int(moved.last_seq) - len(links)
    prev_hash = str(moved.last_hash)
    rows = []
    for pending in links:
        seq += 1
        link = replace(pending, seq=seq)
        entry_hash = link_hash(prev_hash, link)
        rows.append({**asdict(link), "prev_hash": prev_hash, "entry_hash": entry_hash})
        prev_hash = entry_hash
    connection.execute(insert(entries), rows)
    connection.execute(update(head).where(head.c.id == HEAD_ID).values(last_hash=prev_hash))


def head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one()
    return int(row.last_seq), str(row.last_hash)


def stored_links(session: Session) -> Iterator[StoredLink]:
    """Every entry in ``seq`` order, in batches (the trail can be long)."""
    after = 0
    while True:
        batch = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > after)
            .order_by(AuditEntry.seq)
            .limit(VERIFY_BATCH)
        ).all()
        if not batch:
            return
        for entry in batch:
            yield StoredLink(
                link=Link(
                    seq=entry.seq,
                    occurred_at=entry.occurred_at,
                    actor_id=entry.actor_id,
                    actor_label=entry.actor_label,
                    action=entry.action.value,
                    entity=entry.entity,
                    entity_id=entry.entity_id,
                    customer_id=entry.customer_id,
                    reason=entry.reason,
                    before_json=entry.before_json,
                    after_json=entry.after_json,
                ),
                prev_hash=entry.prev_hash,
                entry_hash=entry.entry_hash,
            )
        after = batch[-1].seq
        session.expunge_all()


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
