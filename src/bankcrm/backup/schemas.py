"""The manifest of a backup archive and the reports of the backup commands."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bankcrm.backup.checksum import ColumnKind


class ColumnEntry(BaseModel):
    name: str
    kind: ColumnKind


class TableShape(BaseModel):
    """A table's name, key and columns: enough to read it in key order on any backend."""

    name: str
    primary_key: list[str]
    columns: list[ColumnEntry]


class TableEntry(TableShape):
    """One table of the archive: where its rows are and what they must add up to."""

    file: str
    """Member of the archive holding the rows, an Arrow IPC stream."""
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    format_version: int
    alembic_revision: str
    """Schema revision of the backed-up database; restore migrates the target to it."""
    created_at: datetime
    source_dialect: str
    tables: list[TableEntry]
    """In foreign-key order: a table comes after every table it refers to."""


class BackupReport(BaseModel):
    path: str
    database: str
    """The database URL, password hidden."""
    dialect: str
    alembic_revision: str
    tables: int
    rows: int
    bytes: int
    seconds: float
    rows_by_table: dict[str, int]


class RestoreReport(BaseModel):
    path: str
    database: str
    """The database URL, password hidden."""
    dialect: str
    source_dialect: str
    alembic_revision: str
    tables: int
    rows: int
    bytes: int
    seconds: float
    rows_by_table: dict[str, int]


class ArchiveCheck(BaseModel):
    """An archive read through and found to match its manifest; no database involved."""

    path: str
    source_dialect: str
    alembic_revision: str
    created_at: datetime
    tables: int
    rows: int
    bytes: int
    seconds: float
