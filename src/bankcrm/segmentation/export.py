"""The quadrant list (the customers of one quadrant of the customer matrix, or of all four)
as an Excel workbook, in the reader's language: the same run, filters and order as the page,
business volume in yuan and the run's day as numbers and dates. Text from the records (names,
branches, managers) goes through ``core.workbook.append_row``, so none of it becomes a
formula."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bankcrm.core.workbook import (
    DAY_FORMAT,
    XLSX_MEDIA_TYPE,
    YUAN_FORMAT,
    append_row,
    blank_row,
    column_widths,
    heading_row,
)
from bankcrm.segmentation.schemas import SegmentExport
from bankcrm.web.i18n import format_number, gettext
from bankcrm.web.labels import label_for

__all__ = ["HEADINGS", "XLSX_MEDIA_TYPE", "attachment", "workbook"]


def _(message: str) -> str:
    """Mark a message for the catalog; it is translated where it is shown."""
    return message


HEADINGS = (
    _("Customer number"),
    _("Name"),
    _("Customer type"),
    _("Branch"),
    _("Account manager"),
    _("Quadrant"),
    _("Value tier"),
    _("RFM"),
    _("Lifecycle stage"),
    _("Loyalty index"),
    _("Business share"),
    _("Business volume"),
    _("As of"),
)
LOYALTY_FORMAT = "0.0"
SHARE_FORMAT = "0.0000%"
FORMATS = (
    *([None] * 9),
    LOYALTY_FORMAT,
    SHARE_FORMAT,
    YUAN_FORMAT,
    DAY_FORMAT,
)
ALL_QUADRANTS = _("All quadrants")
CUT_SHORT = _(
    "Only the first %(shown)s of %(total)s customers are in this file: narrow the filters "
    "to export the rest."
)


def workbook(export: SegmentExport, locale: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    title = (
        label_for(export.quadrant, locale) if export.quadrant else gettext(locale, ALL_QUADRANTS)
    )
    sheet.title = title[:31]  # Excel's longest sheet name
    heading_row(sheet, [gettext(locale, heading) for heading in HEADINGS])
    for row in export.items:
        append_row(
            sheet,
            [
                row.external_id,
                row.name,
                label_for(row.customer_type, locale),
                row.branch_name,
                row.manager_name,
                label_for(row.quadrant, locale),
                row.value_tier.value,
                row.rfm,
                label_for(row.lifecycle_stage, locale),
                row.loyalty_index,
                row.business_share,
                row.business_volume,
                export.as_of,
            ],
            FORMATS,
        )
    if export.total > len(export.items):
        blank_row(sheet)
        shown, total = len(export.items), export.total
        append_row(
            sheet,
            [
                gettext(locale, CUT_SHORT)
                % {"shown": format_number(shown, locale), "total": format_number(total, locale)}
            ],
        )
    column_widths(sheet, first=14, others=16)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(export: SegmentExport) -> dict[str, str]:
    quadrant = export.quadrant.value if export.quadrant else "all"
    name = f"segment-{quadrant}-{export.as_of:%Y%m%d}.xlsx"
    return {"Content-Disposition": f'attachment; filename="{name}"'}
