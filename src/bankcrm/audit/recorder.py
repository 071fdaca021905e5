"""Every write and every read of personal data becomes an audit entry, in one place.

Session events collect what each flush changed (before and after, column by column) and
every bulk statement run through a session; the entries are chained onto the trail when the
transaction commits, in the same transaction as the change. A transaction that only read
appends its read entries in a short transaction of its own, so a read never waits on, or
fails for, the write lock it would otherwise take late."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Engine, Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from bankcrm.audit import repository
from bankcrm.audit.chain import Link
from bankcrm.audit.models import AuditEntry, AuditHead
from bankcrm.core.clock import utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction
from bankcrm.privacy.fields import PERSONAL_COLUMNS, SECRET_COLUMNS, SECRET_MARK, fingerprint

PENDING = "audit_pending"
WROTE = "audit_wrote"
ACTOR = "audit_actor"
SYSTEM_ACTOR = "system"
UNAUDITED_TABLES = frozenset({AuditEntry.__tablename__, AuditHead.__tablename__})


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str


def act_as(session: Session, *, actor_id: int | None, label: str) -> None:
    """Attribute this session's entries to a user (``actor_id``) or a named system job."""
    session.info[ACTOR] = Actor(actor_id, label)


def record(
    session: Session,
    *,
    action: AuditAction,
    entity: str,
    entity_id: object = None,
    customer_id: int | None = None,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry that no column change shows: a read of personal data, a login, an export."""
    _pending(session).append(
        _link(session, action, entity, entity_id, customer_id, reason, before, after)
    )


def append_now(
    connection: Any,
    *,
    actor_label: str,
    action: AuditAction,
    entity: str,
    after: dict[str, Any],
) -> None:
    """Chain one entry in a transaction that runs outside any session (the bulk importer)."""
    link = Link(
        seq=0,
        occurred_at=utcnow(),
        actor_id=None,
        actor_label=actor_label,
        action=action.value,
        entity=entity,
        entity_id=None,
        customer_id=None,
        reason=None,
        before_json=None,
        after_json=_to_json(after),
    )
    repository.append(connection, [link])


def _pending(session: Session) -> list[Link]:
    pending: list[Link] = session.info.setdefault(PENDING, [])
    return pending


def _link(
    session: Session,
    action: AuditAction,
    entity: str,
    entity_id: object,
    customer_id: int | None,
    reason: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Link:
    actor = session.info.get(ACTOR) or Actor(None, SYSTEM_ACTOR)
    return Link(
        seq=0,
        occurred_at=utcnow(),
        actor_id=actor.id,
        actor_label=actor.label,
        action=action.value,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        customer_id=customer_id,
        reason=reason,
        before_json=_to_json(before),
        after_json=_to_json(after),
    )


def _to_json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        # a stored model or file: which one is proven by its digest, not repeated in full
        return f"[{len(value):,} bytes, sha256 {hashlib.sha256(value).hexdigest()}]"
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def _recorded(table: str, column: str, value: Any, key: bytes) -> Any:
    """A column value as the trail keeps it: secrets never, personal values as fingerprints."""
    if column in SECRET_COLUMNS.get(table, ()):
        return SECRET_MARK
    if value is not None and column in PERSONAL_COLUMNS.get(table, ()):
        return fingerprint(value, key)
    return _plain(value)


def _customer_of(table: str, instance: Any) -> int | None:
    if table == "customers":
        return getattr(instance, "id", None)
    customer_id = getattr(instance, "customer_id", None)
    return customer_id if isinstance(customer_id, int) else None


def _collect_flush(session: Session, _context: UOWTransaction) -> None:
    key = get_settings().secret_key.encode()
    for action, instances in (
        (AuditAction.CREATE, session.new),
        (AuditAction.UPDATE, session.dirty),
        (AuditAction.DELETE, session.deleted),
    ):
        for instance in instances:
            state = inspect(instance)
            table = state.mapper.local_table
            if not isinstance(table, Table) or table.name in UNAUDITED_TABLES:
                continue
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            if action is AuditAction.UPDATE:
                # only the attributes this flush changed have a committed (old) value
                for attribute in state.committed_state:
                    column_attr = state.mapper.column_attrs.get(attribute)
                    if column_attr is None:
                        continue
                    history = state.attrs[attribute].history
                    if not history.has_changes():
                        continue
                    column = column_attr.columns[0].name
                    old = history.deleted[0] if history.deleted else None
                    new = history.added[0] if history.added else None
                    before[column] = _recorded(table.name, column, old, key)
                    after[column] = _recorded(table.name, column, new, key)
            else:
                target = after if action is AuditAction.CREATE else before
                for column_attr in state.mapper.column_attrs:
                    column = column_attr.columns[0].name
                    value = getattr(instance, column_attr.key)
                    target[column] = _recorded(table.name, column, value, key)
            if action is AuditAction.UPDATE and not after:
                continue
            # a new row's identity key is only set after the flush; its primary key is known
            identity = state.mapper.primary_key_from_instance(instance)
            _pending(session).append(
                _link(
                    session,
                    action,
                    table.name,
                    identity[0] if len(identity) == 1 else identity,
                    _customer_of(table.name, instance),
                    None,
                    before or None,
                    after or None,
                )
            )
            session.info[WROTE] = True


_BULK_ACTIONS = {
    "insert": AuditAction.BULK_INSERT,
    "update": AuditAction.BULK_UPDATE,
    "delete": AuditAction.BULK_DELETE,
}


def _collect_bulk(state: ORMExecuteState) -> Any:
    """One summary entry per bulk statement: which table, how many rows."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.name in UNAUDITED_TABLES:
        return None
    result = state.invoke_statement()
    kind = "insert" if state.is_insert else "update" if state.is_update else "delete"
    parameters = state.parameters
    rows = (
        len(parameters)
        if kind == "insert" and isinstance(parameters, list)
        else max(getattr(result, "rowcount", 0), 0)
    )
    session = state.session
    _pending(session).append(
        _link(session, _BULK_ACTIONS[kind], table.name, None, None, None, None, {"rows": rows})
    )
    session.info[WROTE] = True
    return result


def _append_on_commit(session: Session) -> None:
    session.flush()
    links = session.info.pop(PENDING, [])
    if not links:
        return
    if session.info.pop(WROTE, False):
        repository.append(session.connection(), links)
        return
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with engine.begin() as connection:
        repository.append(connection, links)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WROTE, None)


def install() -> None:
    """Listen on every session of the process (idempotent)."""
    for name, listener in (
        ("after_flush", _collect_flush),
        ("do_orm_execute", _collect_bulk),
        ("before_commit", _append_on_commit),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
