"""Appending many rows held in Arrow, inside the caller's transaction, by each store's
fastest path."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, Table

from bankcrm.core.sqlite_files import ATTACHED_SCRATCH, folder_of, scratch_writer


def append_arrow(connection: Connection, table: Table, rows: pa.Table) -> None:
    """Append ``rows``, whose columns are named after ``table``'s, to ``table``; no value
    becomes a Python object, and the store's own constraints check every row.

    PostgreSQL reads them by ``COPY`` from the CSV that Arrow writes. On SQLite the ADBC
    driver writes them into a scratch database beside the store, which the transaction
    attaches and copies from in one ``INSERT … SELECT``; the connection detaches and removes
    it when it goes back to the pool.
    """
    if rows.num_rows == 0:
        return
    if connection.dialect.name == "postgresql":
        copy_csv(connection, table.name, rows)
        return
    rows = _as_the_orm_stores(rows)
    folder = Path(
        tempfile.mkdtemp(prefix="bankcrm-bulk-", dir=folder_of(connection.engine.url.database))
    )
    scratch = folder / "rows.sqlite"
    attached = connection.info.setdefault(ATTACHED_SCRATCH, [])
    schema = f"bulk_rows_{len(attached)}"
    try:
        with scratch_writer(scratch) as writer, writer.cursor() as cursor:
            cursor.adbc_ingest("rows", rows, mode="create")
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(scratch),))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    attached.append((schema, folder))
    names = ", ".join(f'"{name}"' for name in rows.column_names)
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {schema}.rows'
    )


def _as_the_orm_stores(rows: pa.Table) -> pa.Table:
    """``rows`` as SQLAlchemy stores their values in SQLite: truth as 1 and 0, days and
    times as text (times on their own clock, without the offset), dictionaries decoded.
    Any other kind than integers, floats and text is refused."""
    for index, field in enumerate(rows.schema):
        column, kind = rows.column(index), field.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
        elif pa.types.is_boolean(kind):
            column = column.cast(pa.int64())
        elif pa.types.is_date32(kind):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(kind):
            in_microseconds = column.cast(pa.timestamp("us", kind.tz))
            column = pc.strftime(in_microseconds, "%Y-%m-%d %H:%M:%S")
        elif not (
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_null(kind)
        ):
            raise TypeError(f"column {field.name} is {kind}: not stored through the bulk path")
        rows = rows.set_column(index, field.name, column)
    return rows


def copy_csv(connection: Connection, table: str, rows: pa.Table) -> None:
    """``COPY`` ``rows`` into the PostgreSQL table ``table`` (in the connection's
    transaction), as the CSV Arrow writes of them."""
    text = pa.BufferOutputStream()
    pa_csv.write_csv(rows, text, write_options=pa_csv.WriteOptions(include_header=False))
    # Arrow quotes every string, so an unquoted empty field is a null, as COPY reads it
    names = ", ".join(f'"{name}"' for name in rows.column_names)
    statement = f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv)'
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        copy.write(memoryview(text.getvalue()))
