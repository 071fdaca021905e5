"""The customer list as an Excel workbook, in the reader's language: the list's columns with
the same search, filters and order as the page, deposits in yuan as numbers and the day the
customer joined as a date. Text from the records (names, branches, managers) goes through
``core.workbook.append_row``, so none of it becomes a formula."""

from __future__ import annotations

from datetime import date

from bankcrm.core.messages import _
from bankcrm.core.workbook import DAY_FORMAT, XLSX_MEDIA_TYPE, YUAN_FORMAT, list_workbook
from bankcrm.customers.schemas import CustomerExport
from bankcrm.web.i18n import format_number, gettext
from bankcrm.web.labels import label_for

__all__ = ["HEADINGS", "XLSX_MEDIA_TYPE", "cut_short", "filename", "workbook"]


HEADINGS = (
    _("Customer number"),
    _("Name"),
    _("Customer type"),
    _("Branch"),
    _("Account manager"),
    _("Risk level"),
    _("Credit grade"),
    _("Deposits"),
    _("Customer since"),
)
FORMATS = (None, None, None, None, None, None, None, YUAN_FORMAT, DAY_FORMAT)
SHEET = _("Customers")
CUT_SHORT = _(
    "Only the first %(shown)s of %(total)s customers are in this file: narrow the filters "
    "to export the rest."
)


def workbook(export: CustomerExport, locale: str) -> bytes:
    return list_workbook(
        gettext(locale, SHEET),
        [gettext(locale, heading) for heading in HEADINGS],
        (
            [
                customer.external_id,
                customer.name,
                label_for(customer.customer_type, locale),
                customer.branch_name,
                customer.manager_name,
                customer.risk_level.value if customer.risk_level else None,
                customer.credit_grade.value if customer.credit_grade else None,
                customer.deposit_balance,
                customer.onboarded_on,
            ]
            for customer in export.items
        ),
        formats=FORMATS,
        note=cut_short(len(export.items), export.total, locale),
    )


def cut_short(shown: int, total: int, locale: str) -> str | None:
    """What a file cut at the export limit says below its rows; nothing when it is whole."""
    if total <= shown:
        return None
    numbers = {"shown": format_number(shown, locale), "total": format_number(total, locale)}
    return gettext(locale, CUT_SHORT) % numbers


def filename(day: date) -> str:
    return f"customers-{day:%Y%m%d}.xlsx"
