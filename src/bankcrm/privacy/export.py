"""An access request's answer as files: JSON for machines, Excel for the customer."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from openpyxl import Workbook
from sqlalchemy import inspect

from bankcrm.core.workbook import append_row, heading_row
from bankcrm.customers.models import Customer

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CellValue = str | int | float | bool | None


def _plain(value: Any) -> CellValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _row(instance: Any) -> dict[str, CellValue]:
    mapper = inspect(instance).mapper
    return {
        attr.columns[0].name: _plain(getattr(instance, attr.key)) for attr in mapper.column_attrs
    }


def customer_data(customer: Customer, records: dict[str, list[Any]]) -> dict[str, Any]:
    """The profile and every related table, as plain values."""
    return {
        "customer": _row(customer),
        **{table: [_row(row) for row in rows] for table, rows in records.items()},
    }


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def to_excel(data: dict[str, Any]) -> bytes:
    """One sheet per table; the profile as field/value pairs."""
    workbook = Workbook()
    profile = workbook.active
    assert profile is not None
    profile.title = "customer"
    heading_row(profile, ["field", "value"])
    for field, value in data["customer"].items():
        append_row(profile, [field, value])
    for table, rows in data.items():
        if table == "customer":
            continue
        sheet = workbook.create_sheet(table[:31])
        if rows:
            columns = list(rows[0])
            heading_row(sheet, columns)
            for row in rows:
                append_row(sheet, [row[column] for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
