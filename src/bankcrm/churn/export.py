"""The churn warning list as an Excel workbook, in the reader's language: one row per
warning in the page's order (the still active first, then the lapsed; each by probability ×
lifetime value). Probabilities and amounts are numbers with a number format; text from the
records (names, reasons) goes through ``core.workbook.append_row``, so none of it becomes a
formula."""

from __future__ import annotations

from bankcrm.churn.schemas import ChurnWarningPage
from bankcrm.core.messages import _
from bankcrm.core.workbook import XLSX_MEDIA_TYPE, list_workbook
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for

__all__ = ["FILENAME", "HEADINGS", "XLSX_MEDIA_TYPE", "workbook"]

PERCENT_FORMAT = "0.0%"
MONEY_FORMAT = "#,##0.00"
FILENAME = "churn-warnings.xlsx"


HEADINGS = (
    _("Customer"),
    _("Customer number"),
    _("Account manager"),
    _("Group"),
    _("Churn probability"),
    _("Lifetime value (CNY)"),
    _("Probability × value (CNY)"),
    _("Main reasons"),
    _("Diagnosis"),
    _("Declining for (months)"),
)
GROUPS = {"active": _("Still active: early warning"), "lapsed": _("Lapsed: win back")}


def workbook(result: ChurnWarningPage, locale: str) -> bytes:
    return list_workbook(
        gettext(locale, "Churn warnings"),
        [gettext(locale, heading) for heading in HEADINGS],
        (
            [
                row.name,
                row.customer_number,
                row.manager_name,
                gettext(locale, GROUPS[row.group]),
                row.probability,
                row.value,
                row.priority,
                "\n".join(reason.label for reason in row.reasons),
                label_for(row.diagnosis, locale) if row.diagnosis else None,
                row.decline_months,
            ]
            for row in result.items
        ),
        formats=[None, None, None, None, PERCENT_FORMAT, MONEY_FORMAT, MONEY_FORMAT],
        widths=(20, 16),
    )
