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
from bankcrm.quality.blueprint import LANES, LINES, PointKind
from bankcrm.quality.schemas import BlueprintRead, PointRead, SatisfactionRead, StepRead
from bankcrm.quality.service import (
    blueprint_report,
    checked_day,
    default_since,
    period,
    satisfaction_report,
    today,
)
from bankcrm.web.deps import PageQualityRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

T = TypeVar("T")
DayText = Annotated[str | None, Query(max_length=10)]


def _(message: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return message


LANE_NAMES = {
    "customer": _("Customer actions"),
    "front_stage": _("Front stage (visible staff actions)"),
    "back_stage": _("Back stage (invisible staff actions)"),
    "support": _("Support processes and systems"),
}
LINE_NAMES = {
    "interaction": _("Line of interaction"),
    "visibility": _("Line of visibility"),
    "internal_interaction": _("Line of internal interaction"),
}
POINT_NAMES = {
    PointKind.FAIL: _("Fail point"),
    PointKind.WAIT: _("Wait point"),
}
BAD_PERIOD = _("Enter the period as two dates, the first not after the second.")


def _day(value: str | None) -> date | None:
    return parse_day(value) if value else None


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


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
    locale = request_locale(request)
    (first, last), problem = _or_refused(
        lambda: period(_day(since), _day(until)), period(None, None), BAD_PERIOD
    )
    report = blueprint_report(session, user=user, since=first, until=last)
    context: dict[str, Any] = {
        "since": first,
        "until": last,
        "title": report.title.text(locale),
        "steps": [_step_column(report, step, locale) for step in report.steps],
        "rows": _lane_rows(report, locale),
        "fail_points": sum(point.kind is PointKind.FAIL for point in report.points),
        "wait_points": sum(point.kind is PointKind.WAIT for point in report.points),
    }
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


def _step_column(report: BlueprintRead, step: StepRead, locale: str) -> dict[str, Any]:
    return {
        "code": step.code,
        "name": step.name.text(locale),
        "points": [_point(point, locale) for point in report.points if point.step == step.code],
    }


def _point(point: PointRead, locale: str) -> dict[str, Any]:
    return {
        "code": point.code,
        "fail": point.kind is PointKind.FAIL,
        "kind": gettext(locale, POINT_NAMES[point.kind]),
        "text": point.text.text(locale),
        "standards": [
            standard.model_dump() | {"title": standard.title and standard.title.text(locale)}
            for standard in point.standards
        ],
        "issues": [issue.label.text(locale) for issue in point.issues],
        "complaints": point.complaints,
    }


def _lane_rows(report: BlueprintRead, locale: str) -> list[dict[str, Any]]:
    """The grid's rows top to bottom: each lane with its actions by step, and after a lane
    the line that separates it from the next."""
    below = {above: code for code, above, _below in LINES}
    rows: list[dict[str, Any]] = []
    for lane in LANES:
        rows.append(
            {
                "lane": lane,
                "name": gettext(locale, LANE_NAMES[lane]),
                "cells": [
                    [action.text(locale) for action in step.lanes[lane]] for step in report.steps
                ],
            }
        )
        if lane in below:
            rows.append({"line": below[lane], "name": gettext(locale, LINE_NAMES[below[lane]])})
    return rows


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
    chosen, problem = _or_refused(
        lambda: checked_day(_day(since), "since"), None, _("Enter the first day as a date.")
    )
    first = chosen or default_since(today())
    report = satisfaction_report(session, user=user, since=first)
    answered = report.csat.answers > 0 or report.nps.answers > 0
    context: dict[str, Any] = {
        "since": first,
        "report": report,
        "answered": answered,
        "chart": _satisfaction_chart(report, request_locale(request)) if answered else None,
    }
    return _page(request, "quality/satisfaction.html", context, problem)


def _satisfaction_chart(report: SatisfactionRead, locale: str) -> dict[str, Any]:
    """What quality.js draws: the monthly CSAT share and NPS, with the answers behind each."""
    return {
        "text": {
            "csat": gettext(locale, "CSAT (%)"),
            "nps": gettext(locale, "NPS"),
            "answers": gettext(locale, "Answers"),
        },
        "csat": {
            "months": report.monthly.csat.months,
            "values": [_percent(value) for value in report.monthly.csat.values],
            "answers": report.monthly.csat.answers,
        },
        "nps": {
            "months": report.monthly.nps.months,
            "values": [
                None if value is None else round(value, 1) for value in report.monthly.nps.values
            ],
            "answers": report.monthly.nps.answers,
        },
    }
