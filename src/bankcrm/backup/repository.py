"""SQL of backup and restore: a consistent snapshot, streamed reads, bulk inserts, sequences.

Everything runs through SQLAlchemy Core on a Connection: an ORM session would pass through
the audit hooks and add entries to the very trail being copied.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import TypeEngine

from bankcrm.audit import models as audit_models
from bankcrm.backup.checksum import ColumnKind
from bankcrm.backup.schemas import TableEntry, TableShape

BATCH_ROWS = 10_000
ALEMBIC_VERSION_TABLE = "alembic_version"

_SQL_TYPES: dict[ColumnKind, TypeEngine[Any]] = {
    ColumnKind.INTEGER: sa.BigInteger(),
    ColumnKind.FLOAT: sa.Float(),
    ColumnKind.BOOLEAN: sa.Boolean(),
    ColumnKind.TEXT: sa.Text(),
    ColumnKind.DATE: sa.Date(),
    ColumnKind.DATETIME: sa.DateTime(timezone=True),
    ColumnKind.JSON: sa.Text(),  # read and written as the stored text
    ColumnKind.DECIMAL: sa.Numeric(38, 10),
    ColumnKind.BINARY: sa.LargeBinary(),
}


def column_kind(column_type: TypeEngine[Any]) -> ColumnKind:
    """The kind of a model column's type; a type with no kind here is a programming error."""
    # JSON and Boolean before the broader classes some dialect types derive from
    for sql_type, kind in (
        (sa.JSON, ColumnKind.JSON),
        (sa.Boolean, ColumnKind.BOOLEAN),
        (sa.DateTime, ColumnKind.DATETIME),
        (sa.Date, ColumnKind.DATE),
        (sa.Integer, ColumnKind.INTEGER),
        (sa.Float, ColumnKind.FLOAT),
        (sa.Numeric, ColumnKind.DECIMAL),  # after Float, which derives from it
        (sa.String, ColumnKind.TEXT),  # Text and Enum (stored as VARCHAR) too
        (sa.LargeBinary, ColumnKind.BINARY),
    ):
        if isinstance(column_type, sql_type):
            return kind
    raise TypeError(f"backup has no portable form for column type {column_type!r}")


def table_clause(entry: TableShape) -> TableClause:
    """The table as its manifest entry describes it, with types that read and bind each kind
    the same way on every backend (enumerations as their stored text)."""
    return sa.table(
        entry.name, *(sa.column(column.name, _SQL_TYPES[column.kind]) for column in entry.columns)
    )


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees the database as of its first read, however long it reads."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        elif engine.dialect.name == "sqlite":
            # pysqlite opens a transaction only before a write; in WAL mode an explicit one
            # is a read snapshot that writers do not wait for
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def alembic_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table(ALEMBIC_VERSION_TABLE):
        return None
    version = sa.table(ALEMBIC_VERSION_TABLE, sa.column("version_num", sa.String))
    return connection.execute(sa.select(version.c.version_num)).scalar_one_or_none()


def stream_columns(connection: Connection, entry: TableShape) -> Iterator[list[list[Any]]]:
    """The table's rows in primary-key order, ``BATCH_ROWS`` at a time, as column lists.

    JSON columns come as their stored text, so SQL NULL and a JSON ``null`` stay apart.
    """
    table = table_clause(entry)
    selected = [
        sa.cast(table.c[column.name], sa.Text)
        if column.kind is ColumnKind.JSON
        else table.c[column.name]
        for column in entry.columns
    ]
    statement = sa.select(*selected).order_by(*(table.c[name] for name in entry.primary_key))
    result = connection.execute(statement, execution_options={"yield_per": BATCH_ROWS})
    for partition in result.partitions():
        yield [list(values) for values in zip(*partition, strict=True)]


def existing_tables(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def table_columns(connection: Connection, name: str) -> list[str]:
    return [column["name"] for column in sa.inspect(connection).get_columns(name)]


_SEEDED_BY_MIGRATIONS = {audit_models.AuditHead.__tablename__: {"id": 1, "last_seq": 0}}
"""Rows the migrations insert themselves (the audit chain's genesis link): nobody's data."""


def _with_seed(name: str) -> tuple[TableClause, sa.ColumnElement[bool] | None]:
    seed = _SEEDED_BY_MIGRATIONS.get(name)
    if seed is None:
        return sa.table(name), None
    table = sa.table(name, *(sa.column(column) for column in seed))
    return table, sa.and_(*(table.c[column] == value for column, value in seed.items()))


def holds_data(connection: Connection, name: str) -> bool:
    table, seed = _with_seed(name)
    statement = sa.select(sa.literal(1)).select_from(table).limit(1)
    if seed is not None:
        statement = statement.where(sa.not_(seed))
    return connection.execute(statement).first() is not None


def delete_migration_seed(connection: Connection, name: str) -> None:
    """Remove the migration's seed rows, so the backed-up rows can take their keys."""
    table, seed = _with_seed(name)
    if seed is not None:
        connection.execute(sa.delete(table).where(seed))


def insert_columns(
    connection: Connection, entry: TableShape, columns: Sequence[Sequence[Any]]
) -> None:
    """Insert one batch given as normalised column lists in the entry's column order."""
    if not columns or not columns[0]:
        return
    preparer = connection.dialect.identifier_preparer
    table = preparer.quote(entry.name)
    names = ", ".join(preparer.quote(column.name) for column in entry.columns)
    if connection.dialect.name == "postgresql":
        # COPY is an order of magnitude faster than INSERT; its text format hands JSON
        # columns their text unchanged, and None is NULL
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
        return
    # SQLite: store each value exactly as SQLAlchemy would (datetimes as its text form)
    dialect = connection.dialect
    bound = []
    for column, values in zip(entry.columns, columns, strict=True):
        process = _SQL_TYPES[column.kind].dialect_impl(dialect).bind_processor(dialect)
        bound.append(values if process is None else [process(value) for value in values])
    placeholders = ", ".join("?" for _ in entry.columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(zip(*bound, strict=True))
    )


def reset_id_sequences(connection: Connection, entries: Sequence[TableEntry]) -> None:
    """Move each serial key's sequence past the restored ids (PostgreSQL), so the next
    insert does not collide with a restored row."""
    for entry in entries:
        if len(entry.primary_key) != 1:
            continue
        key = entry.primary_key[0]
        sequence = connection.execute(
            sa.select(sa.func.pg_get_serial_sequence(entry.name, key))
        ).scalar_one()
        if sequence is None:
            continue
        table = sa.table(entry.name, sa.column(key))
        next_id = sa.select(sa.func.coalesce(sa.func.max(table.c[key]), 0) + 1).scalar_subquery()
        connection.execute(sa.select(sa.func.setval(sequence, next_id, False)))


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database ``url`` names when the server does not have it yet.

    SQLite needs nothing: connecting creates the file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    probe = create_engine(parsed)
    try:
        # a refused connection means a missing database (created below) or a server that
        # says why not when asked to create it
        with suppress(OperationalError), probe.connect():
            return
    finally:
        probe.dispose()
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            ).first()
            if exists is None:
                quoted = connection.dialect.identifier_preparer.quote(parsed.database)
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        admin.dispose()
