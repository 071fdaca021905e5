"""Appending many rows held in Arrow, inside the caller's transaction, by each store's
fastest path."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, Table


def append_arrow(connection: Connection, table: Table, rows: pa.Table) -> None:
    """Append ``rows``, whose columns are named after ``table``'s, to ``table``.

    PostgreSQL reads them by ``COPY`` from the CSV that Arrow writes, so no value becomes a
    Python object. SQLite takes them through the driver's ``executemany``, each value passed
    through its column type's conversion, as an ORM insert would store it.
    """
    if rows.num_rows == 0:
        return
    if connection.dialect.name == "postgresql":
        copy_csv(connection, table.name, rows)
        return
    columns = [table.c[name] for name in rows.column_names]
    values: list[list[Any]] = []
    for column, data in zip(columns, rows.columns, strict=True):
        convert = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        plain = data.to_pylist()
        values.append(plain if convert is None else [convert(value) for value in plain])
    names = ", ".join(f'"{column.name}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', zip(*values, strict=True)
        )
    finally:
        cursor.close()


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
