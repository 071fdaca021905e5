"""The complaint case-analysis report and the queue as Excel workbooks, in the reader's
language.

One sheet per part of the report; counts, amounts and rates are written as numbers with a
number format (never as text), so the bank's staff can sort, sum and chart them further.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bankcrm.complaints.analysis import CaseReport, MonthlySeries
from bankcrm.complaints.schemas import ComplaintRead
from bankcrm.complaints.taxonomy import Taxonomy
from bankcrm.core.enums import ComplaintChannel
from bankcrm.core.messages import _
from bankcrm.core.workbook import (
    CellValue,
    append_row,
    blank_row,
    column_widths,
    heading_row,
    list_workbook,
)
from bankcrm.web.i18n import gettext, normalise_locale
from bankcrm.web.labels import label_for

PERCENT_FORMAT = "0.0%"
MONEY_FORMAT = "#,##0.00"
DAYS_FORMAT = "0.0"


HEADINGS: dict[str, str] = {
    "sheet.summary": _("Summary"),
    "sheet.volume": _("Monthly volume"),
    "sheet.root_causes": _("Root causes"),
    "sheet.timeliness": _("Timeliness"),
    "sheet.recovery": _("Recovery cost"),
    "sheet.repeat": _("Repeat complainants"),
    "title": _("Case analysis"),
    "period": _("Period"),
    "as_of": _("As of"),
    "item": _("Measure"),
    "value": _("Value"),
    "cases": _("Cases"),
    "closed": _("Closed"),
    "open": _("Open"),
    "overdue": _("Overdue, awaiting reply"),
    "withdrawn": _("Withdrawn by the complainant"),
    "escalated": _("Escalated"),
    "escalation_rate": _("Escalation rate"),
    "replied": _("Replied"),
    "timely": _("Replied on time"),
    "timely_rate": _("Timely reply rate"),
    "late": _("Replied late"),
    "extended": _("Deadline extended"),
    "median_days": _("Days to first reply (median)"),
    "mean_days": _("Days to first reply (mean)"),
    "recovery_total": _("Recovery cost (CNY)"),
    "cases_with_cost": _("Cases with a recovery cost"),
    "repeat_customers": _("Repeat complainants"),
    "repeat_cases": _("Cases of repeat complainants"),
    "confirmation": _("Customer confirmation (closed cases)"),
    "share": _("Share"),
    "satisfied": _("Satisfied"),
    "unsatisfied": _("Unsatisfied"),
    "no_response": _("No response"),
    "unrecorded": _("Not recorded"),
    "service_gaps": _("Service-quality gaps"),
    "gap": _("Gap"),
    "gap.1": _("Gap 1: knowledge (expectations not understood)"),
    "gap.2": _("Gap 2: service standards"),
    "gap.3": _("Gap 3: service delivery"),
    "gap.4": _("Gap 4: communication (promises)"),
    "gap.5": _("Gap 5: perceived service quality"),
    "no_gap": _("No service gap revealed"),
    "all_cases": _("All cases"),
    "total": _("Total"),
    "issue": _("Issue"),
    "product_line": _("Product line"),
    "branch": _("Branch"),
    "channel": _("Channel"),
    "no_branch": _("No branch"),
    "root_cause": _("Root cause"),
    "cumulative_share": _("Cumulative share"),
    "vital": _("Vital few"),
    "yes": _("Yes"),
    "no": _("No"),
    "without_cause": _("Cases without a root cause yet"),
    "pareto_chart": _("Root-cause Pareto chart"),
    "customer_id": _("Customer ID"),
    "cost": _("Cost (CNY)"),
}
"""Each heading's key and its catalog message (English msgid)."""


QUEUE_HEADINGS = (
    _("Case number"),
    _("Received"),
    _("Reply deadline"),
    _("Overdue"),
    _("Customer"),
    _("Branch"),
    _("Owner"),
    _("Channel"),
    _("Product line"),
    _("Issue"),
    _("Severity"),
    _("Status"),
)


def queue_workbook(cases: Sequence[ComplaintRead], *, taxonomy: Taxonomy, locale: str) -> bytes:
    """The queue as one sheet, a row per case in the queue's order; times on the bank's clock."""
    yes, no = gettext(locale, "Yes"), gettext(locale, "No")
    return list_workbook(
        gettext(locale, "Complaints"),
        [gettext(locale, heading) for heading in QUEUE_HEADINGS],
        (
            [
                case.external_id,
                case.received_at,
                case.deadline_at,
                yes if case.overdue else no,
                case.customer_name,
                case.branch_name,
                case.owner_name,
                label_for(case.channel, locale),
                taxonomy.product_line(case.product_line, locale),
                taxonomy.issue(case.issue, locale),
                label_for(case.severity, locale),
                label_for(case.status, locale),
            ]
            for case in cases
        ),
        widths=(20, 18),
    )


def headings_for(locale: str) -> dict[str, str]:
    """The headings in ``locale``, from the catalog; complaint channels carry their labels
    as shown on the pages."""
    locale = normalise_locale(locale) or "en"
    text = {key: gettext(locale, message) for key, message in HEADINGS.items()}
    text |= {f"channel.{channel.value}": label_for(channel, locale) for channel in ComplaintChannel}
    return text


def report_workbook(report: CaseReport, *, taxonomy: Taxonomy, locale: str) -> bytes:
    """The report as an ``.xlsx`` file.

    Parameters
    ----------
    report
        From :func:`bankcrm.complaints.analysis.case_report`.
    taxonomy
        Labels the issue, product-line and root-cause codes.
    locale
        The language of the headings and labels (``zh_CN`` or ``en``), from the catalog.

    Returns
    -------
    bytes
        Sheets: summary, monthly volume, root causes (with a Pareto chart), timeliness,
        recovery cost and repeat complainants, in that order.
    """
    text = headings_for(locale)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = text["sheet.summary"]
    _summary_sheet(summary, report, text)
    _volume_sheet(workbook.create_sheet(text["sheet.volume"]), report, taxonomy, locale, text)
    _root_cause_sheet(
        workbook.create_sheet(text["sheet.root_causes"]), report, taxonomy, locale, text
    )
    _timeliness_sheet(workbook.create_sheet(text["sheet.timeliness"]), report, text)
    _recovery_sheet(workbook.create_sheet(text["sheet.recovery"]), report, taxonomy, locale, text)
    _repeat_sheet(workbook.create_sheet(text["sheet.repeat"]), report, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _labelled(
    sheet: Worksheet, rows: Iterable[tuple[str, CellValue, str | None]], text: dict[str, str]
) -> None:
    for key, value, number_format in rows:
        append_row(sheet, [text[key], value], [None, number_format])


def _branch(branch: str | None, text: dict[str, str]) -> str:
    return branch if branch is not None else text["no_branch"]


def _summary_sheet(sheet: Worksheet, report: CaseReport, text: dict[str, str]) -> None:
    totals, timeliness = report.totals, report.timeliness
    heading_row(sheet, [text["title"]])
    append_row(sheet, [text["period"], f"{report.start} – {report.end}"])
    append_row(sheet, [text["as_of"], report.as_of])
    blank_row(sheet)
    heading_row(sheet, [text["item"], text["value"]])
    _labelled(
        sheet,
        [
            ("cases", totals.cases, None),
            ("closed", totals.closed, None),
            ("open", totals.open, None),
            ("overdue", totals.overdue, None),
            ("withdrawn", totals.withdrawn, None),
            ("escalated", totals.escalated, None),
            ("escalation_rate", totals.escalation_rate, PERCENT_FORMAT),
            ("replied", timeliness.replied, None),
            ("timely", timeliness.timely, None),
            ("timely_rate", timeliness.timely_rate, PERCENT_FORMAT),
            ("late", timeliness.late, None),
            ("extended", timeliness.extended, None),
            ("median_days", timeliness.median_days_to_reply, DAYS_FORMAT),
            ("mean_days", timeliness.mean_days_to_reply, DAYS_FORMAT),
            ("recovery_total", report.recovery.total, MONEY_FORMAT),
            ("cases_with_cost", report.recovery.cases_with_cost, None),
            ("repeat_customers", report.repeat_complainants.customers, None),
            ("repeat_cases", report.repeat_complainants.cases, None),
        ],
        text,
    )
    blank_row(sheet)
    confirmations = report.confirmations
    heading_row(sheet, [text["confirmation"], text["cases"], text["share"]])
    for key, count, share in (
        ("satisfied", confirmations.satisfied, confirmations.satisfied_share),
        ("unsatisfied", confirmations.unsatisfied, confirmations.unsatisfied_share),
        ("no_response", confirmations.no_response, confirmations.no_response_share),
        ("unrecorded", confirmations.unrecorded, None),
    ):
        append_row(sheet, [text[key], count, share], [None, None, PERCENT_FORMAT])
    append_row(sheet, [text["closed"], confirmations.closed])
    blank_row(sheet)
    heading_row(sheet, [text["service_gaps"], text["cases"]])
    for gap in report.service_gaps.gaps:
        append_row(sheet, [text[f"gap.{gap.gap}"], gap.cases])
    append_row(sheet, [text["no_gap"], report.service_gaps.no_gap])
    column_widths(sheet, first=44, others=22)


def _series_rows(
    sheet: Worksheet, series: Sequence[MonthlySeries], label: dict[str | None, str]
) -> None:
    for row in series:
        append_row(sheet, [label.get(row.key, row.key), *row.counts, row.total])


def _volume_sheet(
    sheet: Worksheet, report: CaseReport, taxonomy: Taxonomy, locale: str, text: dict[str, str]
) -> None:
    volume = report.volume
    months = list(volume.months)
    heading_row(sheet, [text["issue"], *months, text["total"]])
    all_cases = append_row(sheet, [text["all_cases"], *volume.total, sum(volume.total)])
    for cell in sheet[all_cases]:
        cell.font = Font(bold=True)
    # Issues first, the breakdown the sheet is named for; the other breakdowns below it.
    issues = {row.key: taxonomy.issue(row.key or "", locale) for row in volume.by_issue}
    _series_rows(sheet, volume.by_issue, issues)
    product_lines = {
        row.key: taxonomy.product_line(row.key or "", locale) for row in volume.by_product_line
    }
    branches = {row.key: _branch(row.key, text) for row in volume.by_branch}
    channels = {row.key: text.get(f"channel.{row.key}", row.key or "") for row in volume.by_channel}
    for heading, series, labels in (
        ("product_line", volume.by_product_line, product_lines),
        ("branch", volume.by_branch, branches),
        ("channel", volume.by_channel, channels),
    ):
        blank_row(sheet)
        heading_row(sheet, [text[heading], *months, text["total"]])
        _series_rows(sheet, series, labels)
    sheet.freeze_panes = "B2"
    column_widths(sheet, first=28, others=10)


def _root_cause_sheet(
    sheet: Worksheet, report: CaseReport, taxonomy: Taxonomy, locale: str, text: dict[str, str]
) -> None:
    pareto = report.root_causes
    heading_row(
        sheet,
        [
            text["root_cause"],
            text["gap"],
            text["cases"],
            text["share"],
            text["cumulative_share"],
            text["vital"],
        ],
    )
    for row in pareto.rows:
        append_row(
            sheet,
            [
                taxonomy.root_cause(row.root_cause, locale),
                taxonomy.gap_of(row.root_cause),
                row.cases,
                row.share,
                row.cumulative_share,
                text["yes"] if row.vital else text["no"],
            ],
            [None, None, None, PERCENT_FORMAT, PERCENT_FORMAT],
        )
    append_row(sheet, [text["total"], None, pareto.with_cause])
    append_row(sheet, [text["without_cause"], None, pareto.without_cause])
    sheet.freeze_panes = "A2"
    column_widths(sheet, first=36, others=12)
    if pareto.rows:
        sheet.add_chart(_pareto_chart(sheet, len(pareto.rows), text), "H2")


def _pareto_chart(sheet: Worksheet, causes: int, text: dict[str, str]) -> BarChart:
    """Bars of cases by cause with the cumulative share as a line on a second axis."""
    last = causes + 1
    bars = BarChart()
    bars.type = "col"
    bars.title = text["pareto_chart"]
    bars.y_axis.title = text["cases"]
    bars.add_data(Reference(sheet, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    line = LineChart()
    line.add_data(Reference(sheet, min_col=5, min_row=1, max_row=last), titles_from_data=True)
    line.y_axis.axId = 200
    line.y_axis.title = text["cumulative_share"]
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min = 0
    line.y_axis.scaling.max = 1
    line.y_axis.crosses = "max"
    bars += line
    bars.width, bars.height = 22, 11
    return bars


def _timeliness_sheet(sheet: Worksheet, report: CaseReport, text: dict[str, str]) -> None:
    timeliness = report.timeliness
    heading_row(sheet, [text["item"], text["value"]])
    _labelled(
        sheet,
        [
            ("replied", timeliness.replied, None),
            ("timely", timeliness.timely, None),
            ("timely_rate", timeliness.timely_rate, PERCENT_FORMAT),
            ("late", timeliness.late, None),
            ("extended", timeliness.extended, None),
            ("median_days", timeliness.median_days_to_reply, DAYS_FORMAT),
            ("mean_days", timeliness.mean_days_to_reply, DAYS_FORMAT),
        ],
        text,
    )
    blank_row(sheet)
    heading_row(sheet, [text["branch"], text["replied"], text["timely"], text["timely_rate"]])
    for row in timeliness.by_branch:
        append_row(
            sheet,
            [_branch(row.branch, text), row.replied, row.timely, row.timely_rate],
            [None, None, None, PERCENT_FORMAT],
        )
    column_widths(sheet, first=30, others=16)


def _recovery_sheet(
    sheet: Worksheet, report: CaseReport, taxonomy: Taxonomy, locale: str, text: dict[str, str]
) -> None:
    recovery = report.recovery
    heading_row(sheet, [text["item"], text["value"]])
    append_row(sheet, [text["recovery_total"], recovery.total], [None, MONEY_FORMAT])
    append_row(sheet, [text["cases_with_cost"], recovery.cases_with_cost])
    blank_row(sheet)
    heading_row(sheet, [text["product_line"], text["cost"]])
    for row in recovery.by_product_line:
        append_row(
            sheet, [taxonomy.product_line(row.key or "", locale), row.cost], [None, MONEY_FORMAT]
        )
    blank_row(sheet)
    heading_row(sheet, [text["branch"], text["cost"]])
    for row in recovery.by_branch:
        append_row(sheet, [_branch(row.key, text), row.cost], [None, MONEY_FORMAT])
    column_widths(sheet, first=30, others=16)


def _repeat_sheet(sheet: Worksheet, report: CaseReport, text: dict[str, str]) -> None:
    repeat = report.repeat_complainants
    heading_row(sheet, [text["item"], text["value"]])
    append_row(sheet, [text["repeat_customers"], repeat.customers])
    append_row(sheet, [text["repeat_cases"], repeat.cases])
    blank_row(sheet)
    heading_row(sheet, [text["customer_id"], text["cases"]])
    for row in repeat.top:
        append_row(sheet, [row.customer_id, row.cases])
    column_widths(sheet, first=30, others=12)
