"""The survey-wave report as an Excel workbook and as an A4 PDF, in Chinese or English.

The workbook writes every figure as a number with a number format, so staff can sort and
chart further. The PDF sets all text in WenQuanYi Micro Hei, an open CJK font (Apache-2.0)
shipped inside the package (``quality/reporting/fonts``, see its ``SOURCE.md``). Reportlab
embeds the subset of glyphs each report uses as a TrueType font file, so the PDF reads the
same on machines without Chinese fonts, and the text stays extractable (copy, search,
accessibility tools).
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape

from babel.numbers import format_decimal, format_percent
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable
from sqlalchemy.orm import Session

from bankcrm.core.enums import Quadrant, SurveyKind
from bankcrm.core.pdf import pdf_font
from bankcrm.core.workbook import (
    XLSX_MEDIA_TYPE,
    append_row,
    blank_row,
    column_widths,
    heading_row,
)
from bankcrm.quality.reporting.report import (
    GroupRow,
    ServqualFigures,
    WaveReport,
    build_wave_report,
)
from bankcrm.staff.models import StaffUser
from bankcrm.web.i18n import gettext, normalise_locale
from bankcrm.web.labels import label_for

PDF_MEDIA_TYPE = "application/pdf"

SCORE_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
P_VALUE_FORMAT = "0.000"


def _(message: str) -> str:
    """Marks a heading for the catalog; it is translated when the report is written."""
    return message


HEADINGS: dict[str, str] = {
    "sheet.summary": _("Summary"),
    "sheet.dimensions": _("Dimensions"),
    "sheet.items": _("Items"),
    "sheet.branches": _("Branch league table"),
    "sheet.segments": _("Segments and months"),
    "sheet.change": _("Change"),
    "title": _("Service quality survey report"),
    "wave": _("Wave"),
    "code": _("Wave code"),
    "period": _("Fieldwork"),
    "instrument": _("Instrument"),
    "kind": _("Kind"),
    "item": _("Measure"),
    "value": _("Value"),
    "answers": _("Answers"),
    "respondents": _("Respondents"),
    "invitations": _("Invitations issued"),
    "completed": _("Completed answers"),
    "response_rate": _("Response rate"),
    "servqual_unweighted": _("SERVQUAL score (unweighted)"),
    "servqual_weighted": _("SERVQUAL score (weighted)"),
    "ci": _("Confidence interval"),
    "respondents_short": _("Respondents"),
    "ci_low": _("CI low"),
    "ci_high": _("CI high"),
    "confidence": _("Confidence level"),
    "weights_source": _("Weights"),
    "weights.instrument": _("the instrument's default weights"),
    "weights.respondents": _("importance points stated by respondents"),
    "no_answers": _("Nobody has answered this wave yet."),
    "dimension": _("Dimension"),
    "items": _("Items"),
    "expectation": _("Expectation"),
    "perception": _("Perception"),
    "gap": _("Gap (P − E)"),
    "alpha_expectation": _("α of expectations"),
    "alpha_perception": _("α of perceptions"),
    "importance": _("Importance"),
    "quadrant": _("Importance–performance"),
    "gap_chart": _("Gap per dimension"),
    "number": _("No."),
    "statement": _("Statement"),
    "rank": _("Rank"),
    "branch": _("Branch"),
    "weakest": _("Weakest dimension"),
    "weakest_gap": _("Gap of the weakest dimension"),
    "too_few": _("too few respondents"),
    "too_few_heading": _("Too few respondents"),
    "too_few_note": _("Branches with fewer than %(minimum)s respondents are listed, not ranked."),
    "no_branch": _("No branch"),
    "segment": _("Segment"),
    "segment_run": _("Segmentation run of"),
    "customer_quadrant": _("Customer matrix"),
    "value_tier": _("Value tier"),
    "month": _("Month answered"),
    "not_segmented": _("Not segmented"),
    "tier": _("Tier %(tier)s"),
    "previous": _("Previous wave"),
    "no_previous": _("No earlier wave of this instrument to compare with."),
    "earlier": _("Gap before"),
    "later": _("Gap now"),
    "difference": _("Change"),
    "t": _("t statistic"),
    "df": _("Degrees of freedom"),
    "p_value": _("p-value"),
    "significant": _("Significant"),
    "respondents_earlier": _("Respondents before"),
    "respondents_later": _("Respondents now"),
    "trend": _("SERVQUAL score by wave"),
    "opens_on": _("Opens"),
    "current": _("This wave"),
    "yes": _("Yes"),
    "no": _("No"),
    "score": _("Score"),
    "mean": _("Mean score"),
    "csat": _("Share satisfied"),
    "nps": _("Net promoter score"),
    "month_answers": _("Answers that month"),
    "quadrant.concentrate_here": _("Concentrate here"),
    "quadrant.keep_up_the_good_work": _("Keep up the good work"),
    "quadrant.low_priority": _("Low priority"),
    "quadrant.possible_overkill": _("Possible overkill"),
}
"""Each heading's key and its catalog message (English msgid)."""


def render(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    file_format: str,
    locale: str,
    min_branch_respondents: int | None = None,
) -> tuple[bytes, str, str | None]:
    """The wave's report as JSON, or as a workbook or PDF to download (content, media
    type, file name; no file name for JSON)."""
    report = build_wave_report(
        session,
        user=user,
        wave_id=wave_id,
        locale=locale,
        min_branch_respondents=min_branch_respondents,
    )
    if file_format == "xlsx":
        return report_workbook(report), XLSX_MEDIA_TYPE, filename(report, "xlsx")
    if file_format == "pdf":
        return report_pdf(report), PDF_MEDIA_TYPE, filename(report, "pdf")
    body = json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False)
    return body.encode(), "application/json", None


def headings_for(locale: str) -> dict[str, str]:
    """The headings in ``locale``, from the catalog; survey kinds and customer-matrix
    quadrants carry their labels as shown on the pages."""
    locale = normalise_locale(locale) or "en"
    text = {key: gettext(locale, message) for key, message in HEADINGS.items()}
    text |= {f"kind.{kind.value}": label_for(kind, locale) for kind in SurveyKind}
    text |= {f"customer.{quadrant.value}": label_for(quadrant, locale) for quadrant in Quadrant}
    return text


def filename(report: WaveReport, extension: str) -> str:
    """A download name made of the wave code's safe characters."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in report.wave.code)
    return f"survey-report-{safe}.{extension}"


def branch_label(row: GroupRow, text: dict[str, str]) -> str:
    return row.label if row.key else text["no_branch"]


def segment_label(kind: str, key: str, text: dict[str, str]) -> str:
    """The label of a customer-matrix quadrant, a value tier or a month group."""
    if not key:
        return text["not_segmented"]
    if kind == "quadrant":
        return text.get(f"customer.{key}", key)
    if kind == "value_tier":
        return text["tier"] % {"tier": key}
    return key


# --- the workbook -----------------------------------------------------------------------


def report_workbook(report: WaveReport) -> bytes:
    """The report as an ``.xlsx`` file in the report's language.

    Sheets, in order: summary, dimensions (with a bar chart of the gaps), items, branch
    league, segments and months, change against the previous wave with the trend over
    waves. A wave without answers keeps the sheets with their headings only.
    """
    text = headings_for(report.locale)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = text["sheet.summary"]
    _summary_sheet(summary, report, text)
    figures = report.servqual
    _dimension_sheet(workbook.create_sheet(text["sheet.dimensions"]), figures, text)
    _item_sheet(workbook.create_sheet(text["sheet.items"]), figures, text)
    _branch_sheet(workbook.create_sheet(text["sheet.branches"]), report, text)
    _segment_sheet(workbook.create_sheet(text["sheet.segments"]), figures, text)
    _change_sheet(workbook.create_sheet(text["sheet.change"]), figures, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, report: WaveReport, text: dict[str, str]) -> None:
    wave, participation = report.wave, report.participation
    heading_row(sheet, [text["title"]])
    append_row(sheet, [text["wave"], wave.title])
    append_row(sheet, [text["code"], wave.code])
    append_row(sheet, [text["kind"], text[f"kind.{wave.kind}"]])
    append_row(sheet, [text["period"], f"{wave.opens_on} – {wave.closes_on}"])
    if wave.instrument_title:
        append_row(sheet, [text["instrument"], wave.instrument_title])
    blank_row(sheet)
    heading_row(sheet, [text["item"], text["value"]])
    append_row(sheet, [text["answers"], participation.answers])
    append_row(sheet, [text["respondents"], participation.respondents])
    if participation.invitations is not None:
        append_row(sheet, [text["invitations"], participation.invitations])
        append_row(sheet, [text["completed"], participation.completed])
        append_row(
            sheet, [text["response_rate"], participation.response_rate], [None, PERCENT_FORMAT]
        )
    figures = report.servqual
    if figures is not None:
        for key, value in (
            ("servqual_unweighted", figures.servqual_unweighted),
            ("ci_low", figures.servqual_low),
            ("ci_high", figures.servqual_high),
            ("servqual_weighted", figures.servqual_weighted),
        ):
            append_row(sheet, [text[key], value], [None, SCORE_FORMAT])
        append_row(sheet, [text["weights_source"], text[f"weights.{figures.weights_source}"]])
        append_row(sheet, [text["confidence"], figures.confidence], [None, PERCENT_FORMAT])
    short = report.satisfaction
    if short is not None:
        append_row(sheet, [text[short.measure], short.score], [None, SCORE_FORMAT])
        append_row(sheet, [text["ci_low"], short.low], [None, SCORE_FORMAT])
        append_row(sheet, [text["ci_high"], short.high], [None, SCORE_FORMAT])
        if short.mean is not None:
            append_row(sheet, [text["mean"], short.mean], [None, SCORE_FORMAT])
        blank_row(sheet)
        heading_row(sheet, [text["month"], text[short.measure], text["month_answers"]])
        for month, value, count in zip(short.months, short.values, short.counts, strict=True):
            append_row(sheet, [month, value, count], [None, SCORE_FORMAT])
    if not report.has_answers:
        blank_row(sheet)
        append_row(sheet, [text["no_answers"]])
    column_widths(sheet, first=40, others=30)


def _dimension_sheet(
    sheet: Worksheet, figures: ServqualFigures | None, text: dict[str, str]
) -> None:
    heading_row(
        sheet,
        [
            text["dimension"],
            text["gap"],
            text["ci_low"],
            text["ci_high"],
            text["expectation"],
            text["perception"],
            text["respondents"],
            text["alpha_expectation"],
            text["alpha_perception"],
            text["importance"],
            text["quadrant"],
            text["items"],
        ],
    )
    sheet.freeze_panes = "A2"
    if figures is None:
        column_widths(sheet, first=20, others=14)
        return
    for row in figures.dimensions:
        append_row(
            sheet,
            [
                row.name,
                row.gap,
                row.gap_low,
                row.gap_high,
                row.expectation,
                row.perception,
                row.respondents,
                row.alpha_expectation,
                row.alpha_perception,
                row.importance,
                text[f"quadrant.{row.quadrant}"] if row.quadrant else None,
                ", ".join(str(number) for number in row.items),
            ],
            [None, *[SCORE_FORMAT] * 5, None, SCORE_FORMAT, SCORE_FORMAT, "0.0"],
        )
    column_widths(sheet, first=20, others=14)
    last = len(figures.dimensions) + 1
    chart = BarChart()
    chart.type = "col"
    chart.title = text["gap_chart"]
    chart.y_axis.title = text["gap"]
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, f"A{last + 3}")


def _item_sheet(sheet: Worksheet, figures: ServqualFigures | None, text: dict[str, str]) -> None:
    heading_row(
        sheet,
        [
            text["number"],
            text["dimension"],
            text["statement"],
            text["respondents"],
            text["expectation"],
            text["perception"],
            text["gap"],
            text["ci_low"],
            text["ci_high"],
        ],
    )
    sheet.freeze_panes = "A2"
    if figures is not None:
        for row in figures.items:
            append_row(
                sheet,
                [
                    row.number,
                    row.dimension_name,
                    row.statement,
                    row.respondents,
                    row.expectation,
                    row.perception,
                    row.gap,
                    row.gap_low,
                    row.gap_high,
                ],
                [None, None, None, None, *[SCORE_FORMAT] * 5],
            )
    column_widths(sheet, first=8, others=14)
    sheet.column_dimensions["C"].width = 60


def _branch_sheet(sheet: Worksheet, report: WaveReport, text: dict[str, str]) -> None:
    heading_row(
        sheet,
        [
            text["rank"],
            text["branch"],
            text["respondents"],
            text["servqual_unweighted"],
            text["ci_low"],
            text["ci_high"],
            text["weakest"],
            text["weakest_gap"],
            text["too_few_heading"],
        ],
    )
    sheet.freeze_panes = "A2"
    figures = report.servqual
    if figures is not None:
        for row in figures.branches:
            append_row(
                sheet,
                [
                    row.rank,
                    branch_label(row, text),
                    row.respondents,
                    row.servqual,
                    row.low,
                    row.high,
                    row.weakest_name,
                    row.weakest_gap,
                    text["yes"] if row.too_few else text["no"],
                ],
                [None, None, None, *[SCORE_FORMAT] * 3, None, SCORE_FORMAT],
            )
        blank_row(sheet)
        append_row(sheet, [text["too_few_note"] % {"minimum": report.min_branch_respondents}])
    column_widths(sheet, first=8, others=16)
    sheet.column_dimensions["B"].width = 28


def _segment_sheet(sheet: Worksheet, figures: ServqualFigures | None, text: dict[str, str]) -> None:
    if figures is None:
        heading_row(sheet, [text["segment"], text["respondents"], text["servqual_unweighted"]])
        column_widths(sheet, first=24, others=14)
        return
    dimensions = [(row.code, row.name) for row in figures.dimensions]
    if figures.segment_run is not None:
        append_row(sheet, [text["segment_run"], figures.segment_run])
        blank_row(sheet)
    for kind, heading, groups in (
        ("quadrant", text["customer_quadrant"], figures.quadrants),
        ("value_tier", text["value_tier"], figures.value_tiers),
        ("month", text["month"], figures.months),
    ):
        heading_row(
            sheet,
            [
                heading,
                text["respondents"],
                text["servqual_unweighted"],
                text["ci_low"],
                text["ci_high"],
                *[name for _code, name in dimensions],
            ],
        )
        for group in groups:
            append_row(
                sheet,
                [
                    segment_label(kind, group.key, text),
                    group.respondents,
                    group.servqual,
                    group.low,
                    group.high,
                    *[group.gaps.get(code) for code, _name in dimensions],
                ],
                [None, None, *[SCORE_FORMAT] * (3 + len(dimensions))],
            )
        blank_row(sheet)
    column_widths(sheet, first=24, others=14)


def _change_sheet(sheet: Worksheet, figures: ServqualFigures | None, text: dict[str, str]) -> None:
    change = figures.change if figures is not None else None
    if change is None:
        append_row(sheet, [text["no_previous"]])
    else:
        append_row(sheet, [text["previous"], f"{change.previous_title} ({change.previous_code})"])
        blank_row(sheet)
        heading_row(
            sheet,
            [
                text["dimension"],
                text["earlier"],
                text["later"],
                text["difference"],
                text["ci_low"],
                text["ci_high"],
                text["t"],
                text["df"],
                text["p_value"],
                text["significant"],
                text["respondents_earlier"],
                text["respondents_later"],
            ],
        )
        for row in change.rows:
            significant = (
                None if row.significant is None else text["yes" if row.significant else "no"]
            )
            append_row(
                sheet,
                [
                    row.name,
                    row.gap_earlier,
                    row.gap_later,
                    row.difference,
                    row.low,
                    row.high,
                    row.t,
                    row.df,
                    row.p_value,
                    significant,
                    row.respondents_earlier,
                    row.respondents_later,
                ],
                [None, *[SCORE_FORMAT] * 7, P_VALUE_FORMAT],
            )
    blank_row(sheet)
    heading_row(
        sheet,
        [
            text["trend"],
            text["code"],
            text["opens_on"],
            text["respondents"],
            text["servqual_unweighted"],
            text["ci_low"],
            text["ci_high"],
            text["servqual_weighted"],
            text["current"],
        ],
    )
    for point in figures.trend if figures is not None else ():
        append_row(
            sheet,
            [
                point.title,
                point.code,
                point.opens_on,
                point.respondents,
                point.servqual,
                point.low,
                point.high,
                point.weighted,
                text["yes"] if point.current else None,
            ],
            [None, None, "yyyy-mm-dd", None, *[SCORE_FORMAT] * 4],
        )
    column_widths(sheet, first=28, others=14)


# --- the PDF ----------------------------------------------------------------------------

GAP_RED = colors.HexColor("#c0392b")
GAP_GREEN = colors.HexColor("#2e8b57")
HEADER_FILL = colors.HexColor("#e9ecef")
PAGE_MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
LEAGUE_WIDTHS = (
    12 * mm,
    58 * mm,
    20 * mm,
    24 * mm,
    30 * mm,
    CONTENT_WIDTH - 144 * mm,
)
"""Rank, branch, respondents, score, interval, weakest dimension: the branch name gets room."""


def report_pdf(report: WaveReport) -> bytes:
    """The report as an A4 PDF: title, headline figures, the dimension table, a bar chart
    of the gaps, the branch league table and the change against the previous wave."""
    font = pdf_font()
    text = headings_for(report.locale)
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    heading_style = ParagraphStyle(
        "heading", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
    )
    body_style = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    wave = report.wave

    def number(value: float | None, digits: int = 2) -> str:
        if value is None:
            return "—"
        return format_decimal(value, format=f"#,##0.{'0' * digits}", locale=report.locale)

    def interval(low: float | None, high: float | None) -> str:
        return "—" if low is None or high is None else f"[{number(low)}, {number(high)}]"

    story: list[Flowable] = [
        Paragraph(escape(f"{text['title']} — {wave.title}"), title_style),
        Paragraph(
            escape(
                f"{text['code']}: {wave.code} · {text['period']}: "
                f"{wave.opens_on} – {wave.closes_on}"
                + (
                    f" · {text['instrument']}: {wave.instrument_title}"
                    if wave.instrument_title
                    else ""
                )
            ),
            body_style,
        ),
        Spacer(1, 4 * mm),
    ]
    participation = report.participation
    summary: list[list[str]] = [
        [text["item"], text["value"]],
        [text["answers"], number(participation.answers, 0)],
        [text["respondents"], number(participation.respondents, 0)],
    ]
    if participation.response_rate is not None:
        summary.append(
            [
                text["response_rate"],
                format_percent(participation.response_rate, "0.0%", locale=report.locale)
                + f" ({participation.completed}/{participation.invitations})",
            ]
        )
    figures = report.servqual
    if figures is not None:
        summary += [
            [
                text["servqual_unweighted"],
                f"{number(figures.servqual_unweighted)} "
                f"{interval(figures.servqual_low, figures.servqual_high)}",
            ],
            [text["servqual_weighted"], number(figures.servqual_weighted)],
            [text["weights_source"], text[f"weights.{figures.weights_source}"]],
        ]
    short = report.satisfaction
    if short is not None:
        summary.append(
            [text[short.measure], f"{number(short.score, 1)} {interval(short.low, short.high)}"]
        )
    story.append(_table(summary, font, widths=(70 * mm, 90 * mm)))
    if not report.has_answers:
        story += [Spacer(1, 6 * mm), Paragraph(escape(text["no_answers"]), body_style)]
    if figures is not None:
        story.append(Paragraph(escape(text["sheet.dimensions"]), heading_style))
        rows = [
            [
                text["dimension"],
                text["expectation"],
                text["perception"],
                text["gap"],
                text["ci"],
                text["alpha_expectation"],
                text["alpha_perception"],
            ]
        ]
        rows += [
            [
                row.name,
                number(row.expectation),
                number(row.perception),
                number(row.gap),
                interval(row.gap_low, row.gap_high),
                number(row.alpha_expectation),
                number(row.alpha_perception),
            ]
            for row in figures.dimensions
        ]
        story.append(_table(rows, font))
        story.append(Paragraph(escape(text["gap_chart"]), heading_style))
        story.append(_gap_chart(figures, font))
        story.append(Paragraph(escape(text["sheet.branches"]), heading_style))
        league = [
            [
                text["rank"],
                text["branch"],
                text["respondents_short"],
                text["servqual_unweighted"],
                text["ci"],
                text["weakest"],
            ]
        ]
        league += [
            [
                str(row.rank) if row.rank is not None else "—",
                branch_label(row, text) + (f" ({text['too_few']})" if row.too_few else ""),
                number(row.respondents, 0),
                number(row.servqual),
                interval(row.low, row.high),
                row.weakest_name or "—",
            ]
            for row in figures.branches
        ]
        story.append(_table(league, font, widths=LEAGUE_WIDTHS))
        story.append(
            Paragraph(
                escape(text["too_few_note"] % {"minimum": report.min_branch_respondents}),
                body_style,
            )
        )
        story.append(Paragraph(escape(text["sheet.change"]), heading_style))
        if figures.change is None:
            story.append(Paragraph(escape(text["no_previous"]), body_style))
        else:
            change = figures.change
            story.append(
                Paragraph(
                    escape(f"{text['previous']}: {change.previous_title} ({change.previous_code})"),
                    body_style,
                )
            )
            comparison = [
                [
                    text["dimension"],
                    text["earlier"],
                    text["later"],
                    text["difference"],
                    text["p_value"],
                ]
            ]
            comparison += [
                [
                    row.name,
                    number(row.gap_earlier),
                    number(row.gap_later),
                    number(row.difference),
                    number(row.p_value, 3),
                ]
                for row in change.rows
            ]
            story.append(_table(comparison, font))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=f"{text['title']} {wave.code}",
        # Every page starts in the report's font, not reportlab's Helvetica.
        initialFontName=font,
    )
    document.build(story)
    return buffer.getvalue()


def _table(rows: list[list[str]], font: str, widths: Sequence[float] | None = None) -> Table:
    """A grid whose cells wrap, so long headings and branch names stay within the page."""
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    columns = len(rows[0])
    if widths is None:
        # The first column names things (dimension, branch) and gets a larger share.
        first = 0.25 if columns > 2 else 0.5
        rest = (1 - first) / (columns - 1)
        widths = [CONTENT_WIDTH * first, *[CONTENT_WIDTH * rest] * (columns - 1)]
    table = Table(
        [[Paragraph(escape(value), cell) for value in row] for row in rows],
        colWidths=list(widths),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _gap_chart(figures: ServqualFigures, font: str) -> Drawing:
    """Bars of the dimension gaps; a negative gap (perception below expectation) in red."""
    gaps = [row.gap if row.gap is not None else 0.0 for row in figures.dimensions]
    drawing = Drawing(160 * mm, 60 * mm, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = 140 * mm, 45 * mm
    chart.data = [gaps]
    chart.categoryAxis.categoryNames = [row.name for row in figures.dimensions]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = min(0.0, *gaps) - 0.25
    chart.valueAxis.valueMax = max(0.0, *gaps) + 0.25
    chart.categoryAxis.labelAxisMode = "low"
    for index, gap in enumerate(gaps):
        chart.bars[(0, index)].fillColor = GAP_RED if gap < 0 else GAP_GREEN
    drawing.add(chart)
    return drawing
