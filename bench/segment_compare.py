"""Per-customer aggregates of two implementations must be equal, column for column."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

COMPARED = (
    "customer_id",
    "customer_type",
    "status",
    "branch_id",
    "manager_id",
    "credit_grade",
    "other_banks_assets_cents",
    "onboarded_min",
    "last_transaction_min",
    "first_opened_min",
    "balance_minutes",
    "balance_minutes_first",
    "balance_minutes_second",
    "transactions",
    "turnover_cents",
    "active_slices",
    "interactions",
    "product_categories",
    "accounts_opened",
    "open_accounts",
)


def _canonical(table: pa.Table) -> pa.Table:
    columns = {}
    for name in COMPARED:
        column = table.column(name)
        target = pa.string() if pa.types.is_string(column.type) else pa.int64()
        if pa.types.is_large_string(column.type):
            target = pa.string()
        columns[name] = column.cast(target).combine_chunks()
    return pa.table(columns)


def assert_same(expected: pa.Table, actual: pa.Table, label: str) -> None:
    """Equal row for row and column for column (nulls included), else name the first miss."""
    if expected.num_rows != actual.num_rows:
        raise AssertionError(f"{label}: {actual.num_rows:,} rows, expected {expected.num_rows:,}")
    left, right = _canonical(expected), _canonical(actual)
    for name in COMPARED:
        a, b = left.column(name), right.column(name)
        if a.equals(b):
            continue
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        index = pc.index(pc.or_(same, both_null), False).as_py()
        customer = left.column("customer_id")[index].as_py()
        raise AssertionError(
            f"{label}: {name} of customer {customer} is {b[index].as_py()!r}, "
            f"expected {a[index].as_py()!r}"
        )
