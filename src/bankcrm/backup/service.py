"""Back up the records store into one portable archive, check an archive, restore one.

The archive is the same whichever backend wrote it, so a SQLite backup restores into
PostgreSQL and back. A backup reads every table inside one snapshot (see
``repository.snapshot``), so it is consistent while the application keeps writing. A
restore checks the archive against its manifest before it touches the target, and checks
the restored tables against it again before it commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, make_url
from sqlalchemy.exc import DBAPIError

import bankcrm.tables  # noqa: F401  (registers every table on Base.metadata)
from bankcrm.backup import repository
from bankcrm.backup.archive import FORMAT_VERSION, ArchiveReader, ArchiveWriter, table_member
from bankcrm.backup.checksum import TableChecksum, normalise_column
from bankcrm.backup.schemas import (
    ArchiveCheck,
    BackupReport,
    ColumnEntry,
    Manifest,
    RestoreReport,
    TableEntry,
    TableShape,
)
from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base, make_engine
from bankcrm.core.exceptions import BankcrmError, Conflict, ValidationFailed
from bankcrm.core.migrate import alembic_config, upgrade

Progress = Callable[[str, int], None]
"""``progress(stage, rows)``: called as rows are done, as ``cli/_progress.py`` draws them."""


def _no_progress(_stage: str, _rows: int) -> None:
    pass


def model_tables() -> list[TableShape]:
    """Every table of the application's models, each after the tables it refers to; not
    those the store's triggers keep (they are rebuilt as the rows they count are restored)."""
    return [
        TableShape(
            name=table.name,
            primary_key=[column.name for column in table.primary_key.columns],
            columns=[
                ColumnEntry(name=column.name, kind=repository.column_kind(column.type))
                for column in table.columns
            ],
        )
        for table in Base.metadata.sorted_tables
        if not table.info.get("kept_by_triggers")
    ]


def backup(
    database_url: str,
    out_path: Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> BackupReport:
    """Write every table of the database at ``database_url`` to the archive ``out_path``.

    Raises
    ------
    ValidationFailed
        The database does not exist or is not at this bankcrm's schema revision, or
        ``out_path`` cannot be written.
    Conflict
        ``out_path`` exists and ``overwrite`` is false.
    BankcrmError
        The database is unreachable or failed (the driver's message).
    """
    started = time.perf_counter()
    _check_destination(out_path, overwrite=overwrite)
    _check_source_exists(database_url)
    engine = make_engine(database_url)
    try:
        with (
            _unwritable(out_path),
            _database_errors(database_url),
            repository.snapshot(engine) as connection,
            ArchiveWriter(out_path) as writer,
        ):
            revision = _revision_of_source(connection, database_url)
            entries = _write_tables(connection, writer, progress or _no_progress)
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                alembic_revision=revision,
                created_at=utcnow(),
                source_dialect=engine.dialect.name,
                tables=entries,
            )
            size = writer.commit(manifest)
    finally:
        engine.dispose()
    return BackupReport(
        path=str(out_path),
        database=_shown(database_url),
        dialect=manifest.source_dialect,
        alembic_revision=revision,
        tables=len(entries),
        rows=sum(entry.rows for entry in entries),
        bytes=size,
        seconds=round(time.perf_counter() - started, 3),
        rows_by_table={entry.name: entry.rows for entry in entries},
    )


def _write_tables(
    connection: Connection, writer: ArchiveWriter, progress: Progress
) -> list[TableEntry]:
    entries = []
    for shape in model_tables():
        checksum = TableChecksum([column.kind for column in shape.columns])
        progress(shape.name, 0)
        with writer.table(shape.name, shape.columns) as write:
            for batch in repository.stream_columns(connection, shape):
                values = _normalised(shape, batch)
                checksum.update(values)
                write(values)
                progress(shape.name, len(values[0]))
        entries.append(
            TableEntry(
                **shape.model_dump(),
                file=table_member(shape.name),
                rows=checksum.rows,
                sha256=checksum.hexdigest(),
            )
        )
    return entries


def check_archive(in_path: Path, *, progress: Progress | None = None) -> ArchiveCheck:
    """Read the whole archive and prove every table's row count and checksum; no database."""
    started = time.perf_counter()
    with ArchiveReader(in_path) as archive:
        _check_tables(archive, progress or _no_progress)
        manifest = archive.manifest
    return ArchiveCheck(
        path=str(in_path),
        source_dialect=manifest.source_dialect,
        alembic_revision=manifest.alembic_revision,
        created_at=manifest.created_at,
        tables=len(manifest.tables),
        rows=sum(entry.rows for entry in manifest.tables),
        bytes=in_path.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
    )


def restore(database_url: str, in_path: Path, *, progress: Progress | None = None) -> RestoreReport:
    """Restore the archive ``in_path`` into the empty (or not yet existing) database.

    The archive is proven first; the schema is then migrated to the backup's revision and
    every table inserted in one transaction, which commits only if every restored table's
    row count and checksum equal the manifest's.

    Raises
    ------
    ValidationFailed
        The archive is corrupt, unknown or does not match its manifest, or the restored
        rows differ from it (then nothing is restored).
    Conflict
        The target database already holds data; the message names the first such table.
    BankcrmError
        The database is unreachable or failed (the driver's message).
    """
    started = time.perf_counter()
    report = progress or _no_progress
    with ArchiveReader(in_path) as archive:
        manifest = archive.manifest
        _check_tables(archive, report)
        with _database_errors(database_url):
            repository.create_database_if_missing(database_url)
        engine = make_engine(database_url)
        try:
            with _database_errors(database_url):
                with engine.connect() as connection:
                    _refuse_target_with_data(connection, manifest)
                _migrate(database_url, manifest.alembic_revision)
                with engine.begin() as connection:
                    _check_target_schema(connection, manifest, database_url)
                    _insert_tables(connection, archive, report)
                    if engine.dialect.name == "postgresql":
                        repository.reset_id_sequences(connection, manifest.tables)
                    _check_restored(connection, manifest, report)
            dialect = engine.dialect.name
        finally:
            engine.dispose()
    return RestoreReport(
        path=str(in_path),
        database=_shown(database_url),
        dialect=dialect,
        source_dialect=manifest.source_dialect,
        alembic_revision=manifest.alembic_revision,
        tables=len(manifest.tables),
        rows=sum(entry.rows for entry in manifest.tables),
        bytes=in_path.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
        rows_by_table={entry.name: entry.rows for entry in manifest.tables},
    )


def table_checksum(connection: Connection, shape: TableShape) -> TableChecksum:
    """Row count and checksum of one table as the database holds it now."""
    checksum = TableChecksum([column.kind for column in shape.columns])
    for batch in repository.stream_columns(connection, shape):
        checksum.update(_normalised(shape, batch))
    return checksum


def _normalised(shape: TableShape, batch: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [
        normalise_column(column.kind, values)
        for column, values in zip(shape.columns, batch, strict=True)
    ]


def _check_destination(out_path: Path, *, overwrite: bool) -> None:
    if not out_path.parent.is_dir():
        raise ValidationFailed(f"{out_path.parent}: no such folder", field="out")
    if out_path.exists() and not overwrite:
        raise Conflict(f"{out_path} exists: choose another name or overwrite it")


def _check_source_exists(database_url: str) -> None:
    parsed = make_url(database_url)
    file = parsed.database or ":memory:"
    # connecting would create an empty SQLite file and then back that up
    if parsed.get_backend_name() == "sqlite" and file != ":memory:" and not Path(file).is_file():
        raise ValidationFailed(f"{file}: no such database", field="database_url")


def _revision_of_source(connection: Connection, database_url: str) -> str:
    revision = repository.alembic_revision(connection)
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    if revision is None:
        raise ValidationFailed(
            f"{_shown(database_url)} has no schema revision: not a bankcrm database",
            field="database_url",
        )
    if revision != head:
        raise ValidationFailed(
            f"{_shown(database_url)} is at schema revision {revision}, this bankcrm at "
            f"{head}: run `bankcrm db upgrade` first",
            field="database_url",
        )
    return revision


def _check_tables(archive: ArchiveReader, progress: Progress) -> None:
    for entry in archive.manifest.tables:
        checksum = TableChecksum([column.kind for column in entry.columns])
        for batch in archive.batches(entry):
            checksum.update(_normalised(entry, batch))
            progress("check archive", len(batch[0]))
        _compare(entry, checksum, f"{archive.path}: {entry.file}")


def _compare(entry: TableEntry, checksum: TableChecksum, where: str) -> None:
    if checksum.rows != entry.rows or checksum.hexdigest() != entry.sha256:
        raise ValidationFailed(
            f"{where}: table {entry.name} has {checksum.rows:,} rows with checksum "
            f"{checksum.hexdigest()}, the manifest says {entry.rows:,} rows with checksum "
            f"{entry.sha256}",
            field="archive",
        )


def _refuse_target_with_data(connection: Connection, manifest: Manifest) -> None:
    existing = repository.existing_tables(connection)
    for entry in manifest.tables:
        if entry.name in existing and repository.holds_data(connection, entry.name):
            raise Conflict(
                f"the target database already holds data (table {entry.name}): "
                "restore only into an empty database"
            )


def _migrate(database_url: str, revision: str) -> None:
    try:
        upgrade(database_url, revision)
    except CommandError as error:
        raise ValidationFailed(
            f"cannot bring the target database to the backup's schema revision {revision}: {error}",
            field="archive",
        ) from error


def _check_target_schema(connection: Connection, manifest: Manifest, database_url: str) -> None:
    revision = repository.alembic_revision(connection)
    if revision != manifest.alembic_revision:
        raise ValidationFailed(
            f"{_shown(database_url)} is at schema revision {revision}, the backup at "
            f"{manifest.alembic_revision}: restore into a new database",
            field="database_url",
        )
    for entry in manifest.tables:
        archived = {column.name for column in entry.columns}
        present = set(repository.table_columns(connection, entry.name))
        if archived != present:
            raise ValidationFailed(
                f"table {entry.name}: the archive has columns {sorted(archived - present)} "
                f"the database lacks and lacks {sorted(present - archived)}",
                field="archive",
            )


def _insert_tables(connection: Connection, archive: ArchiveReader, progress: Progress) -> None:
    for entry in archive.manifest.tables:
        repository.delete_migration_seed(connection, entry.name)
        for batch in archive.batches(entry):
            try:
                repository.insert_columns(connection, entry, _normalised(entry, batch))
            except DBAPIError as error:
                raise ValidationFailed(
                    f"table {entry.name}: the database refused a row: {_first_line(error)}; "
                    "nothing was restored",
                    field="archive",
                ) from error
            progress("restore", len(batch[0]))


def _check_restored(connection: Connection, manifest: Manifest, progress: Progress) -> None:
    for entry in manifest.tables:
        _compare(
            entry,
            table_checksum(connection, entry),
            "restored rows differ from the backup, nothing was restored",
        )
        progress("verify", entry.rows)


@contextmanager
def _unwritable(path: Path) -> Iterator[None]:
    """A file system's refusal (no permission, disk full) as a domain error naming the file."""
    try:
        yield
    except OSError as error:
        raise ValidationFailed(
            f"{path}: cannot write the archive ({error.strerror or error})", field="out"
        ) from error


@contextmanager
def _database_errors(database_url: str) -> Iterator[None]:
    """The driver's own words for a database that is unreachable, locked or refuses."""
    try:
        yield
    except DBAPIError as error:
        raise BankcrmError(f"{_shown(database_url)}: {_first_line(error)}") from error


def _first_line(error: DBAPIError) -> str:
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else str(error)


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)
