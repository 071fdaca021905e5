"""The survey-wave report page and its Excel and PDF downloads."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.pagination import RowId
from bankcrm.quality.reporting import export
from bankcrm.quality.reporting.endpoints import MinRespondents
from bankcrm.quality.reporting.report import (
    ServqualFigures,
    WaveReport,
    build_wave_report,
)
from bankcrm.web.deps import PageQualityRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter()


@router.get("/quality/waves/{wave_id}/report", response_class=HTMLResponse)
def wave_report_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: RowId,
    min_respondents: MinRespondents = None,
) -> Response:
    """Headline figures, charts and tables of one survey wave."""
    locale = request_locale(request)
    report = build_wave_report(
        session, user=user, wave_id=wave_id, locale=locale, min_branch_respondents=min_respondents
    )
    text = export.headings_for(locale)
    context: dict[str, Any] = {
        "report": report,
        "figures": report.servqual,
        "short": report.satisfaction,
        "reliable_alpha": get_settings().quality.reliable_alpha,
        "headings": export.HEADINGS,
        "segments": export.segment_tables(report.servqual) if report.servqual else [],
        "segment_label": partial(export.segment_label, text=text),
        "fixed": partial(export.fixed, locale=locale),
        "share": partial(export.share, locale=locale),
        "query": "" if min_respondents is None else f"?min_respondents={min_respondents}",
        "chart": _charts(report, locale, text) if report.has_answers else None,
    }
    return render(request, "quality/reporting/report.html", context)


@router.get("/quality/waves/{wave_id}/report.xlsx")
@router.get("/quality/waves/{wave_id}/report.pdf")
def wave_report_download(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    wave_id: RowId,
    min_respondents: MinRespondents = None,
) -> Response:
    """The report as an Excel workbook or an A4 PDF (by the address's ending), in the page's
    language."""
    return export.render(
        session,
        user=user,
        wave_id=wave_id,
        file_format=request.url.path.rsplit(".", 1)[1],
        locale=request_locale(request),
        min_branch_respondents=min_respondents,
    )


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _rounded(rows: Sequence[Any], **attributes: str) -> dict[str, list[float | None]]:
    """Per key, the named attribute of every row, rounded for the charts."""
    return {key: [_round(getattr(row, name)) for row in rows] for key, name in attributes.items()}


def _charts(report: WaveReport, locale: str, headings: dict[str, str]) -> dict[str, Any]:
    """What quality_report.js draws."""
    short = report.satisfaction
    text = {key: headings[key] for key in ("gap", "expectation", "perception")}
    text |= {
        "servqual": gettext(locale, "SERVQUAL score"),
        "importance": headings["importance"],
        "performance": gettext(locale, "Performance (mean perception)"),
        "answers": headings["answers"],
        "score": headings["csat" if short and short.measure == "csat" else "nps"],
    }
    data: dict[str, Any] = {"text": text}
    if report.servqual is not None:
        data.update(_servqual_charts(report.servqual, headings))
    if short is not None:
        data["satisfaction"] = {
            "months": list(short.months),
            "values": [_round(value, 1) for value in short.values],
            "answers": list(short.counts),
        }
    return data


def _servqual_charts(figures: ServqualFigures, text: dict[str, str]) -> dict[str, Any]:
    dimensions = figures.dimensions
    return {
        "gaps": {
            "names": [row.name for row in dimensions],
            **_rounded(dimensions, values="gap", low="gap_low", high="gap_high"),
        },
        "radar": {
            "names": [row.name for row in dimensions],
            "min": figures.scale_min,
            "max": figures.scale_max,
            **_rounded(dimensions, expectation="expectation", perception="perception"),
        },
        "trend": {
            "labels": [point.code for point in figures.trend],
            "titles": [point.title for point in figures.trend],
            **_rounded(figures.trend, values="servqual", low="low", high="high"),
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
                    "quadrant": text[f"quadrant.{point.quadrant}"] if point.quadrant else "",
                    "focus": point.quadrant == "concentrate_here",
                }
                for point in figures.grid.points
                if point.importance is not None and point.performance is not None
            ],
        },
    }
