"""Writing the bank's Excel reports with openpyxl: rows with number formats, bold headings,
column widths; and the one rule every export follows, workbook or CSV: text from the records
is never a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bankcrm.core.clock import bank_wall_time

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CellValue = str | int | float | Decimal | date | None

YUAN_FORMAT = '"¥"#,##0.00'
"""Amounts in yuan, written as numbers: Excel sums and sorts them, and shows the sign."""
DAY_FORMAT = "yyyy-mm-dd"
"""Days (the bank's calendar days), written as dates."""
TIME_FORMAT = "yyyy-mm-dd hh:mm"
"""Moments, written on the bank's wall clock."""

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet recognises a formula (OWASP, CSV injection): a text cell starting with one
of these is written as text."""


def reads_as_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def csv_cell(value: object) -> object:
    """A CSV value a spreadsheet opens as the text it is: a leading quote before a formula lead."""
    return f"'{value}" if reads_as_formula(value) else value


def append_row(
    sheet: Worksheet, values: Sequence[CellValue], formats: Sequence[str | None] = ()
) -> int:
    """Writes a row; ``formats`` gives the number format of its cells, position by position.

    This is the only way rows enter a workbook: a text that reads as a formula is stored as a
    string, quote-prefixed so that editing the cell does not make it one either; a moment is
    written on the bank's wall clock, never in UTC."""
    sheet.append(
        [bank_wall_time(value) if isinstance(value, datetime) else value for value in values]
    )
    row = sheet.max_row
    for cell in sheet[row]:
        if reads_as_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif isinstance(cell.value, datetime):
            cell.number_format = TIME_FORMAT
    for column, number_format in enumerate(formats, start=1):
        if number_format is not None:
            sheet.cell(row=row, column=column).number_format = number_format
    return row


def heading_row(sheet: Worksheet, values: Sequence[CellValue]) -> int:
    row = append_row(sheet, values)
    for cell in sheet[row]:
        cell.font = Font(bold=True)
    return row


def blank_row(sheet: Worksheet) -> None:
    # A ``None`` cell, not ``append([])``: ``append_row`` finds its row by ``max_row``, which
    # counts only rows holding cells.
    sheet.append([None])


def column_widths(sheet: Worksheet, *, first: int, others: int) -> None:
    sheet.column_dimensions["A"].width = first
    for column in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = others


def list_workbook(
    title: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    *,
    formats: Sequence[str | None] = (),
    note: str | None = None,
    widths: tuple[int, int] = (14, 16),
) -> bytes:
    """A list as one sheet: bold headings frozen on top, a row per item, and ``note`` below
    a blank row (a list cut short says so). Everything is already in the reader's language."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = title[:31]  # Excel's longest sheet name
    heading_row(sheet, headings)
    for row in rows:
        append_row(sheet, row, formats)
    if note is not None:
        blank_row(sheet)
        append_row(sheet, [note])
    column_widths(sheet, first=widths[0], others=widths[1])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the answer as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
