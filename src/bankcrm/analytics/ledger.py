"""The analytics input: the records that feature pipelines read, as Arrow tables.

Times are whole minutes since 1970-01-01 UTC (``*_min``) so every engine computes the same
integers whatever its time-zone settings; dates are the bank's local midnight of that day.
A ledger is read from the records store (``repository.read_ledger``) or kept as Parquet
files (``write_parquet`` / ``read_parquet``) so large banks can run analytics on a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bankcrm.core.exceptions import ValidationFailed

SCHEMAS: dict[str, pa.Schema] = {
    "customers": pa.schema(
        [
            ("customer_id", pa.int64()),
            ("customer_type", pa.string()),
            ("status", pa.string()),
            ("branch_id", pa.int64()),
            ("manager_id", pa.int64()),
            ("credit_grade", pa.string()),
            ("other_banks_assets_cents", pa.int64()),
            ("onboarded_min", pa.int64()),
        ]
    ),
    "accounts": pa.schema(
        [
            ("account_id", pa.int64()),
            ("customer_id", pa.int64()),
            ("category", pa.string()),
            ("opened_min", pa.int64()),
            ("closed_min", pa.int64()),
            ("balance_cents", pa.int64()),
        ]
    ),
    "transactions": pa.schema(
        [
            ("transaction_id", pa.int64()),
            ("account_id", pa.int64()),
            ("customer_id", pa.int64()),
            ("booked_min", pa.int64()),
            ("signed_cents", pa.int64()),
            ("customer_initiated", pa.bool_()),
            ("balance_after_cents", pa.int64()),
        ]
    ),
    "holdings": pa.schema(
        [
            ("customer_id", pa.int64()),
            ("category", pa.string()),
            ("amount_cents", pa.int64()),
            ("started_min", pa.int64()),
            ("ended_min", pa.int64()),
        ]
    ),
    "interactions": pa.schema([("customer_id", pa.int64()), ("occurred_min", pa.int64())]),
}


BOOKED_BALANCE = "balance_after_cents"
"""The transactions' column of the balance booked after each movement (null where the core
system does not send it)."""


@dataclass(frozen=True)
class Ledger:
    customers: pa.Table
    accounts: pa.Table
    transactions: pa.Table
    holdings: pa.Table
    interactions: pa.Table

    @classmethod
    def from_tables(cls, tables: dict[str, pa.Table]) -> Ledger:
        """Check every table against its schema and cast it (integers widen, nulls kept)."""
        checked: dict[str, pa.Table] = {}
        for name, schema in SCHEMAS.items():
            if name not in tables:
                raise ValidationFailed(f"ledger table {name!r} is missing", field=name)
            table = tables[name]
            missing = [column for column in schema.names if column not in table.column_names]
            if missing:
                raise ValidationFailed(
                    f"ledger table {name!r} lacks column(s) {', '.join(missing)}", field=name
                )
            try:
                checked[name] = table.select(schema.names).cast(schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise ValidationFailed(f"ledger table {name!r}: {error}", field=name) from error
        return cls(**checked)

    def tables(self) -> dict[str, pa.Table]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def books_balances(self) -> bool:
        """Whether any movement carries the balance its core system booked after it."""
        column = self.transactions.column(BOOKED_BALANCE)
        return column.null_count < len(column)

    @property
    def rows(self) -> int:
        return sum(table.num_rows for table in self.tables().values())


def write_parquet(ledger: Ledger, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in ledger.tables().items():
        pq.write_table(table, directory / f"{name}.parquet", compression="zstd")


def _fits(actual: pa.DataType, wanted: pa.DataType) -> bool:
    if pa.types.is_integer(wanted):
        return pa.types.is_integer(actual)
    if pa.types.is_string(wanted):
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    return bool(actual == wanted)


@dataclass(frozen=True)
class LedgerFiles:
    """A ledger kept as Parquet files, for engines that scan them without loading them first."""

    directory: Path

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.parquet"

    def books_balances(self) -> bool:
        """Whether any movement carries the balance its core system booked after it, from the
        null counts the file keeps for each row group (not reading the rows); a row group
        without them counts as booking."""
        metadata = pq.ParquetFile(self.path("transactions")).metadata
        for index in range(metadata.num_row_groups):
            group = metadata.row_group(index)
            for position in range(group.num_columns):
                column = group.column(position)
                if column.path_in_schema != BOOKED_BALANCE:
                    continue
                statistics = column.statistics
                if statistics is None or not statistics.has_null_count:
                    return True
                if statistics.null_count < group.num_rows:
                    return True
        return False

    def check(self) -> LedgerFiles:
        """Every file present with every column of a fitting type; names the first that is not."""
        if not self.directory.is_dir():
            raise ValidationFailed(f"{self.directory} is not a folder", field="source")
        for name, schema in SCHEMAS.items():
            path = self.path(name)
            if not path.exists():
                raise ValidationFailed(f"{path} is missing", field="source")
            found = pq.read_schema(path)
            for wanted in schema:
                index = found.get_field_index(wanted.name)
                if index < 0:
                    raise ValidationFailed(f"{path} lacks column {wanted.name!r}", field=name)
                if not _fits(found.field(index).type, wanted.type):
                    raise ValidationFailed(
                        f"{path}: column {wanted.name!r} is {found.field(index).type}, "
                        f"not {wanted.type}",
                        field=name,
                    )
        return self


def read_parquet(directory: Path) -> Ledger:
    if not directory.is_dir():
        raise ValidationFailed(f"{directory} is not a folder", field="source")
    tables: dict[str, pa.Table] = {}
    for name in SCHEMAS:
        path = directory / f"{name}.parquet"
        if not path.exists():
            raise ValidationFailed(f"{path} is missing", field="source")
        tables[name] = pq.read_table(path)
    return Ledger.from_tables(tables)
