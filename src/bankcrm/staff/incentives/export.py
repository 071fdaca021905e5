"""One person's monthly incentive statement as an Excel workbook, in the reader's language:
who and which month, each line of the split (component, what it was split by, threshold,
cap), the clawbacks deducted, and gross, clawback and net. Money is written as numbers in
yuan with a ¥ number format."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from bankcrm.core.messages import _
from bankcrm.core.workbook import (
    XLSX_MEDIA_TYPE,
    append_row,
    blank_row,
    column_widths,
    heading_row,
)
from bankcrm.staff.incentives.schemas import StatementLineRead, StatementRead
from bankcrm.web.i18n import format_date, gettext

__all__ = [
    "RULE_LABELS",
    "STATUS_LABELS",
    "XLSX_MEDIA_TYPE",
    "attachment",
    "line_label",
    "workbook",
]

MONEY_FORMAT = '"¥"#,##0.00'
RATIO_FORMAT = "0.00%"


LINE_LABELS = {
    "volume": _("Volume share"),
    "quality": _("Quality share"),
    "cap": _("Cap"),
    "clawback": _("Clawback"),
}
STATUS_LABELS = {"draft": _("Draft"), "approved": _("Approved")}
RULE_LABELS = {
    "unsuitable_issue": _("Complaint of an unsuitable sale"),
    "suitability_mismatch": _("Complaint about a sale made despite a suitability mismatch"),
}


def line_label(line: StatementLineRead, locale: str) -> str:
    """A line's name in the reader's words; a component the bank added is shown by its code."""
    label = LINE_LABELS.get(line.code)
    return gettext(locale, label) if label is not None else line.code


def attachment(statement: StatementRead) -> dict[str, str]:
    name = f"incentive-statement-{statement.month:%Y-%m}-{statement.staff_id}.xlsx"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def workbook(statement: StatementRead, locale: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext(locale, "Incentive statement")
    heading_row(sheet, [gettext(locale, "Incentive statement")])
    append_row(sheet, [gettext(locale, "Name"), statement.staff_name])
    append_row(sheet, [gettext(locale, "Branch"), statement.branch_name])
    append_row(sheet, [gettext(locale, "Month"), f"{statement.month:%Y-%m}"])
    append_row(sheet, [gettext(locale, "Score"), statement.score], [None, "0.000"])
    append_row(
        sheet,
        [gettext(locale, "Status"), gettext(locale, STATUS_LABELS[statement.pool_status.value])],
    )
    append_row(sheet, [gettext(locale, "Approved by"), statement.approved_by or "—"])
    append_row(sheet, [gettext(locale, "Approved at"), format_date(statement.approved_at, locale)])
    blank_row(sheet)
    heading_row(
        sheet,
        [
            gettext(locale, "Line"),
            gettext(locale, "Split by"),
            gettext(locale, "Threshold"),
            gettext(locale, "Paid"),
            gettext(locale, "Amount"),
        ],
    )
    for line in statement.lines:
        append_row(
            sheet,
            [
                line_label(line, locale),
                line.basis,
                line.threshold,
                gettext(locale, "Yes") if line.paid else gettext(locale, "No, below the threshold"),
                line.amount,
            ],
            [None, "0.000", RATIO_FORMAT, None, MONEY_FORMAT],
        )
    blank_row(sheet)
    append_row(
        sheet,
        [gettext(locale, "Gross"), None, None, None, statement.gross],
        [*[None] * 4, MONEY_FORMAT],
    )
    append_row(
        sheet,
        [gettext(locale, "Clawback"), None, None, None, -statement.clawback or Decimal(0)],
        [*[None] * 4, MONEY_FORMAT],
    )
    append_row(
        sheet,
        [gettext(locale, "Net"), None, None, None, statement.net],
        [*[None] * 4, MONEY_FORMAT],
    )
    if statement.clawbacks:
        blank_row(sheet)
        heading_row(
            sheet,
            [
                gettext(locale, "Sale"),
                gettext(locale, "Complaint"),
                gettext(locale, "Reason"),
                gettext(locale, "Rule"),
                gettext(locale, "Amount"),
            ],
        )
        for clawback in statement.clawbacks:
            append_row(
                sheet,
                [
                    clawback.sale_id,
                    clawback.complaint_id,
                    clawback.reason,
                    gettext(locale, RULE_LABELS[clawback.rule])
                    if clawback.rule in RULE_LABELS
                    else clawback.rule,
                    clawback.amount,
                ],
                [None, None, None, None, MONEY_FORMAT],
            )
    column_widths(sheet, first=24, others=18)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
