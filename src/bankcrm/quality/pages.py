"""Service-quality pages: the branch service blueprint with its live figures, and the
satisfaction figures (CSAT, first-time CSAT, NPS) with their trends and branches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.inputs import parse_day
from bankcrm.core.messages import _
from bankcrm.quality.schemas import SatisfactionRead
from bankcrm.quality.service import blueprint_report, period, satisfaction_report
from bankcrm.web.deps import PageQualityRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

T = TypeVar("T")
DayText = Annotated[str | None, Query(max_length=10)]


BAD_PERIOD = _("Enter the period as two dates, the first not after the second.")


def _day(value: str | None) -> date | None:
    return parse_day(value) if value else None


def _rounded(value: float | None, scale: float = 1) -> float | None:
    return None if value is None else round(value * scale, 1)


# --- the service blueprint -----------------------------------------------------------------


@router.get("/blueprint", response_class=HTMLResponse)
def blueprint_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    since: DayText = None,
    until: DayText = None,
) -> Response:
    """The blueprint as a swimlane grid, its fail and wait points with the inspections and
    complaints of the period (twelve calendar months up to today unless chosen)."""
    (first, last), problem = _or_refused(
        lambda: period(_day(since), _day(until)), period(None, None), BAD_PERIOD
    )
    report = blueprint_report(session, user=user, since=first, until=last)
    context = {"since": first, "until": last, "report": report}
    return _page(request, "quality/blueprint.html", context, problem)


def _or_refused(read: Callable[[], T], fallback: T, message: str) -> tuple[T, Problem | None]:
    """What ``read`` gives from the query, or ``fallback`` and the problem to show."""
    try:
        return read(), None
    except (ValueError, ValidationFailed):
        return fallback, Problem(message)


def _page(
    request: Request, template: str, context: dict[str, Any], problem: Problem | None
) -> Response:
    """The page, refused (status 422) with the problem shown when there is one."""
    context["problem"] = translated(problem, request_locale(request))
    return render(request, template, context, status_code=422 if problem else 200)


# --- satisfaction ----------------------------------------------------------------------------


@router.get("/satisfaction", response_class=HTMLResponse)
def satisfaction_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    since: DayText = None,
) -> Response:
    """CSAT, first-time CSAT and NPS with its interval, monthly trends and branches, of the
    answers from ``since`` on (twelve calendar months unless chosen)."""
    chosen, problem = _or_refused(lambda: _day(since), None, _("Enter the first day as a date."))
    report = satisfaction_report(session, user=user, since=chosen)
    answered = report.csat.answers > 0 or report.nps.answers > 0
    context: dict[str, Any] = {
        "since": report.since,
        "report": report,
        "answered": answered,
        "chart": _satisfaction_chart(report, request_locale(request)) if answered else None,
    }
    return _page(request, "quality/satisfaction.html", context, problem)


def _satisfaction_chart(report: SatisfactionRead, locale: str) -> dict[str, Any]:
    """What quality.js draws: the monthly CSAT share (%) and NPS, with the answers behind each."""
    csat, nps = report.monthly.csat, report.monthly.nps
    return {
        "text": {
            "csat": gettext(locale, "CSAT (%)"),
            "nps": gettext(locale, "NPS"),
            "answers": gettext(locale, "Answers"),
        },
        "csat": csat.model_dump() | {"values": [_rounded(value, 100) for value in csat.values]},
        "nps": nps.model_dump() | {"values": [_rounded(value) for value in nps.values]},
    }
