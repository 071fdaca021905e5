"""Imports: all or nothing, idempotent, streamed in chunks."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Table

from bankcrm import tables as models
from bankcrm.audit import recorder as audit_recorder
from bankcrm.core import files
from bankcrm.core.clock import utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.db import Base, make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest import repository
from bankcrm.ingest.schema import TableSpec
from bankcrm.ingest.sources import TableSource, native_sources
from bankcrm.ingest.staging import ROW_NUMBER, Staging, reference_column, staging_for
from bankcrm.ingest.validation import BatchLocation, check_columns, convert_batch

Progress = Callable[[str, int], None]

TARGET_TABLES: dict[str, str] = {
    "branches": models.Branch.__tablename__,
    "staff": models.StaffUser.__tablename__,
    "products": models.Product.__tablename__,
    "customers": models.Customer.__tablename__,
    "manager_assignments": models.ManagerAssignment.__tablename__,
    "accounts": models.Account.__tablename__,
    "account_parties": models.AccountParty.__tablename__,
    "standing_orders": models.StandingOrder.__tablename__,
    "holdings": models.Holding.__tablename__,
    "transactions": models.Transaction.__tablename__,
    "interactions": models.Interaction.__tablename__,
    "complaints": models.Complaint.__tablename__,
    "survey_responses": models.SurveyResponse.__tablename__,
}

TRANSACTION_COLUMNS = 11

FIRST_LOAD_ROWS = 50_000
"""From this many rows, a table that is still empty is loaded with its foreign keys checked
once afterwards (PostgreSQL checks them row by row otherwise, most of a large load's time);
the checks of the stage have found every reference already."""

LOAD_CACHE_KIB = 256 * 1024
"""SQLite's page cache during an import (its default is 2 MiB)."""

DERIVED_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "transactions": {"customer_id": ("account_id", "customer_id")},
}


@dataclass
class ImportReport:
    rows_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def import_directory(
    database_url: str,
    directory: Path,
    *,
    source_format: Literal["native", "berka"] = "native",
    encoding: str = files.DEFAULT_ENCODING,
    progress: Progress | None = None,
) -> ImportReport:
    """Load every file of ``directory`` in one transaction: either all of it or nothing.
    Text files are read as ``encoding`` (UTF-8 by default, a byte-order mark allowed)."""
    if source_format == "berka":
        from bankcrm.ingest.importers.berka import berka_sources

        sources = berka_sources(
            directory, encoding=encoding, max_field_bytes=get_settings().import_max_field_bytes
        )
    else:
        sources = native_sources(directory, encoding=encoding)
    return import_sources(database_url, sources, progress=progress)


def import_sources(
    database_url: str, sources: list[TableSource], *, progress: Progress | None = None
) -> ImportReport:
    """Stage every file, converted and checked row by row, then, in one transaction, check
    the staged rows against each other and the store and upsert them table by table."""
    started = time.perf_counter()
    settings = get_settings()
    report = ImportReport()
    engine = make_engine(database_url)
    try:
        with (
            engine.connect() as connection,
            staging_for(connection, database_url) as staging,
            connection.begin(),
        ):
            if connection.dialect.name == "sqlite":
                # the store's pages the upserts touch stay in memory for the load
                connection.exec_driver_sql(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
            stages = [
                _stage_file(
                    staging,
                    source,
                    chunk_rows=settings.import_chunk_rows,
                    max_field_bytes=settings.import_max_field_bytes,
                    local_zone=settings.timezone,
                    progress=progress,
                )
                for source in sources
            ]
            staging.finish()
            if connection.dialect.name == "postgresql":
                repository.one_import_at_a_time(connection)
            for source, (stage, rows) in zip(sources, stages, strict=True):
                _check_stage(connection, source.table, source.label, stage)
                target = _target(source.table)
                first_load = (
                    connection.dialect.name == "postgresql"
                    and rows >= FIRST_LOAD_ROWS
                    and repository.is_empty(connection, target)
                )
                with (
                    repository.foreign_keys_checked_once(connection, target)
                    if first_load
                    else nullcontext()
                ):
                    repository.upsert_from_stage(
                        connection,
                        table=source.table,
                        stage=stage,
                        target=target,
                        referenced=_referenced_tables(source.table),
                        derived=DERIVED_COLUMNS.get(source.table.name, {}),
                        now=utcnow(),
                        into_empty=first_load,
                    )
                report.rows_by_table[source.table.name] = rows
            audit_recorder.append_now(
                connection,
                actor_label="import",
                action=AuditAction.IMPORT,
                entity="import",
                after={"rows_by_table": report.rows_by_table},
            )
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _stage_file(
    staging: Staging,
    source: TableSource,
    *,
    chunk_rows: int,
    max_field_bytes: int,
    local_zone: str,
    progress: Progress | None,
) -> tuple[Table, int]:
    """The file's rows converted into a stage, and how many there were."""
    table = source.table
    names = source.column_names(max_field_bytes=max_field_bytes)
    check_columns(table, source.label, names)
    target = _target(table)
    max_lengths = _text_lengths(table, target)
    stage = staging.create(table, target)
    rows_read = 0
    # the chunk setting counts rows of a transaction-wide file; wider files take fewer rows
    # per chunk so that memory stays bounded by cells, not rows
    rows_per_batch = max(1_000, chunk_rows * TRANSACTION_COLUMNS // max(len(names), 1))
    for batch in source.batches(rows_per_batch, max_field_bytes=max_field_bytes):
        location = BatchLocation(file=source.label, first_row=rows_read + 1)
        converted = convert_batch(
            table,
            batch,
            location,
            local_zone=local_zone,
            max_lengths=max_lengths,
            max_field_bytes=max_field_bytes,
        )
        staging.append(stage, _stage_rows(table, stage, converted, first_row=rows_read + 1))
        rows_read += batch.num_rows
        if progress:
            progress(f"import {table.name}", batch.num_rows)
    return stage, rows_read


def _stage_rows(
    table: TableSpec, stage: Table, converted: dict[str, pa.Array], *, first_row: int
) -> pa.Table:
    """Converted file columns under their staging names, in the stage's order, after the
    row numbers; absent columns are all null."""
    length = len(next(iter(converted.values()))) if converted else 0
    columns: dict[str, pa.Array] = {
        ROW_NUMBER: pa.array(np.arange(first_row, first_row + length, dtype=np.int64))
    }
    for spec in table.columns:
        name = reference_column(spec) if spec.references else spec.model_attribute
        values = converted.get(spec.name)
        columns[name] = pa.nulls(length, pa.string()) if values is None else values
    return pa.table([columns[column.name] for column in stage.columns], names=list(columns))


def _target(table: TableSpec) -> Table:
    return Base.metadata.tables[TARGET_TABLES[table.name]]


def _text_lengths(table: TableSpec, target: Table) -> dict[str, int]:
    """The most characters each text column of the file may have, from the store's columns."""
    lengths: dict[str, int] = {}
    for spec in table.columns:
        column = (
            Base.metadata.tables[TARGET_TABLES[spec.references]].c.external_id
            if spec.references
            else target.c[spec.model_attribute]
        )
        length = getattr(column.type, "length", None)
        if isinstance(length, int):
            lengths[spec.name] = length
    return lengths


def _referenced_tables(table: TableSpec) -> dict[str, Table]:
    return {
        spec.references: Base.metadata.tables[TARGET_TABLES[spec.references]]
        for spec in table.columns
        if spec.references
    }


def _check_stage(connection: Connection, table: TableSpec, label: str, stage: Table) -> None:
    duplicate = repository.first_duplicate(connection, stage)
    if duplicate is not None:
        row, external_id = duplicate
        raise ImportRejected(
            f"the id {external_id!r} appears more than once in the file",
            file=label,
            row=row,
            column="id",
        )
    for spec in table.columns:
        if not spec.references:
            continue
        referenced = Base.metadata.tables[TARGET_TABLES[spec.references]]
        dangling = repository.first_dangling_reference(connection, stage, spec, referenced)
        if dangling is not None:
            row, value = dangling
            raise ImportRejected(
                f"no {spec.references} record has the id {value!r}",
                file=label,
                row=row,
                column=spec.name,
            )
