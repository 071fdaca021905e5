"""Query results as Arrow columns, read from the records store through ADBC.

ADBC drivers hand over columnar batches, so millions of rows reach the engine without a
Python object per value.

On SQLite the read runs in a child process. The ADBC driver carries its own copy of the
SQLite library, and two copies in one process do not see each other's POSIX locks: when the
driver's connection closes, its copy believes itself the last user of the store, checkpoints
and deletes the write-ahead log under the connections the application holds open, whose next
reads then fail with "disk I/O error" (see "Multiple copies of SQLite linked into the same
application" in SQLite's "How To Corrupt An SQLite Database File"). Between processes the
locks hold, so the child reads as any other reader of the store would.

``python -m bankcrm.core.columnar DATABASE FOLDER`` is that child: it reads the statements
as a JSON list on standard input and writes the result of the n-th to ``FOLDER/n.arrow``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
from sqlalchemy.engine import make_url

from bankcrm.core.sqlite_files import BUSY_TIMEOUT_MS, folder_of


class StoreReadError(RuntimeError):
    """The child process reading the SQLite store ended with an error."""


def read_tables(database_url: str, statements: Sequence[str]) -> list[pa.Table]:
    """Each statement's result, in order, as an Arrow table."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _read_sqlite_in_child(url.database or ":memory:", statements)
    from adbc_driver_postgresql import dbapi as postgres_dbapi

    uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with postgres_dbapi.connect(uri) as connection, connection.cursor() as cursor:
        tables = []
        for statement in statements:
            cursor.execute(statement)
            tables.append(cursor.fetch_arrow_table())
        return tables


def _read_sqlite_in_child(database: str, statements: Sequence[str]) -> list[pa.Table]:
    with tempfile.TemporaryDirectory(prefix="bankcrm-read-", dir=folder_of(database)) as directory:
        child = subprocess.run(
            [sys.executable, "-m", __name__, database, directory],
            input=json.dumps(list(statements)),
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise StoreReadError(f"reading {database} failed: {child.stderr.strip()[-2000:]}")
        # memory-mapped: the tables stay readable after the folder is removed
        return [
            ipc.open_file(pa.memory_map(str(Path(directory) / f"{index}.arrow"))).read_all()
            for index in range(len(statements))
        ]


def write_results(database: str, folder: Path, statements: Sequence[str]) -> None:
    """The child's work: each statement's batches, as the driver reads them, into an Arrow
    file, so the child holds one batch at a time."""
    from adbc_driver_sqlite import dbapi as sqlite_dbapi

    with sqlite_dbapi.connect(database) as connection, connection.cursor() as cursor:
        # as the application's connections do: wait out another connection's brief lock
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        for index, statement in enumerate(statements):
            cursor.execute(statement)
            batches = cursor.fetch_record_batch()
            with (
                pa.OSFile(str(folder / f"{index}.arrow"), "wb") as sink,
                ipc.new_file(sink, batches.schema) as writer,
            ):
                for batch in batches:
                    writer.write_batch(batch)


if __name__ == "__main__":
    write_results(sys.argv[1], Path(sys.argv[2]), json.load(sys.stdin))
