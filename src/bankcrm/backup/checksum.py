"""The canonical form of a row and the checksum of a table, the same on every backend.

A table's checksum is the SHA-256 of its rows in primary-key order, each row written as a
JSON array of its values in column order (UTF-8, no spaces) followed by a newline:

- SQL NULL is ``null``, which no text value (the empty string, or a JSON column holding
  the document ``null``) can equal;
- integers in decimal; floats as their shortest round-trip decimal (Python ``repr``);
  booleans ``true``/``false``;
- text as a JSON string; dates as ``"YYYY-MM-DD"``; datetimes in UTC with microseconds,
  ``"YYYY-MM-DDTHH:MM:SS.ffffff+00:00"`` (SQLite returns them without an offset: they are
  stored in UTC);
- JSON documents as a JSON string holding their canonical text (sorted keys, no spaces), so
  a document sums the same whichever backend spelled it. The archive keeps the stored text;
- decimals as a JSON string of their plain digits without trailing zeros (``"2000"`` for
  2000.00, whatever scale a backend or the archive gives them);
- binary values as a JSON string of their base64.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any


class ColumnKind(StrEnum):
    """What a column holds, independent of the backend's type names."""

    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"
    DECIMAL = "decimal"
    BINARY = "binary"


def canonical_json(text: str) -> str:
    """``text`` (a JSON document) with sorted keys and no insignificant whitespace."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _date(value: date) -> date:
    # a DATE column read through a datetime-returning driver still means the day
    return value.date() if isinstance(value, datetime) else value


def _decimal(value: Decimal | float | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


_NORMALISERS: dict[ColumnKind, Callable[[Any], Any]] = {
    ColumnKind.INTEGER: int,
    ColumnKind.FLOAT: float,
    ColumnKind.BOOLEAN: bool,
    ColumnKind.TEXT: str,  # StrEnum members (enumeration columns) become their value
    ColumnKind.DATE: _date,
    ColumnKind.DATETIME: _utc,
    ColumnKind.JSON: str,
    ColumnKind.DECIMAL: _decimal,
    ColumnKind.BINARY: bytes,
}


def normalise_column(kind: ColumnKind, values: Sequence[Any]) -> list[Any]:
    """The values of one column in their one form, the form the archive stores.

    Idempotent: normalising values read back from an archive changes nothing.
    """
    normalise = _NORMALISERS[kind]
    return [None if value is None else normalise(value) for value in values]


def _boolean_token(value: bool) -> str:
    return "true" if value else "false"


def _date_token(value: date) -> str:
    return f'"{value.isoformat()}"'


def _datetime_token(value: datetime) -> str:
    return f'"{value.isoformat(timespec="microseconds")}"'


def _json_token(value: str) -> str:
    return encode_basestring(canonical_json(value))


def _decimal_token(value: Decimal) -> str:
    return f'"{value.normalize():f}"'


def _binary_token(value: bytes) -> str:
    return f'"{base64.b64encode(value).decode()}"'


_TOKENS: dict[ColumnKind, Callable[[Any], str]] = {
    ColumnKind.INTEGER: int.__repr__,
    ColumnKind.FLOAT: float.__repr__,
    ColumnKind.BOOLEAN: _boolean_token,
    ColumnKind.TEXT: encode_basestring,
    ColumnKind.DATE: _date_token,
    ColumnKind.DATETIME: _datetime_token,
    ColumnKind.JSON: _json_token,
    ColumnKind.DECIMAL: _decimal_token,
    ColumnKind.BINARY: _binary_token,
}


class TableChecksum:
    """Running row count and SHA-256 of one table, fed one batch of columns at a time.

    Parameters
    ----------
    kinds
        The kind of each column, in the table's column order.
    """

    def __init__(self, kinds: Sequence[ColumnKind]) -> None:
        self.kinds = list(kinds)
        self.rows = 0
        self._hash = hashlib.sha256()

    def update(self, columns: Sequence[Sequence[Any]]) -> None:
        """Add a batch given as normalised columns (see :func:`normalise_column`)."""
        token_columns = []
        for kind, values in zip(self.kinds, columns, strict=True):
            token = _TOKENS[kind]
            token_columns.append(["null" if value is None else token(value) for value in values])
        rows = [",".join(row) for row in zip(*token_columns, strict=True)]
        if rows:
            self._hash.update(("[" + "]\n[".join(rows) + "]\n").encode())
        self.rows += len(rows)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
