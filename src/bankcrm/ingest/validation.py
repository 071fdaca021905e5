"""Check and convert one batch of an import file, column by column, without a Python loop.

Each column arrives as strings (CSV) or typed values (Parquet, cast to strings first). The
happy path is vectorised with pyarrow compute; only when a column fails is it walked value by
value, to name the first bad row exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.schema import ColumnSpec, ColumnType, TableSpec

LARGEST_INTEGER = 2**31 - 1
"""Integer columns of the store are 32-bit."""
INTEGER_PATTERN = r"^\s*[+-]?\d{1,18}\s*$"
MONEY_PATTERN = r"^\s*-?\d{1,15}(\.\d{1,2})?\s*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$"
OFFSET_PATTERN = r"(Z|[+-]\d{2}:?\d{2})$"
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")


@dataclass(frozen=True)
class BatchLocation:
    file: str
    first_row: int
    """Row number (1-based, after the header) of the batch's first row."""


def as_text(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Strings with surrounding blanks removed; empty strings become null."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        if pa.types.is_timestamp(array.type):
            array = pc.strftime(array, format="%Y-%m-%dT%H:%M:%S")
        array = pc.cast(array, pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def first_true(mask: pa.Array) -> int | None:
    filled = pc.fill_null(mask, False)
    if not pc.any(filled).as_py():
        return None
    return int(pc.index(filled, True).as_py())


def _reject(location: BatchLocation, index: int, column: str, reason: str) -> ImportRejected:
    return ImportRejected(reason, file=location.file, row=location.first_row + index, column=column)


def _check_pattern(
    values: pa.Array, pattern: str, location: BatchLocation, column: str, what: str
) -> None:
    mismatch = pc.invert(pc.match_substring_regex(values, pattern))
    index = first_true(mismatch)
    if index is not None:
        raise _reject(location, index, column, f"{what}: {values[index].as_py()!r}")


def _convert_or_locate(
    values: pa.Array,
    convert: Callable[[pa.Array], pa.Array],
    location: BatchLocation,
    column: str,
    what: str,
) -> pa.Array:
    try:
        return convert(values)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for index in range(len(values)):
            try:
                convert(values.slice(index, 1))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise _reject(
                    location, index, column, f"{what}: {values[index].as_py()!r}"
                ) from None
        raise


def _money_to_cents(values: pa.Array) -> pa.Array:
    text = pc.utf8_trim_whitespace(values)
    with_point = pc.if_else(
        pc.match_substring(text, "."), text, pc.binary_join_element_wise(text, ".00", "")
    )
    two_digits = pc.replace_substring_regex(with_point, pattern=r"\.(\d)$", replacement=r".\10")
    return pc.cast(pc.replace_substring(two_digits, ".", ""), pa.int64())


def _datetime_to_utc_text(values: pa.Array, local_zone: str) -> pa.Array:
    """ISO 8601 to ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC; values without an offset are local."""
    normalised = pc.replace_substring_regex(
        values, pattern=" ", replacement="T", max_replacements=1
    )
    with_offset = pc.match_substring_regex(normalised, OFFSET_PATTERN)
    aware_source = pc.if_else(with_offset, normalised, pa.scalar(None, pa.string()))
    naive_source = pc.if_else(with_offset, pa.scalar(None, pa.string()), normalised)
    aware = pc.cast(aware_source, pa.timestamp("us", tz="UTC"))
    naive = pc.assume_timezone(
        pc.cast(naive_source, pa.timestamp("us")),
        timezone=local_zone,
        ambiguous="earliest",
        nonexistent="earliest",
    )
    combined = pc.coalesce(aware, pc.cast(naive, pa.timestamp("us", tz="UTC")))
    return pc.strftime(combined, format="%Y-%m-%d %H:%M:%S")


def _check_json(values: pa.Array, location: BatchLocation, column: str) -> pa.Array:
    for index, value in enumerate(values.to_pylist()):
        if value is None:
            continue
        try:
            json.loads(value)
        except json.JSONDecodeError:
            raise _reject(location, index, column, f"not valid JSON: {value[:60]!r}") from None
    return values


def convert_column(
    spec: ColumnSpec,
    values: pa.Array,
    location: BatchLocation,
    *,
    local_zone: str,
    max_length: int | None = None,
) -> pa.Array:
    """Validate ``values`` (text, nulls for blanks) against ``spec``; return staging values."""
    if max_length is not None:
        index = first_true(pc.greater(pc.utf8_length(values), max_length))
        if index is not None:
            raise _reject(location, index, spec.name, f"longer than {max_length} characters")
    if spec.required:
        index = first_true(pc.is_null(values))
        if index is not None:
            raise _reject(location, index, spec.name, "a value is required")
    present = pc.drop_null(values)
    if len(present) == 0:
        return values
    kind = spec.type
    if kind is ColumnType.TEXT:
        return values
    if kind is ColumnType.ENUM:
        allowed = pa.array(spec.values, pa.string())
        outside = pc.and_(pc.invert(pc.is_in(values, value_set=allowed)), pc.is_valid(values))
        index = first_true(outside)
        if index is not None:
            raise _reject(
                location,
                index,
                spec.name,
                f"{values[index].as_py()!r} is not one of {', '.join(spec.values)}",
            )
        return values
    if kind is ColumnType.INTEGER:
        _check_pattern(values, INTEGER_PATTERN, location, spec.name, "not a whole number")
        numbers = _convert_or_locate(
            values,
            lambda v: pc.cast(pc.utf8_trim_whitespace(v), pa.int64()),
            location,
            spec.name,
            "not a whole number",
        )
        index = first_true(pc.greater(pc.abs(numbers), LARGEST_INTEGER))
        if index is not None:
            raise _reject(location, index, spec.name, f"out of range: {values[index].as_py()!r}")
        return numbers
    if kind is ColumnType.MONEY:
        _check_pattern(
            values, MONEY_PATTERN, location, spec.name, "not an amount with at most two decimals"
        )
        return _money_to_cents(values)
    if kind is ColumnType.DATE:
        _check_pattern(values, DATE_PATTERN, location, spec.name, "not a date (YYYY-MM-DD)")
        _convert_or_locate(
            values, lambda v: pc.cast(v, pa.date32()), location, spec.name, "not a calendar date"
        )
        return values
    if kind is ColumnType.DATETIME:
        _check_pattern(values, DATETIME_PATTERN, location, spec.name, "not a date-time (ISO 8601)")
        return _convert_or_locate(
            values,
            lambda v: _datetime_to_utc_text(v, local_zone),
            location,
            spec.name,
            "not a valid date-time",
        )
    if kind is ColumnType.BOOLEAN:
        lowered = pc.utf8_lower(values)
        known = pa.array((*TRUE_WORDS, *FALSE_WORDS), pa.string())
        index = first_true(
            pc.and_(pc.invert(pc.is_in(lowered, value_set=known)), pc.is_valid(values))
        )
        if index is not None:
            raise _reject(
                location, index, spec.name, f"not true or false: {values[index].as_py()!r}"
            )
        return pc.if_else(
            pc.is_valid(values),
            pc.is_in(lowered, value_set=pa.array(TRUE_WORDS, pa.string())),
            pa.scalar(None, pa.bool_()),
        )
    if kind is ColumnType.JSON:
        return _check_json(values, location, spec.name)
    raise ValueError(f"unknown column type {kind}")


def check_field_bytes(
    values: pa.ChunkedArray | pa.Array, location: BatchLocation, column: str, limit: int
) -> None:
    """No text field longer than ``limit`` bytes, before any other check reads it."""
    kind = values.type
    text_or_bytes = (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    )
    if not text_or_bytes:
        return
    index = first_true(pc.greater(pc.binary_length(values), limit))
    if index is not None:
        raise _reject(location, index, column, f"the field is longer than {limit:,} bytes")


def check_columns(table: TableSpec, file: str, names: list[str]) -> None:
    """The file's header must name every required column and nothing unknown."""
    known = {column.name for column in table.columns}
    for name in names:
        if name not in known:
            raise ImportRejected(
                f"unknown column; expected some of: {', '.join(sorted(known))}",
                file=file,
                row=None,
                column=name,
            )
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise ImportRejected("the column appears twice", file=file, row=None, column=duplicate)
    for column in table.columns:
        if column.required and column.name not in names:
            raise ImportRejected(
                "a required column is missing", file=file, row=None, column=column.name
            )


def convert_batch(
    table: TableSpec,
    batch: pa.RecordBatch | pa.Table,
    location: BatchLocation,
    *,
    local_zone: str,
    max_lengths: dict[str, int],
    max_field_bytes: int | None = None,
) -> dict[str, pa.Array]:
    """The batch as staging columns, keyed by column name.

    ``max_lengths`` gives, per text column, the most characters the store keeps;
    ``max_field_bytes`` the most bytes (as UTF-8) any field of the file may have.
    """
    converted: dict[str, pa.Array] = {}
    for name in batch.schema.names:
        spec = table.column(name)
        if max_field_bytes is not None:
            check_field_bytes(batch.column(name), location, name, max_field_bytes)
        values = as_text(batch.column(name))
        converted[name] = convert_column(
            spec, values, location, local_zone=local_zone, max_length=max_lengths.get(name)
        )
    return converted
