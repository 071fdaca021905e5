"""Where import batches come from: files in the documented format (CSV or Parquet)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.schema import TABLES, TableSpec

SUFFIXES = (".csv", ".parquet")
CSV_BLOCK_BYTES = 4 << 20


@dataclass(frozen=True)
class TableSource:
    """One table's data: a name for messages and a way to read it in batches."""

    table: TableSpec
    label: str
    path: Path | None = None
    data: pa.Table | None = None

    def column_names(self) -> list[str]:
        if self.data is not None:
            return list(self.data.schema.names)
        assert self.path is not None
        if self.path.suffix == ".parquet":
            return list(pq.ParquetFile(self.path).schema_arrow.names)
        with self.path.open("r", encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
        reader = pa_csv.read_csv(
            pa.py_buffer(header.encode()),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=False),
        )
        return list(reader.schema.names)

    def batches(self, rows_per_batch: int) -> Iterator[pa.RecordBatch | pa.Table]:
        if self.data is not None:
            yield from self.data.to_batches(max_chunksize=rows_per_batch)
            return
        assert self.path is not None
        if self.path.suffix == ".parquet":
            yield from pq.ParquetFile(self.path).iter_batches(batch_size=rows_per_batch)
            return
        names = self.column_names()
        reader = pa_csv.open_csv(
            self.path,
            read_options=pa_csv.ReadOptions(block_size=CSV_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
            ),
        )
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= rows_per_batch:
                yield pa.Table.from_batches(pending)
                pending, pending_rows = [], 0
        if pending:
            yield pa.Table.from_batches(pending)


def native_sources(directory: Path) -> list[TableSource]:
    """The files of ``directory`` in load order; unknown files and missing tables are errors."""
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
        TableSource(table=table, label=found[table.name].name, path=found[table.name])
        for table in TABLES
        if table.name in found
    ]
