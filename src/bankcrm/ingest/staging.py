"""Where an import's converted rows wait until the checks and the upserts read them.

Rows go from Arrow batches to the database without a Python object per value:

* **PostgreSQL**: a temporary table of the import's own transaction, filled by ``COPY …
  FROM STDIN`` with the CSV that Arrow's writer makes of each batch;
* **SQLite**: a scratch database file, filled by the ADBC driver binding the Arrow arrays
  directly, and attached to the import's connection, whose transaction then reads it. The
  scratch file lives in a temporary folder beside the store and is removed afterwards; a
  killed import leaves the store as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import BigInteger, Column, Connection, DateTime, Integer, MetaData, Table, Text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateTable

from bankcrm.core.bulk import copy_csv
from bankcrm.core.sqlite_files import folder_of, scratch_writer
from bankcrm.ingest.schema import ColumnSpec, TableSpec

ROW_NUMBER = "row_no"
SCRATCH_SCHEMA = "import_stage"
"""The name the import's connection gives the attached SQLite scratch database."""


def reference_column(spec: ColumnSpec) -> str:
    return f"{spec.name}_ref"


def stage_columns(table: TableSpec, target: Table) -> list[Column[Any]]:
    """The file's columns as the stage keeps them: the row number, converted values, and
    references still as the external ids the file gives."""
    columns: list[Column[Any]] = [Column(ROW_NUMBER, BigInteger, nullable=False)]
    for spec in table.columns:
        if spec.references:
            columns.append(Column(reference_column(spec), Text))
        else:
            columns.append(Column(spec.model_attribute, target.c[spec.model_attribute].type))
    return columns


class Staging(Protocol):
    def create(self, table: TableSpec, target: Table) -> Table:
        """An empty stage for ``table``'s file, shaped after ``target``."""

    def append(self, stage: Table, rows: pa.Table) -> None:
        """Add ``rows`` (in the stage's column order) to the stage."""

    def finish(self) -> None:
        """Every stage is full; the import's transaction may read them now."""


class CopyStaging:
    """PostgreSQL: temporary tables filled by ``COPY`` in the import's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def create(self, table: TableSpec, target: Table) -> Table:
        stage = Table(
            f"stage_{table.name}", MetaData(), *stage_columns(table, target), prefixes=["TEMPORARY"]
        )
        stage.create(self.connection)
        return stage

    def append(self, stage: Table, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        for index, column in enumerate(stage.columns):
            if isinstance(column.type, DateTime):
                # converted date-times are UTC wall-clock text; the column keeps the offset
                with_offset = pc.binary_join_element_wise(rows.column(index), "+00:00", "")
                rows = rows.set_column(index, column.name, with_offset)
        copy_csv(self.connection, stage.name, rows)

    def finish(self) -> None:
        return None


class ScratchStaging:
    """SQLite: tables of a scratch database written through ADBC, then attached."""

    def __init__(self, connection: Connection, directory: Path) -> None:
        self.connection = connection
        self.path = directory / "stage.sqlite"
        self.writer = scratch_writer(self.path)
        self.attached = False

    def create(self, table: TableSpec, target: Table) -> Table:
        # the row number as the rowid: the upsert reads the stage in file order without a sort
        row_number, *columns = stage_columns(table, target)
        rowid = Column(row_number.name, Integer, primary_key=True)
        local = Table(f"stage_{table.name}", MetaData(), rowid, *columns)
        with self.writer.cursor() as cursor:
            cursor.execute(str(CreateTable(local).compile(dialect=sqlite.dialect())))
        return local.to_metadata(MetaData(), schema=SCRATCH_SCHEMA)

    def append(self, stage: Table, rows: pa.Table) -> None:
        with self.writer.cursor() as cursor:
            cursor.adbc_ingest(stage.name, rows, mode="append")

    def finish(self) -> None:
        self.writer.close()
        # ATTACH is not DML, so the driver starts no transaction for it; the import's
        # transaction begins with its first write and reads the stages from then on
        self.connection.exec_driver_sql(f"ATTACH DATABASE ? AS {SCRATCH_SCHEMA}", (str(self.path),))
        self.attached = True

    def close(self) -> None:
        self.writer.close()
        if self.attached:
            self.connection.exec_driver_sql(f"DETACH DATABASE {SCRATCH_SCHEMA}")


@contextmanager
def staging_for(connection: Connection, store: str) -> Iterator[Staging]:
    """The fastest safe staging for the store behind ``connection`` (whose URL is
    ``store``); the scratch space of SQLite is removed when the import ends, after the
    import's transaction has ended."""
    if connection.dialect.name == "postgresql":
        yield CopyStaging(connection)
        return
    folder = folder_of(make_url(store).database)
    with tempfile.TemporaryDirectory(prefix="bankcrm-import-", dir=folder) as directory:
        staging = ScratchStaging(connection, Path(directory))
        try:
            yield staging
        finally:
            staging.close()
