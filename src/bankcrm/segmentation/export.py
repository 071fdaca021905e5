"""The quadrant list (the customers of one quadrant of the customer matrix, or of all four)
as an Excel workbook, in the reader's language: the same run, filters and order as the page,
business volume in yuan and the run's day as numbers and dates. Text from the records (names,
branches, managers) goes through ``core.workbook.append_row``, so none of it becomes a
formula."""

from __future__ import annotations

from bankcrm.core.messages import _
from bankcrm.core.workbook import DAY_FORMAT, XLSX_MEDIA_TYPE, YUAN_FORMAT, list_workbook
from bankcrm.customers import export as customers_export
from bankcrm.segmentation.schemas import SegmentExport
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for

__all__ = ["HEADINGS", "XLSX_MEDIA_TYPE", "filename", "workbook"]


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


def workbook(export: SegmentExport, locale: str) -> bytes:
    title = (
        label_for(export.quadrant, locale) if export.quadrant else gettext(locale, ALL_QUADRANTS)
    )
    return list_workbook(
        title,
        [gettext(locale, heading) for heading in HEADINGS],
        (
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
            ]
            for row in export.items
        ),
        formats=FORMATS,
        note=customers_export.cut_short(len(export.items), export.total, locale),
    )


def filename(export: SegmentExport) -> str:
    quadrant = export.quadrant.value if export.quadrant else "all"
    return f"segment-{quadrant}-{export.as_of:%Y%m%d}.xlsx"
