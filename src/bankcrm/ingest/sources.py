"""Where import batches come from: files in the documented format (CSV or Parquet).

CSV files are read in the encoding the user names (UTF-8 by default; GB18030 and GBK are
transcoded by pyarrow through Python's codecs, block by block). A file pyarrow cannot read
is walked once more to name the first row and column at fault, never left as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.schema import TABLES, TableSpec

SUFFIXES = (".csv", ".parquet")
CSV_BLOCK_BYTES = 4 << 20
"""pyarrow reads CSV in blocks of this many bytes (as UTF-8); a row must fit in one."""
ENCODING_HINT = "name the file's encoding (GB18030 or GBK exports: --encoding gb18030)"


def csv_block_bytes(max_field_bytes: int) -> int:
    """The block size that holds a row with a field of the largest size allowed."""
    return max(CSV_BLOCK_BYTES, 2 * max_field_bytes)


def refusal(
    error: Exception,
    path: Path,
    label: str,
    *,
    encoding: str,
    max_field_bytes: int,
    max_row_bytes: int,
    delimiter: str = ",",
) -> ImportRejected:
    """What to tell the user when pyarrow failed on the CSV file ``path`` with ``error``:
    the first row and column it cannot take, else pyarrow's first line."""
    return files.csv_refusal(
        error,
        path,
        label=label,
        encoding=encoding,
        max_field_bytes=max_field_bytes,
        max_row_bytes=max_row_bytes,
        delimiter=delimiter,
        encoding_hint=ENCODING_HINT,
    )


@dataclass(frozen=True)
class TableSource:
    """One table's data: a name for messages and a way to read it in batches."""

    table: TableSpec
    label: str
    path: Path | None = None
    data: pa.Table | None = None
    encoding: str = files.DEFAULT_ENCODING
    """Of a CSV file; any text encoding Python knows (``gb18030``, ``gbk``, ``utf-8-sig``)."""

    def _arrow_encoding(self) -> str:
        # pyarrow reads UTF-8 itself (a byte-order mark is skipped); other encodings go
        # through Python's incremental decoder
        return "utf8" if files.is_utf8(self.encoding) else files.text_encoding(self.encoding)

    def _refusal(self, error: Exception, max_field_bytes: int) -> ImportRejected:
        assert self.path is not None
        return refusal(
            error,
            self.path,
            self.label,
            encoding=self.encoding,
            max_field_bytes=max_field_bytes,
            max_row_bytes=csv_block_bytes(max_field_bytes),
        )

    def column_names(self, *, max_field_bytes: int = files.MAX_FIELD_BYTES) -> list[str]:
        if self.data is not None:
            return list(self.data.schema.names)
        assert self.path is not None
        if self.path.suffix == ".parquet":
            return list(pq.ParquetFile(self.path).schema_arrow.names)
        codec = "utf-8-sig" if files.is_utf8(self.encoding) else self.encoding
        longest = csv_block_bytes(max_field_bytes)
        try:
            with files.open_text(self.path, encoding=codec, errors="surrogateescape") as text:
                header = text.readline(longest)
        except UnicodeError as error:
            raise self._refusal(error, max_field_bytes) from None
        if len(header) >= longest or files.has_undecodable(header):
            raise self._refusal(ValueError("the header cannot be read"), max_field_bytes)
        reader = pa_csv.read_csv(
            pa.py_buffer(header.encode()),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=False),
        )
        return list(reader.schema.names)

    def batches(
        self, rows_per_batch: int, *, max_field_bytes: int = files.MAX_FIELD_BYTES
    ) -> Iterator[pa.RecordBatch | pa.Table]:
        if self.data is not None:
            yield from self.data.to_batches(max_chunksize=rows_per_batch)
            return
        assert self.path is not None
        if self.path.suffix == ".parquet":
            yield from pq.ParquetFile(self.path).iter_batches(batch_size=rows_per_batch)
            return
        names = self.column_names(max_field_bytes=max_field_bytes)
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in self._csv_batches(names, max_field_bytes):
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= rows_per_batch:
                yield pa.Table.from_batches(pending)
                pending, pending_rows = [], 0
        if pending:
            yield pa.Table.from_batches(pending)

    def _csv_batches(self, names: list[str], max_field_bytes: int) -> Iterator[pa.RecordBatch]:
        """pyarrow's batches; a file it cannot read is refused naming the row at fault."""
        assert self.path is not None
        # undecodable bytes come out of the transcoder as UnicodeError, invalid UTF-8 and
        # rows longer than a block as ArrowInvalid
        unreadable = (pa.ArrowInvalid, UnicodeError)
        try:
            reader = pa_csv.open_csv(
                self.path,
                read_options=pa_csv.ReadOptions(
                    block_size=csv_block_bytes(max_field_bytes),
                    encoding=self._arrow_encoding(),
                ),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.string() for name in names},
                    strings_can_be_null=False,
                ),
            )
        except unreadable as error:
            raise self._refusal(error, max_field_bytes) from None
        with reader:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except unreadable as error:
                    raise self._refusal(error, max_field_bytes) from None
                yield batch


def native_sources(directory: Path, *, encoding: str = files.DEFAULT_ENCODING) -> list[TableSource]:
    """The files of ``directory`` in load order; unknown files and missing tables are errors.
    CSV files are read as ``encoding`` text."""
    check_encoding(encoding, directory)
    if not directory.is_dir():
        raise ImportRejected("not a directory", file=str(directory), row=None, column=None)
    known = {table.name: table for table in TABLES}
    found: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix not in SUFFIXES or path.stem not in known:
            raise ImportRejected(
                f"unknown file; expected <table>.csv or <table>.parquet for tables "
                f"{', '.join(known)}",
                file=path.name,
                row=None,
                column=None,
            )
        if path.stem in found:
            raise ImportRejected(
                "the table is given twice (CSV and Parquet)", file=path.name, row=None, column=None
            )
        found[path.stem] = path
    for table in TABLES:
        if table.required_file and table.name not in found:
            raise ImportRejected(
                "a required file is missing", file=f"{table.name}.csv", row=None, column=None
            )
    return [
        TableSource(
            table=table, label=found[table.name].name, path=found[table.name], encoding=encoding
        )
        for table in TABLES
        if table.name in found
    ]


def check_encoding(encoding: str, directory: Path) -> None:
    """Refuse an encoding Python does not know as text before any file is read."""
    try:
        files.text_encoding(encoding)
    except LookupError:
        raise ImportRejected(
            f"{encoding!r} is not a text encoding (gb18030, gbk, utf-8, utf-8-sig, …)",
            file=str(directory),
            row=None,
            column=None,
        ) from None
