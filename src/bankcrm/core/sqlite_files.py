"""What every connection to an SQLite store shares, whichever driver opens it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 30_000
"""How long a connection waits out another connection's lock before it gives up."""


def scratch_writer(path: Path) -> Any:
    """An ADBC connection that writes the scratch database ``path``, each ingest its own
    transaction; a scratch file is thrown away whatever happens, so it keeps no journal and
    is never synced."""
    import adbc_driver_sqlite.dbapi

    writer = adbc_driver_sqlite.dbapi.connect(str(path), autocommit=True)
    with writer.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
    return writer


def folder_of(database: str | None) -> Path | None:
    """The folder of a store's file, so scratch files sit on the store's own disk, which has
    room for what the store holds; ``None`` (the system's temporary folder) for a store in
    memory."""
    if not database or database == ":memory:":
        return None
    return Path(database).resolve().parent


ATTACHED_SCRATCH = "bankcrm.attached_scratch"
"""Key of a pooled connection's info: the scratch databases it attached, as (schema name,
folder of the file) pairs, to be detached and removed when it goes back to the pool."""


def detach_scratch(dbapi_connection: Any, record: Any) -> None:
    """Detach the scratch databases a connection attached and remove their files: SQLite
    refuses to detach a database that the open transaction read, so this waits until the
    connection is back in the pool, its transaction over."""
    for schema, folder in record.info.pop(ATTACHED_SCRATCH, []):
        try:
            if dbapi_connection is not None:
                dbapi_connection.execute(f"DETACH DATABASE {schema}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
