"""The survey-wave report as an Excel workbook and as an A4 PDF, in Chinese or English.

The workbook writes every figure as a number with a number format, so staff can sort and
chart further. The PDF is set in the font of :mod:`bankcrm.core.pdf`, embedded, so it reads
the same on machines without Chinese fonts and its text stays extractable.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from babel.numbers import format_decimal, format_percent
from fastapi.responses import Response
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
from bankcrm.core.messages import _
from bankcrm.core.pdf import pdf_font
from bankcrm.core.workbook import (
    DAY_FORMAT,
    XLSX_MEDIA_TYPE,
    CellValue,
    append_row,
    attachment,
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


SCORES = (
    "gap ci_low ci_high expectation perception alpha_expectation alpha_perception weakest_gap "
    "servqual_unweighted servqual_weighted earlier later difference t df csat nps mean"
)
FORMATS: dict[str, str] = dict.fromkeys(SCORES.split(), SCORE_FORMAT) | {
    "importance": "0.0",
    "p_value": "0.000",
    "opens_on": DAY_FORMAT,
    "response_rate": PERCENT_FORMAT,
    "confidence": PERCENT_FORMAT,
}
"""The workbook's number format of a figure, by its heading's key."""


def render(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    file_format: str,
    locale: str,
    min_branch_respondents: int | None = None,
) -> Response:
    """The wave's report as JSON, or as a workbook or PDF to download."""
    report = build_wave_report(
        session,
        user=user,
        wave_id=wave_id,
        locale=locale,
        min_branch_respondents=min_branch_respondents,
    )
    if file_format == "json":
        body = json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False)
        return Response(body.encode(), media_type="application/json")
    if file_format == "xlsx":
        content, media_type = report_workbook(report), XLSX_MEDIA_TYPE
    else:
        content, media_type = report_pdf(report), PDF_MEDIA_TYPE
    # a download name made of the wave code's safe characters
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in report.wave.code)
    filename = f"survey-report-{safe}.{file_format}"
    return Response(content, media_type=media_type, headers=attachment(filename))


def headings_for(locale: str) -> dict[str, str]:
    """The headings in ``locale``, from the catalog; survey kinds and customer-matrix
    quadrants carry their labels as shown on the pages."""
    locale = normalise_locale(locale) or "en"
    text = {key: gettext(locale, message) for key, message in HEADINGS.items()}
    text |= {f"kind.{kind.value}": label_for(kind, locale) for kind in SurveyKind}
    text |= {f"customer.{quadrant.value}": label_for(quadrant, locale) for quadrant in Quadrant}
    return text


def fixed(value: float | None, digits: int = 2, *, locale: str) -> str:
    """A figure to ``digits`` decimal places, grouped the locale's way; a dash for none."""
    if value is None:
        return "—"
    return format_decimal(value, format=f"#,##0.{'0' * digits}", locale=locale)


def share(value: float | None, locale: str) -> str:
    return "—" if value is None else format_percent(value, PERCENT_FORMAT, locale=locale)


def branch_label(row: GroupRow, text: Mapping[str, str]) -> str:
    return row.label if row.key else text["no_branch"]


def segment_label(kind: str, row: GroupRow, text: Mapping[str, str]) -> str:
    """The label of a customer-matrix quadrant, a value tier or a month group."""
    key = row.key
    if not key:
        return text["not_segmented"]
    if kind == "quadrant":
        return text.get(f"customer.{key}", key)
    if kind == "value_tier":
        return text["tier"] % {"tier": key}
    return key


def segment_tables(figures: ServqualFigures) -> list[tuple[str, str, tuple[GroupRow, ...]]]:
    """The breakdowns by customer-matrix quadrant, value tier and month: the kind of group
    (as :func:`segment_label` takes it), the heading's key, the groups."""
    return [
        ("quadrant", "customer_quadrant", figures.quadrants),
        ("value_tier", "value_tier", figures.value_tiers),
        ("month", "month", figures.months),
    ]


# --- the workbook -----------------------------------------------------------------------

Column = str | Callable[[Any, Mapping[str, str]], CellValue]
"""A column's values: the row's attribute of that name, or a function of the row and the
headings."""


def _yes_no(flag: bool | None, text: Mapping[str, str]) -> str | None:
    return None if flag is None else text["yes" if flag else "no"]


DIMENSION_COLUMNS: dict[str, Column] = {
    "dimension": "name",
    "gap": "gap",
    "ci_low": "gap_low",
    "ci_high": "gap_high",
    "expectation": "expectation",
    "perception": "perception",
    "respondents": "respondents",
    "alpha_expectation": "alpha_expectation",
    "alpha_perception": "alpha_perception",
    "importance": "importance",
    "quadrant": lambda row, text: text[f"quadrant.{row.quadrant}"] if row.quadrant else None,
    "items": lambda row, _text: ", ".join(str(number) for number in row.items),
}
ITEM_COLUMNS: dict[str, Column] = {
    "number": "number",
    "dimension": "dimension_name",
    "statement": "statement",
    "respondents": "respondents",
    "expectation": "expectation",
    "perception": "perception",
    "gap": "gap",
    "ci_low": "gap_low",
    "ci_high": "gap_high",
}
GROUP_COLUMNS: dict[str, Column] = {
    "respondents": "respondents",
    "servqual_unweighted": "servqual",
    "ci_low": "low",
    "ci_high": "high",
}
BRANCH_COLUMNS: dict[str, Column] = {
    "rank": "rank",
    "branch": branch_label,
    **GROUP_COLUMNS,
    "weakest": "weakest_name",
    "weakest_gap": "weakest_gap",
    "too_few_heading": lambda row, text: _yes_no(row.too_few, text),
}
CHANGE_COLUMNS: dict[str, Column] = {
    "dimension": "name",
    "earlier": "gap_earlier",
    "later": "gap_later",
    "difference": "difference",
    "ci_low": "low",
    "ci_high": "high",
    "t": "t",
    "df": "df",
    "p_value": "p_value",
    "significant": lambda row, text: _yes_no(row.significant, text),
    "respondents_earlier": "respondents_earlier",
    "respondents_later": "respondents_later",
}
TREND_COLUMNS: dict[str, Column] = {
    "trend": "title",
    "code": "code",
    "opens_on": "opens_on",
    **GROUP_COLUMNS,
    "servqual_weighted": "weighted",
    "current": lambda row, text: text["yes"] if row.current else None,
}


def _value(column: Column, row: Any, text: Mapping[str, str]) -> Any:
    return column(row, text) if callable(column) else getattr(row, column)


def _table(
    sheet: Worksheet,
    text: Mapping[str, str],
    columns: Mapping[str, Column],
    rows: Iterable[Any],
    gaps: Sequence[tuple[str, str]] = (),
) -> None:
    """Bold headings, then a line per row; a column's number format follows its heading.
    ``gaps`` adds a column per dimension (code, name) holding the row's gap there."""
    heading_row(sheet, [*(text[key] for key in columns), *(name for _code, name in gaps)])
    formats = [*(FORMATS.get(key) for key in columns), *[SCORE_FORMAT] * len(gaps)]
    for row in rows:
        values = [_value(column, row, text) for column in columns.values()]
        append_row(sheet, [*values, *(row.gaps.get(code) for code, _name in gaps)], formats)


def report_workbook(report: WaveReport) -> bytes:
    """The report as an ``.xlsx`` file in the report's language.

    Sheets, in order: summary, dimensions (with a bar chart of the gaps), items, branch
    league, segments and months, change against the previous wave with the trend over
    waves. A wave without answers keeps the sheets with their headings only.
    """
    text = headings_for(report.locale)
    figures = report.servqual
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = text["sheet.summary"]
    _summary_sheet(summary, report, text)

    dimensions = workbook.create_sheet(text["sheet.dimensions"])
    dimensions.freeze_panes = "A2"
    _table(dimensions, text, DIMENSION_COLUMNS, figures.dimensions if figures else ())
    column_widths(dimensions, first=20, others=14)
    if figures is not None:
        _gap_bars(dimensions, len(figures.dimensions) + 1, text)

    items = workbook.create_sheet(text["sheet.items"])
    items.freeze_panes = "A2"
    _table(items, text, ITEM_COLUMNS, figures.items if figures else ())
    column_widths(items, first=8, others=14)
    items.column_dimensions["C"].width = 60

    branches = workbook.create_sheet(text["sheet.branches"])
    branches.freeze_panes = "A2"
    _table(branches, text, BRANCH_COLUMNS, figures.branches if figures else ())
    if figures is not None:
        blank_row(branches)
        append_row(branches, [text["too_few_note"] % {"minimum": report.min_branch_respondents}])
    column_widths(branches, first=8, others=16)
    branches.column_dimensions["B"].width = 28

    _segment_sheet(workbook.create_sheet(text["sheet.segments"]), figures, text)
    _change_sheet(workbook.create_sheet(text["sheet.change"]), figures, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, report: WaveReport, text: Mapping[str, str]) -> None:
    wave, participation = report.wave, report.participation
    heading_row(sheet, [text["title"]])
    facts: list[tuple[str, CellValue]] = [
        ("wave", wave.title),
        ("code", wave.code),
        ("kind", text[f"kind.{wave.kind}"]),
        ("period", f"{wave.opens_on} – {wave.closes_on}"),
    ]
    if wave.instrument_title:
        facts.append(("instrument", wave.instrument_title))
    for key, value in facts:
        append_row(sheet, [text[key], value])
    blank_row(sheet)
    heading_row(sheet, [text["item"], text["value"]])
    facts = [("answers", participation.answers), ("respondents", participation.respondents)]
    if participation.invitations is not None:
        facts += [
            ("invitations", participation.invitations),
            ("completed", participation.completed),
            ("response_rate", participation.response_rate),
        ]
    figures = report.servqual
    if figures is not None:
        facts += [
            ("servqual_unweighted", figures.servqual_unweighted),
            ("ci_low", figures.servqual_low),
            ("ci_high", figures.servqual_high),
            ("servqual_weighted", figures.servqual_weighted),
            ("weights_source", text[f"weights.{figures.weights_source}"]),
            ("confidence", figures.confidence),
        ]
    short = report.satisfaction
    if short is not None:
        facts += [(short.measure, short.score), ("ci_low", short.low), ("ci_high", short.high)]
        if short.mean is not None:
            facts.append(("mean", short.mean))
    for key, value in facts:
        append_row(sheet, [text[key], value], [None, FORMATS.get(key)])
    if short is not None:
        blank_row(sheet)
        heading_row(sheet, [text["month"], text[short.measure], text["month_answers"]])
        for month, value, count in zip(short.months, short.values, short.counts, strict=True):
            append_row(sheet, [month, value, count], [None, SCORE_FORMAT])
    if not report.has_answers:
        blank_row(sheet)
        append_row(sheet, [text["no_answers"]])
    column_widths(sheet, first=40, others=30)


def _gap_bars(sheet: Worksheet, last: int, text: Mapping[str, str]) -> None:
    """A bar chart of the gaps (column B) of the dimensions in rows 2 to ``last``."""
    chart = BarChart()
    chart.type = "col"
    chart.title = text["gap_chart"]
    chart.y_axis.title = text["gap"]
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, f"A{last + 3}")


def _segment_sheet(
    sheet: Worksheet, figures: ServqualFigures | None, text: Mapping[str, str]
) -> None:
    if figures is None:
        heading_row(sheet, [text[key] for key in ("segment", "respondents", "servqual_unweighted")])
    else:
        if figures.segment_run is not None:
            append_row(sheet, [text["segment_run"], figures.segment_run])
            blank_row(sheet)
        gaps = [(row.code, row.name) for row in figures.dimensions]
        for kind, heading, groups in segment_tables(figures):
            columns = {heading: partial(segment_label, kind), **GROUP_COLUMNS}
            _table(sheet, text, columns, groups, gaps)
            blank_row(sheet)
    column_widths(sheet, first=24, others=14)


def _change_sheet(
    sheet: Worksheet, figures: ServqualFigures | None, text: Mapping[str, str]
) -> None:
    change = figures.change if figures is not None else None
    if change is None:
        append_row(sheet, [text["no_previous"]])
    else:
        append_row(sheet, [text["previous"], f"{change.previous_title} ({change.previous_code})"])
        blank_row(sheet)
        _table(sheet, text, CHANGE_COLUMNS, change.rows)
    blank_row(sheet)
    _table(sheet, text, TREND_COLUMNS, figures.trend if figures is not None else ())
    column_widths(sheet, first=28, others=14)


# --- the PDF ----------------------------------------------------------------------------

GAP_RED = colors.HexColor("#c0392b")
GAP_GREEN = colors.HexColor("#2e8b57")
HEADER_FILL = colors.HexColor("#e9ecef")
PAGE_MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
LEAGUE_FIXED_WIDTHS = tuple(width * mm for width in (12, 58, 20, 24, 30))
LEAGUE_WIDTHS = (*LEAGUE_FIXED_WIDTHS, CONTENT_WIDTH - sum(LEAGUE_FIXED_WIDTHS))
"""Rank, branch, respondents, score, interval, weakest dimension: the branch name gets room."""
PDF_BRANCH_COLUMNS: dict[str, Column] = {
    "rank": lambda row, _text: None if row.rank is None else str(row.rank),
    "branch": lambda row, text: (
        branch_label(row, text) + (f" ({text['too_few']})" if row.too_few else "")
    ),
}
"""The PDF's own wording of the league's rank and branch."""


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
    wave, participation, figures = report.wave, report.participation, report.servqual
    number = partial(fixed, locale=report.locale)

    def interval(low: float | None, high: float | None) -> str:
        return "—" if low is None or high is None else f"[{number(low)}, {number(high)}]"

    def paragraph(words: str, style: ParagraphStyle = body_style) -> Paragraph:
        return Paragraph(escape(words), style)

    def grid(
        columns: Mapping[str, Column],
        keys: str,
        rows: Iterable[Any],
        widths: Sequence[float] | None = None,
    ) -> Table:
        """The workbook's ``columns`` named in ``keys`` (space-separated), as text; ``ci``
        joins the interval's ends."""

        def cell(row: Any, key: str) -> str:
            if key == "ci":
                return interval(*(_value(columns[end], row, text) for end in ("ci_low", "ci_high")))
            value = _value(columns[key], row, text)
            if isinstance(value, str):
                return value
            digits = 3 if key == "p_value" else 2
            return number(value, 0 if isinstance(value, int) else digits)

        header = [text[key] for key in keys.split()]
        cells = ([cell(row, key) for key in keys.split()] for row in rows)
        return _grid([header, *cells], font, widths)

    instrument = f" · {text['instrument']}: {wave.instrument_title}"
    story: list[Flowable] = [
        paragraph(f"{text['title']} — {wave.title}", title_style),
        paragraph(
            f"{text['code']}: {wave.code} · {text['period']}: {wave.opens_on} – {wave.closes_on}"
            + (instrument if wave.instrument_title else "")
        ),
        Spacer(1, 4 * mm),
    ]
    facts = [
        ("answers", number(participation.answers, 0)),
        ("respondents", number(participation.respondents, 0)),
    ]
    if participation.response_rate is not None:
        rate = share(participation.response_rate, report.locale)
        invited = f"{participation.completed}/{participation.invitations}"
        facts.append(("response_rate", f"{rate} ({invited})"))
    if figures is not None:
        score_interval = interval(figures.servqual_low, figures.servqual_high)
        facts += [
            ("servqual_unweighted", f"{number(figures.servqual_unweighted)} {score_interval}"),
            ("servqual_weighted", number(figures.servqual_weighted)),
            ("weights_source", text[f"weights.{figures.weights_source}"]),
        ]
    short = report.satisfaction
    if short is not None:
        facts.append((short.measure, f"{number(short.score, 1)} {interval(short.low, short.high)}"))
    summary = [[text["item"], text["value"]], *([text[key], value] for key, value in facts)]
    story.append(_grid(summary, font, widths=(70 * mm, 90 * mm)))
    if not report.has_answers:
        story += [Spacer(1, 6 * mm), paragraph(text["no_answers"])]
    if figures is not None:
        story += [
            paragraph(text["sheet.dimensions"], heading_style),
            grid(
                DIMENSION_COLUMNS,
                "dimension expectation perception gap ci alpha_expectation alpha_perception",
                figures.dimensions,
            ),
            paragraph(text["gap_chart"], heading_style),
            _gap_chart(figures, font),
            paragraph(text["sheet.branches"], heading_style),
            grid(
                BRANCH_COLUMNS | PDF_BRANCH_COLUMNS,
                "rank branch respondents servqual_unweighted ci weakest",
                figures.branches,
                LEAGUE_WIDTHS,
            ),
            paragraph(text["too_few_note"] % {"minimum": report.min_branch_respondents}),
            paragraph(text["sheet.change"], heading_style),
        ]
        change = figures.change
        if change is None:
            story.append(paragraph(text["no_previous"]))
        else:
            story += [
                paragraph(f"{text['previous']}: {change.previous_title} ({change.previous_code})"),
                grid(CHANGE_COLUMNS, "dimension earlier later difference p_value", change.rows),
            ]
    return _document(story, font, title=f"{text['title']} {wave.code}")


def _document(story: list[Flowable], font: str, *, title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=title,
        # Every page starts in the report's font, not reportlab's Helvetica.
        initialFontName=font,
    )
    document.build(story)
    return buffer.getvalue()


def _grid(rows: list[list[str]], font: str, widths: Sequence[float] | None = None) -> Table:
    """A grid whose cells wrap, so long headings and branch names stay within the page."""
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    columns = len(rows[0])
    if widths is None:
        # The first column names things (dimension, branch) and gets a quarter of the page.
        rest = 0.75 / (columns - 1)
        widths = [CONTENT_WIDTH * 0.25, *[CONTENT_WIDTH * rest] * (columns - 1)]
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
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 8
    chart.valueAxis.valueMin = min(0.0, *gaps) - 0.25
    chart.valueAxis.valueMax = max(0.0, *gaps) + 0.25
    chart.categoryAxis.labelAxisMode = "low"
    for index, gap in enumerate(gaps):
        chart.bars[(0, index)].fillColor = GAP_RED if gap < 0 else GAP_GREEN
    drawing.add(chart)
    return drawing
