"""The survey-wave report page and its Excel and PDF downloads."""

from __future__ import annotations

from typing import Annotated, Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import Quadrant
from bankcrm.core.pagination import MAX_ID
from bankcrm.quality.reporting import export
from bankcrm.quality.reporting.report import (
    GroupRow,
    ServqualFigures,
    WaveReport,
    build_wave_report,
)
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityRead
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter()

WaveId = Annotated[int, Path(ge=1, le=MAX_ID)]
MinRespondents = Annotated[int | None, Query(ge=1, le=1000)]


def _(message: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return message


GRID_QUADRANTS = {
    "concentrate_here": _("Concentrate here"),
    "keep_up_the_good_work": _("Keep up the good work"),
    "low_priority": _("Low priority"),
    "possible_overkill": _("Possible overkill"),
}
WEIGHT_SOURCES = {
    "instrument": _("the instrument's default weights"),
    "respondents": _("importance points stated by respondents"),
}


@router.get("/quality/waves/{wave_id}/report", response_class=HTMLResponse)
def wave_report_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: WaveId,
    min_respondents: MinRespondents = None,
) -> Response:
    """Headline figures, charts and tables of one survey wave."""
    locale = request_locale(request)
    report = build_wave_report(
        session, user=user, wave_id=wave_id, locale=locale, min_branch_respondents=min_respondents
    )
    context: dict[str, Any] = {
        "report": report,
        "figures": report.servqual,
        "short": report.satisfaction,
        "reliable_alpha": get_settings().quality.reliable_alpha,
        "grid_quadrants": GRID_QUADRANTS,
        "weight_sources": WEIGHT_SOURCES,
        "segments": _segment_tables(report, locale),
        "fixed": lambda value, digits=2: _fixed(value, locale, digits),
        "share": lambda value: _share(value, locale),
        "query": "" if min_respondents is None else f"?min_respondents={min_respondents}",
        "chart": _charts(report, locale) if report.has_answers else None,
    }
    return render(request, "quality/reporting/report.html", context)


@router.get("/quality/waves/{wave_id}/report.xlsx")
def wave_report_workbook(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: WaveId,
    min_respondents: MinRespondents = None,
) -> Response:
    """The report as an Excel workbook, in the page's language."""
    return _download(request, session, user, wave_id, "xlsx", min_respondents)


@router.get("/quality/waves/{wave_id}/report.pdf")
def wave_report_pdf(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: WaveId,
    min_respondents: MinRespondents = None,
) -> Response:
    """The report as an A4 PDF, in the page's language."""
    return _download(request, session, user, wave_id, "pdf", min_respondents)


def _download(
    request: Request,
    session: DbSession,
    user: StaffUser,
    wave_id: int,
    file_format: str,
    min_respondents: int | None,
) -> Response:
    content, media_type, filename = export.render(
        session,
        user=user,
        wave_id=wave_id,
        file_format=file_format,
        locale=request_locale(request),
        min_branch_respondents=min_respondents,
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _fixed(value: float | None, locale: str, digits: int = 2) -> str:
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=locale)


def _share(value: float | None, locale: str) -> str:
    return "—" if value is None else format_percent(value, "0.0%", locale=locale)


def _segment_label(kind: str, key: str, locale: str) -> str:
    if not key:
        return gettext(locale, "Not segmented")
    if kind == "quadrant":
        return label_for(Quadrant(key), locale)
    if kind == "value_tier":
        return gettext(locale, "Tier %(tier)s") % {"tier": key}
    return key


def _segment_tables(report: WaveReport, locale: str) -> list[dict[str, Any]]:
    """The breakdowns by customer-matrix quadrant, value tier and month, labelled."""
    figures = report.servqual
    if figures is None:
        return []
    tables: list[tuple[str, str, tuple[GroupRow, ...]]] = [
        ("quadrant", gettext(locale, "Customer matrix"), figures.quadrants),
        ("value_tier", gettext(locale, "Value tier"), figures.value_tiers),
        ("month", gettext(locale, "Month answered"), figures.months),
    ]
    return [
        {
            "kind": kind,
            "title": title,
            "rows": [
                {"label": _segment_label(kind, row.key, locale), "row": row} for row in groups
            ],
        }
        for kind, title, groups in tables
    ]


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _charts(report: WaveReport, locale: str) -> dict[str, Any]:
    """What quality_report.js draws."""
    text = {
        "gap": gettext(locale, "Gap (P − E)"),
        "expectation": gettext(locale, "Expectation"),
        "perception": gettext(locale, "Perception"),
        "servqual": gettext(locale, "SERVQUAL score"),
        "interval": gettext(locale, "Confidence interval"),
        "importance": gettext(locale, "Importance"),
        "performance": gettext(locale, "Performance (mean perception)"),
        "answers": gettext(locale, "Answers"),
        "score": gettext(locale, "Share satisfied")
        if report.satisfaction and report.satisfaction.measure == "csat"
        else gettext(locale, "Net promoter score"),
    }
    data: dict[str, Any] = {"text": text}
    figures = report.servqual
    if figures is not None:
        data.update(_servqual_charts(figures, locale))
    short = report.satisfaction
    if short is not None:
        data["satisfaction"] = {
            "months": list(short.months),
            "values": [_round(value, 1) for value in short.values],
            "answers": list(short.counts),
        }
    return data


def _servqual_charts(figures: ServqualFigures, locale: str) -> dict[str, Any]:
    dimensions = figures.dimensions
    return {
        "gaps": {
            "names": [row.name for row in dimensions],
            "values": [_round(row.gap) for row in dimensions],
            "low": [_round(row.gap_low) for row in dimensions],
            "high": [_round(row.gap_high) for row in dimensions],
        },
        "radar": {
            "names": [row.name for row in dimensions],
            "min": figures.scale_min,
            "max": figures.scale_max,
            "expectation": [_round(row.expectation) for row in dimensions],
            "perception": [_round(row.perception) for row in dimensions],
        },
        "trend": {
            "labels": [point.code for point in figures.trend],
            "titles": [point.title for point in figures.trend],
            "values": [_round(point.servqual) for point in figures.trend],
            "low": [_round(point.low) for point in figures.trend],
            "high": [_round(point.high) for point in figures.trend],
            "current": [point.current for point in figures.trend],
        },
        "grid": {
            "importance_cut": _round(figures.grid.importance_cut),
            "performance_cut": _round(figures.grid.performance_cut),
            "points": [
                {
                    "name": point.name,
                    "importance": _round(point.importance),
                    "performance": _round(point.performance),
                    "quadrant": gettext(locale, GRID_QUADRANTS[point.quadrant])
                    if point.quadrant
                    else "",
                    "focus": point.quadrant == "concentrate_here",
                }
                for point in figures.grid.points
                if point.importance is not None and point.performance is not None
            ],
        },
    }
