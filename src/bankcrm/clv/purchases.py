"""Any transaction file as purchases (``customer_id, day, amount``) for the BTYD models."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.validation import as_text, first_true

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01, the day numbers of ``purchases``."""
    return (day - EPOCH).days


def read_purchases(
    path: Path,
    *,
    customer_column: str,
    date_column: str,
    date_format: str | None = None,
    amount_column: str | None = None,
) -> pa.Table:
    """Read a CSV of transactions; a row without a customer or with a date or amount that
    does not parse refuses the whole file, naming the row and column."""
    text_columns = [customer_column, date_column] + ([amount_column] if amount_column else [])
    try:
        table = pa_csv.read_csv(
            path,
            convert_options=pa_csv.ConvertOptions(
                include_columns=text_columns,
                column_types=dict.fromkeys(text_columns, pa.string()),
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError) as error:
        missing = [name for name in text_columns if f"'{name}'" in str(error)]
        if not missing:  # undecodable text, a field or row too long, a row of other width
            raise files.csv_refusal(error, path, label=path.name) from None
        column = missing[0]
        raise ImportRejected(
            f"no column named {column!r}", file=path.name, row=None, column=column
        ) from None
    if table.num_rows == 0:
        raise ImportRejected("the file has no transactions", file=path.name, row=None, column=None)

    def reject(index: int, column: str, reason: str) -> ImportRejected:
        return ImportRejected(reason, file=path.name, row=index + 1, column=column)

    customers = as_text(table.column(customer_column))
    blank = first_true(pc.is_null(customers))
    if blank is not None:
        raise reject(blank, customer_column, "the customer is empty")

    dates = as_text(table.column(date_column))
    if date_format:
        parsed = pc.strptime(dates, format=date_format, unit="s", error_is_null=True)
    else:
        parsed = pc.cast(
            pc.strptime(dates, format="%Y-%m-%d", unit="s", error_is_null=True), pa.timestamp("s")
        )
    bad_date = first_true(pc.is_null(parsed))
    if bad_date is not None:
        expected = date_format or "%Y-%m-%d"
        raise reject(
            bad_date, date_column, f"{dates[bad_date].as_py()!r} is not a date in {expected}"
        )
    days = pc.divide(pc.cast(parsed, pa.int64()), 86_400)

    columns = {"customer_id": customers, "day": days}
    if amount_column:
        amounts = as_text(table.column(amount_column))
        numeric = pc.match_substring_regex(amounts, r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
        bad_amount = first_true(pc.invert(pc.fill_null(numeric, False)))
        if bad_amount is not None:
            raise reject(
                bad_amount, amount_column, f"{amounts[bad_amount].as_py()!r} is not a number"
            )
        columns["amount"] = pc.cast(amounts, pa.float64())
    else:
        columns["amount"] = pa.nulls(table.num_rows, pa.float64())
    return pa.table(columns)
