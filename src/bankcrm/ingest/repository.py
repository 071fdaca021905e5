"""SQL of the import: checks of the staged rows in the database, and one upsert per table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Table,
    func,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from bankcrm.ingest.schema import ColumnSpec, TableSpec
from bankcrm.ingest.staging import ROW_NUMBER, reference_column


def first_duplicate(connection: Connection, stage: Table) -> tuple[int, str] | None:
    """Row number and id of the first row whose id an earlier row of the file already used."""
    external = stage.c.external_id
    any_duplicate = select(external).group_by(external).having(func.count() > 1).limit(1)
    if connection.execute(any_duplicate).first() is None:
        return None
    occurrence = (
        select(
            stage.c[ROW_NUMBER].label("row_no"),
            external.label("external_id"),
            func.row_number()
            .over(partition_by=external, order_by=stage.c[ROW_NUMBER])
            .label("occurrence"),
        )
    ).subquery()
    statement = (
        select(occurrence.c.row_no, occurrence.c.external_id)
        .where(occurrence.c.occurrence == 2)
        .order_by(occurrence.c.row_no)
        .limit(1)
    )
    found = connection.execute(statement).first()
    return None if found is None else (int(found[0]), str(found[1]))


def first_dangling_reference(
    connection: Connection, stage: Table, spec: ColumnSpec, referenced: Table
) -> tuple[int, str] | None:
    """Row number and value of the first reference that names no existing record."""
    column = stage.c[reference_column(spec)]
    statement = (
        select(stage.c[ROW_NUMBER], column)
        .outerjoin(referenced, referenced.c.external_id == column)
        .where(column.is_not(None), referenced.c.id.is_(None))
        .order_by(stage.c[ROW_NUMBER])
        .limit(1)
    )
    found = connection.execute(statement).first()
    return None if found is None else (int(found[0]), str(found[1]))


def upsert_from_stage(
    connection: Connection,
    *,
    table: TableSpec,
    stage: Table,
    target: Table,
    referenced: dict[str, Table],
    derived: dict[str, tuple[str, str]],
    now: datetime,
    into_empty: bool = False,
) -> None:
    """Insert new records and update existing ones (matched on external id), in file order.

    ``derived`` maps a target column to (reference column, column of the referenced table),
    for values the file does not carry (a transaction's customer comes from its account).
    ``into_empty``: the target holds no rows and nobody else can write it (it is locked
    for the transaction), so every row is new and a plain insert does.
    """
    values: dict[str, ColumnElement[Any]] = {}
    source = stage
    aliases: dict[str, Table] = {}
    for spec in table.columns:
        if spec.references:
            alias = referenced[spec.references].alias(f"ref_{spec.name}")
            aliases[spec.name] = alias  # type: ignore[assignment]
            source = source.outerjoin(  # type: ignore[assignment]
                alias, alias.c.external_id == stage.c[reference_column(spec)]
            )
            values[spec.name] = alias.c.id
        else:
            values[spec.model_attribute] = _with_default(
                stage.c[spec.model_attribute], target.c[spec.model_attribute]
            )
    for target_column, (reference, referenced_column) in derived.items():
        values[target_column] = aliases[reference].c[referenced_column]
    for column in target.columns:
        if column.name in values or column.primary_key or column.nullable:
            continue
        if column.name in ("created_at", "updated_at"):
            values[column.name] = literal(now, target.c[column.name].type)
            continue
        default = column.default
        if default is not None and default.is_scalar:
            values[column.name] = literal(default.arg, column.type)  # type: ignore[attr-defined]
    names = list(values)
    selection = (
        select(*(values[name] for name in names))
        .select_from(source)
        .where(true())
        .order_by(stage.c[ROW_NUMBER])
    )
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        target
    )
    statement = insert.from_select(names, selection)
    if into_empty:
        connection.execute(statement)
        return
    updates: dict[str, Any] = {
        name: statement.excluded[name]
        for name in names
        if name not in ("external_id", "created_at", "version")
    }
    if "version" in target.c:
        updates["version"] = target.c.version + 1
    # an erased customer's row stays as the deletion left it: the core system still sends it
    erased = target.c.erased_at.is_(None) if "erased_at" in target.c else None
    connection.execute(
        statement.on_conflict_do_update(index_elements=["external_id"], set_=updates, where=erased)
    )


@contextmanager
def foreign_keys_checked_once(connection: Connection, target: Table) -> Iterator[None]:
    """PostgreSQL: the target's foreign keys come off for the statements inside and go back
    on after them, so that each is checked by one scan of the table instead of a trigger
    call per row. Taking them off locks the table, and those it refers to, until the
    transaction ends: for a first load, when nobody reads them yet."""
    found = connection.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f' ORDER BY conname"
        ),
        {"table": target.name},
    ).all()
    for name, _ in found:
        connection.exec_driver_sql(f'ALTER TABLE "{target.name}" DROP CONSTRAINT "{name}"')
    yield
    for name, definition in found:
        connection.exec_driver_sql(
            f'ALTER TABLE "{target.name}" ADD CONSTRAINT "{name}" {definition}'
        )


IMPORT_LOCK = 0x62616E6B_696D7074
"""The PostgreSQL advisory lock that one import holds at a time (``bankimpt`` in ASCII)."""


def one_import_at_a_time(connection: Connection) -> None:
    """PostgreSQL: wait until no other import's transaction is open, and keep others out
    until this one ends (SQLite's single writer does the same by itself). Two imports then
    never decide at once that a table is empty, nor lock each other's tables in turn."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})


def is_empty(connection: Connection, table: Table) -> bool:
    return connection.execute(select(literal(1)).select_from(table).limit(1)).first() is None


def _with_default(value: ColumnElement[Any], column: Column[Any]) -> ColumnElement[Any]:
    default = column.default
    if default is not None and default.is_scalar and not column.nullable:
        return func.coalesce(value, literal(default.arg, column.type))  # type: ignore[attr-defined]
    return value


def count_rows(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())
