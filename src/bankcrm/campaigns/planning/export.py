"""A marketing plan as an Excel workbook (one sheet per part) and as an A4 PDF, in the
reader's language.

Money is written as numbers in yuan with a number format in the workbook, and with ¥ and
separators in the PDF. The PDF sets all text in the packaged CJK font of ``core.pdf``,
embedded, so it reads the same where no Chinese font is installed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bankcrm.campaigns.planning import plans
from bankcrm.campaigns.planning.schemas import PlanRead
from bankcrm.core.money import from_cents
from bankcrm.core.pdf import pdf_font
from bankcrm.core.workbook import XLSX_MEDIA_TYPE, append_row, column_widths, heading_row
from bankcrm.web.i18n import format_date, format_money, gettext

__all__ = ["PDF_MEDIA_TYPE", "XLSX_MEDIA_TYPE", "attachment", "pdf", "workbook"]

PDF_MEDIA_TYPE = "application/pdf"
MONEY_FORMAT = "#,##0.00"
CONTENT_WIDTH = A4[0] - 36 * mm
HEADER_FILL = colors.HexColor("#e9ecef")
UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")


def attachment(plan: PlanRead, extension: str) -> dict[str, str]:
    """The download header; the file is named by plan and version (the title may be any
    script and goes into the file, not its name)."""
    name = UNSAFE_FILENAME.sub("_", f"marketing-plan-{plan.series_id}-v{plan.revision}")
    return {"Content-Disposition": f'attachment; filename="{name}.{extension}"'}


def _yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


class _Words:
    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, message: str) -> str:
        return gettext(self.locale, message)

    def code(self, kind: str, value: object) -> str:
        return gettext(self.locale, plans.text_key(kind, value))

    def money(self, cents: int | None) -> str:
        return format_money(_yuan(cents), self.locale)


# --- the workbook ---------------------------------------------------------------------------


def workbook(plan: PlanRead, locale: str) -> bytes:
    t = _Words(locale)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = t("Plan")
    _summary_sheet(summary, plan, t)
    _competitor_sheet(book.create_sheet(t("Competitors")), plan, t)
    _pest_sheet(book.create_sheet("PEST"), plan, t)
    _checklist_sheet(book.create_sheet(t("7P review")), plan, t)
    _action_sheet(book.create_sheet(t("Action plan")), plan, t)
    _budget_sheet(book.create_sheet(t("Budget and actuals")), plan, t)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(sheet, [plan.title])
    append_row(sheet, [t("Version"), plan.revision])
    append_row(sheet, [t("Status"), t.code("status", plan.status)])
    append_row(sheet, [t("Branch"), plan.branch or t("Bank-wide")])
    append_row(sheet, [t("Period"), f"{plan.period_start} – {plan.period_end}"])
    append_row(sheet, [t("Author"), plan.author])
    append_row(sheet, [t("New customers"), plan.target_new_customers])
    append_row(sheet, [t("Deposits"), _yuan(plan.target_deposits_cents)], [None, MONEY_FORMAT])
    append_row(sheet, [t("Target date"), plan.target_on])
    append_row(sheet, [t("Budget"), _yuan(plan.budget_cents)], [None, MONEY_FORMAT])
    append_row(
        sheet,
        [t("Budget method"), t.code("method", plan.budget_method) if plan.budget_method else None],
    )
    append_row(sheet, [None])
    heading_row(sheet, [t("Section"), t("Part"), t("Text"), t("Owner"), t("Review date")])
    for section in plan.sections:
        for part in plans.section(section.code).parts:
            append_row(
                sheet,
                [
                    t.code("section", section.code),
                    t.code("part", part),
                    section.parts.get(part),
                    section.owner,
                    section.review_on,
                ],
            )
    column_widths(sheet, first=28, others=24)
    sheet.column_dimensions["C"].width = 80


def _competitor_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(
        sheet,
        [
            t("Competitor"),
            t("Products"),
            t("Prices"),
            t("Strengths"),
            t("Weaknesses"),
            t("Market share, per cent"),
            t("Promotion spend"),
        ],
    )
    for row in plan.competitors:
        append_row(
            sheet,
            [
                row.name,
                row.products,
                row.prices,
                row.strengths,
                row.weaknesses,
                row.market_share,
                _yuan(row.promotion_spend_cents),
            ],
            [None, None, None, None, None, "0.00", MONEY_FORMAT],
        )
    column_widths(sheet, first=24, others=24)


def _pest_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(sheet, [t("Factor"), t("Description"), t("Impact"), t("Likelihood")])
    for row in plan.pest:
        append_row(sheet, [t.code("pest", row.factor), row.description, row.impact, row.likelihood])
    column_widths(sheet, first=16, others=14)
    sheet.column_dimensions["B"].width = 60


def _checklist_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(sheet, ["P", t("Question"), t("Answer"), t("Note")])
    for item in plan.checklist:
        append_row(
            sheet,
            [t.code("part", item.p), item.question, t.code("answer", item.answer), item.note],
        )
    column_widths(sheet, first=16, others=14)
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["D"].width = 40


def _action_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(sheet, [t("What"), t("Who"), t("When"), t("Cost")])
    for row in plan.actions:
        append_row(
            sheet,
            [row.what, row.owner, row.due_on, _yuan(row.cost_cents)],
            [None, None, None, MONEY_FORMAT],
        )
    column_widths(sheet, first=50, others=16)


def _budget_sheet(sheet: Worksheet, plan: PlanRead, t: _Words) -> None:
    heading_row(sheet, [t("Budget method"), t("Budget")])
    for method in plan.budget_methods:
        append_row(
            sheet,
            [t.code("method", method.method), _yuan(method.amount_cents)],
            [None, MONEY_FORMAT],
        )
    append_row(sheet, [None])
    heading_row(sheet, [t("Channel"), t("Activity"), t("Planned")])
    for line in plan.budget_lines:
        append_row(
            sheet,
            [t.code("channel", line.channel), line.activity, _yuan(line.planned_cents)],
            [None, None, MONEY_FORMAT],
        )
    append_row(sheet, [None])
    heading_row(sheet, [t("Channel"), t("Planned"), t("Actual")])
    for spend in plan.spend_by_channel:
        append_row(
            sheet,
            [
                t.code("channel", spend.channel),
                _yuan(spend.planned_cents),
                _yuan(spend.actual_cents),
            ],
            [None, MONEY_FORMAT, MONEY_FORMAT],
        )
    append_row(
        sheet,
        [t("Total"), _yuan(plan.planned_total_cents), _yuan(plan.actual_total_cents)],
        [None, MONEY_FORMAT, MONEY_FORMAT],
    )
    append_row(sheet, [None])
    heading_row(sheet, [t("Campaign"), t("Channel"), t("Contacted"), t("Budget"), t("Actual")])
    for campaign in plan.campaigns:
        append_row(
            sheet,
            [
                f"{campaign.code} {campaign.name}",
                t.code("channel", campaign.channel),
                campaign.contacted,
                _yuan(campaign.budget_cents),
                _yuan(campaign.actual_cents),
            ],
            [None, None, None, MONEY_FORMAT, MONEY_FORMAT],
        )
    column_widths(sheet, first=28, others=18)


# --- the PDF --------------------------------------------------------------------------------


def pdf(plan: PlanRead, locale: str) -> bytes:
    """The plan on A4: title and facts, the eight sections with their owners, then the
    competitor, PEST, 7P, action and budget tables."""
    t = _Words(locale)
    font = pdf_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    heading_style = ParagraphStyle(
        "heading", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
    )
    part_style = ParagraphStyle("part", fontName=font, fontSize=10, leading=14, spaceBefore=4)
    body_style = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)

    def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[Flowable] = [
        paragraph(plan.title, title_style),
        paragraph(
            " · ".join(
                [
                    f"{t('Version')} {plan.revision}",
                    t.code("status", plan.status),
                    plan.branch or t("Bank-wide"),
                    f"{plan.period_start} – {plan.period_end}",
                    f"{t('Author')}: {plan.author or '—'}",
                    f"{t('Budget')}: {t.money(plan.budget_cents)}",
                ]
            ),
            body_style,
        ),
        Spacer(1, 4 * mm),
    ]
    for section in plan.sections:
        story.append(paragraph(t.code("section", section.code), heading_style))
        story.append(
            paragraph(
                f"{t('Owner')}: {section.owner or '—'} · "
                f"{t('Review date')}: {format_date(section.review_on, locale)}",
                body_style,
            )
        )
        if section.code == "objectives":
            story.append(
                paragraph(
                    f"{t('New customers')}: {plan.target_new_customers or '—'} · "
                    f"{t('Deposits')}: {t.money(plan.target_deposits_cents)} · "
                    f"{t('Target date')}: {format_date(plan.target_on, locale)}",
                    body_style,
                )
            )
        for part in plans.section(section.code).parts:
            text = section.parts.get(part)
            if text:
                story.append(paragraph(t.code("part", part), part_style))
                story.append(paragraph(text, body_style))
    tables: list[tuple[str, list[list[str]]]] = [
        (
            t("Competitors"),
            [
                [t("Competitor"), t("Products"), t("Strengths"), t("Weaknesses"), t("Share")],
                *[
                    [
                        row.name,
                        row.products or "",
                        row.strengths or "",
                        row.weaknesses or "",
                        "" if row.market_share is None else f"{row.market_share:g} %",
                    ]
                    for row in plan.competitors
                ],
            ],
        ),
        (
            "PEST",
            [
                [t("Factor"), t("Description"), t("Impact"), t("Likelihood")],
                *[
                    [
                        t.code("pest", row.factor),
                        row.description,
                        str(row.impact),
                        str(row.likelihood),
                    ]
                    for row in plan.pest
                ],
            ],
        ),
        (
            t("7P review"),
            [
                ["P", t("Question"), t("Answer"), t("Note")],
                *[
                    [
                        t.code("part", item.p),
                        item.question,
                        t.code("answer", item.answer),
                        item.note or "",
                    ]
                    for item in plan.checklist
                ],
            ],
        ),
        (
            t("Action plan"),
            [
                [t("What"), t("Who"), t("When"), t("Cost")],
                *[
                    [row.what, row.owner or "", str(row.due_on), t.money(row.cost_cents)]
                    for row in plan.actions
                ],
            ],
        ),
        (
            t("Budget methods"),
            [
                [t("Budget method"), t("Budget")],
                *[
                    [t.code("method", method.method), t.money(method.amount_cents)]
                    for method in plan.budget_methods
                ],
            ],
        ),
        (
            t("Budget lines"),
            [
                [t("Channel"), t("Activity"), t("Planned")],
                *[
                    [t.code("channel", line.channel), line.activity, t.money(line.planned_cents)]
                    for line in plan.budget_lines
                ],
            ],
        ),
        (
            t("Budget against actual spend"),
            [
                [t("Channel"), t("Planned"), t("Actual")],
                *[
                    [
                        t.code("channel", spend.channel),
                        t.money(spend.planned_cents),
                        t.money(spend.actual_cents),
                    ]
                    for spend in plan.spend_by_channel
                ],
                [t("Total"), t.money(plan.planned_total_cents), t.money(plan.actual_total_cents)],
            ],
        ),
    ]
    for heading, rows in tables:
        story.append(paragraph(heading, heading_style))
        story.append(_table(rows, font))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        initialFontName=font,
        title=plan.title,
    )
    document.build(story)
    return buffer.getvalue()


def _table(rows: Sequence[list[str]], font: str) -> Table:
    """A grid whose cells wrap; the first column gets a larger share."""
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    columns = len(rows[0])
    first = 0.3 if columns > 2 else 0.5
    rest = (1 - first) / (columns - 1)
    table = Table(
        [[Paragraph(escape(value), cell) for value in row] for row in rows],
        colWidths=[CONTENT_WIDTH * first, *[CONTENT_WIDTH * rest] * (columns - 1)],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), font),
            ]
        )
    )
    return table
