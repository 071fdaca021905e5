"""Per-customer aggregates of two implementations must be equal, column for column."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.segmentation.features import FEATURE_COLUMNS

COMPARED = FEATURE_COLUMNS


def _canonical(table: pa.Table) -> pa.Table:
    columns = {}
    for name in COMPARED:
        column = table.column(name)
        textual = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        target = pa.string() if textual else pa.int64()
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
