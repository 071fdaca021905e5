"""The pages of KPIs, scores and ranks: a member of staff's own month with each indicator
against its target and their trend; a branch manager sees their branch's ranking and
roll-up beside it and opens one person's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId
from bankcrm.scope import sees_branch
from bankcrm.staff.performance import indicators, service
from bankcrm.staff.performance.endpoints import MONTH_PATTERN
from bankcrm.staff.performance.schemas import KpiMonthRead, StaffTrend
from bankcrm.web.deps import PagePerformanceRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter(prefix="/performance")

MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN)]
TREND_MONTHS = 12


SCORE = _("Score")
VOLUME = _("Business volume")
TREND_TITLE = _("Score and business volume by month")


@router.get("", response_class=HTMLResponse)
def my_performance(
    request: Request, session: DbSession, user: PagePerformanceRead, month: MonthQuery = None
) -> Response:
    """The viewer's KPIs for the month and their trend; their branch's ranking and roll-up
    for a branch manager."""
    chosen = indicators.parse_month(month) if month else service.latest_month(session, user=user)
    rows = service.list_months(session, user=user, month=chosen)
    mine = next((row for row in rows if row.staff_id == user.id), None)
    trend = service.staff_trend(session, user=user, staff_id=user.id, months=TREND_MONTHS)
    rollup = None
    if user.branch_id is not None and sees_branch(user, user.branch_id):
        rollup = service.branch_rollup(session, user=user, branch_id=user.branch_id, month=chosen)
    ranking = rollup.ranking if rollup else [row for row in rows if row.staff_id != user.id]
    return render(
        request,
        "performance/index.html",
        {
            "month": service.month_label(chosen),
            "person_name": user.full_name,
            "row": mine,
            "rollup": rollup,
            "ranking": ranking,
            "chart": _trend_chart(trend, request_locale(request)),
        },
    )


@router.get("/staff/{staff_id}", response_class=HTMLResponse)
def staff_performance(
    request: Request,
    session: DbSession,
    user: PagePerformanceRead,
    staff_id: RowId,
    month: MonthQuery = None,
) -> Response:
    """One person's month and trend, for them and their branch."""
    trend = service.staff_trend(session, user=user, staff_id=staff_id, months=TREND_MONTHS)
    wanted = month or (trend.months[-1].month if trend.months else None)
    row = next((item for item in trend.months if item.month == wanted), None)
    if row is None and month:
        chosen = indicators.parse_month(month)
        listed = service.list_months(session, user=user, month=chosen)
        row = next((item for item in listed if item.staff_id == staff_id), None)
    return render(
        request,
        "performance/staff.html",
        {
            "month": wanted or service.month_label(service.default_month()),
            "person_name": trend.staff_name,
            "staff_id": trend.staff_id,
            "row": row,
            "chart": _trend_chart(trend, request_locale(request)),
        },
    )


def _trend_chart(trend: StaffTrend, locale: str) -> dict[str, Any]:
    """An ECharts option: the score as a line, the business volume as bars on its own axis."""
    months = [row.month for row in trend.months]
    score_name = gettext(locale, SCORE)
    volume_name = gettext(locale, VOLUME)
    return {
        "title": {"text": gettext(locale, TREND_TITLE), "left": "center"},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [score_name, volume_name]},
        "xAxis": {"type": "category", "data": months},
        "yAxis": [
            {"type": "value", "name": score_name, "min": 0},
            {"type": "value", "name": volume_name, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": volume_name,
                "type": "bar",
                "yAxisIndex": 1,
                "data": [_figure(row, "volume") for row in trend.months],
            },
            {
                "name": score_name,
                "type": "line",
                "yAxisIndex": 0,
                "data": [row.score for row in trend.months],
            },
        ],
    }


def _figure(row: KpiMonthRead, code: str) -> float | None:
    return next((item.figure for item in row.indicators if item.code == code), None)
