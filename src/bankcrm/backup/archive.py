"""The backup file: a zip archive of one Arrow IPC stream per table and a ``manifest.json``.

The streams compress their own buffers (zstd), so the zip stores them as they are. Every
problem reading an archive (not a zip, truncated, a member missing or altered, a manifest of
another format) becomes a :class:`ValidationFailed` naming the file, never a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyarrow as pa
import pydantic

from bankcrm.backup.checksum import ColumnKind
from bankcrm.backup.schemas import ColumnEntry, Manifest, TableEntry
from bankcrm.core.exceptions import ValidationFailed

FORMAT_VERSION = 1
MANIFEST_MEMBER = "manifest.json"
MANIFEST_MAX_BYTES = 16 << 20
"""A manifest lists each table's columns, rows and checksum: a few kilobytes for the whole
store. A larger one is refused unread rather than read whole."""

ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    ColumnKind.INTEGER: pa.int64(),
    ColumnKind.FLOAT: pa.float64(),
    ColumnKind.BOOLEAN: pa.bool_(),
    ColumnKind.TEXT: pa.string(),
    ColumnKind.DATE: pa.date32(),
    ColumnKind.DATETIME: pa.timestamp("us", tz="UTC"),
    ColumnKind.JSON: pa.string(),
    ColumnKind.DECIMAL: pa.decimal128(38, 10),
    ColumnKind.BINARY: pa.large_binary(),
}
"""Fixed by the column's kind, not by the values, so an all-NULL batch keeps its type."""

_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,  # json.JSONDecodeError and pyarrow.ArrowInvalid among them
    pa.ArrowException,
    pydantic.ValidationError,
)


def arrow_schema(columns: Sequence[ColumnEntry]) -> pa.Schema:
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.kind]) for column in columns])


def table_member(table: str) -> str:
    return f"tables/{table}.arrow"


class ArchiveWriter:
    """Write an archive to a temporary file beside ``path``; :meth:`commit` moves it there.

    Until then ``path`` is untouched, so a backup that fails half way leaves no archive that
    looks complete. Leaving the ``with`` block without committing removes the temporary file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        handle, partial = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
        )
        os.close(handle)
        self._partial = Path(partial)
        self._zip = zipfile.ZipFile(self._partial, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._committed = False

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if not self._committed:
            self._zip.close()
            self._partial.unlink(missing_ok=True)

    @contextmanager
    def table(
        self, name: str, columns: Sequence[ColumnEntry]
    ) -> Iterator[Callable[[Sequence[Sequence[Any]]], None]]:
        """A ``write(columns)`` function that appends one batch of column values to table
        ``name``."""
        schema = arrow_schema(columns)
        # force_zip64: the size is unknown until the stream ends and may pass 2 GiB
        with (
            self._zip.open(table_member(name), "w", force_zip64=True) as member,
            pa.ipc.new_stream(member, schema, options=_IPC_OPTIONS) as stream,
        ):

            def write(values: Sequence[Sequence[Any]]) -> None:
                arrays = [
                    pa.array(column, type=field.type)
                    for column, field in zip(values, schema, strict=True)
                ]
                stream.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))

            yield write

    def commit(self, manifest: Manifest) -> int:
        """Add the manifest, make the archive durable and move it to ``path``; its size."""
        self._zip.writestr(
            MANIFEST_MEMBER,
            manifest.model_dump_json(indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        self._zip.close()
        with self._partial.open("rb") as written:
            os.fsync(written.fileno())
        self._partial.replace(self.path)
        self._committed = True
        return self.path.stat().st_size


@contextmanager
def _readable(path: Path, what: str) -> Iterator[None]:
    try:
        yield
    except _UNREADABLE as error:
        raise ValidationFailed(
            f"{path}: {what} is corrupt or not a bankcrm backup ({error})", field="archive"
        ) from error
    except OSError as error:
        raise ValidationFailed(
            f"{path}: cannot read {what} ({error.strerror or error})", field="archive"
        ) from error


class ArchiveReader:
    """Read an archive written by :class:`ArchiveWriter`; the manifest is checked on opening."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise ValidationFailed(f"{path}: no such backup file", field="archive")
        with _readable(path, "the archive"):
            self._zip = zipfile.ZipFile(path)
        try:
            self.manifest = self._read_manifest()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._zip.close()

    def _read_manifest(self) -> Manifest:
        if MANIFEST_MEMBER not in self._zip.namelist():
            raise ValidationFailed(
                f"{self.path}: no {MANIFEST_MEMBER}: not a bankcrm backup", field="archive"
            )
        with _readable(self.path, MANIFEST_MEMBER):
            raw = json.loads(self._manifest_bytes())
            version = raw.get("format_version") if isinstance(raw, dict) else None
            if version != FORMAT_VERSION:
                raise ValidationFailed(
                    f"{self.path}: backup format version {version!r} is unknown; "
                    f"this bankcrm reads version {FORMAT_VERSION}",
                    field="archive",
                )
            return Manifest.model_validate(raw)

    def _manifest_bytes(self) -> bytes:
        """The manifest, read no further than :data:`MANIFEST_MAX_BYTES` (a zip's stated
        sizes may lie)."""
        too_large = ValidationFailed(
            f"{self.path}: {MANIFEST_MEMBER} is larger than the {MANIFEST_MAX_BYTES:,} bytes "
            "a manifest may have: not a bankcrm backup",
            field="archive",
        )
        if self._zip.getinfo(MANIFEST_MEMBER).file_size > MANIFEST_MAX_BYTES:
            raise too_large
        with self._zip.open(MANIFEST_MEMBER) as member:
            content = member.read(MANIFEST_MAX_BYTES + 1)
        if len(content) > MANIFEST_MAX_BYTES:
            raise too_large
        return content

    def batches(self, table: TableEntry) -> Iterator[list[list[Any]]]:
        """The table's rows, one batch at a time, as lists of column values (datetimes
        without their zone: pass them through ``normalise_column``)."""
        expected = arrow_schema(table.columns)
        with _readable(self.path, table.file):
            member = self._zip.open(table.file)
            with member, pa.ipc.open_stream(member) as stream:
                if not stream.schema.equals(expected):
                    raise ValidationFailed(
                        f"{self.path}: {table.file} holds columns {stream.schema.names} "
                        f"of other types than the manifest's {expected.names}",
                        field="archive",
                    )
                for batch in stream:
                    yield [_python_values(column) for column in batch.columns]
                _read_to_end(member)


def _python_values(column: pa.Array) -> list[Any]:
    if pa.types.is_timestamp(column.type):
        # naive datetimes convert three times faster than zone-aware ones; the values are
        # UTC, and normalise_column gives them their zone back
        return column.cast(pa.timestamp("us")).to_pylist()
    return column.to_pylist()


def _read_to_end(member: IO[bytes]) -> None:
    # zipfile checks a member's CRC-32 only once its last byte has been read
    while member.read(1 << 16):
        pass
