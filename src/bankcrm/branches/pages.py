"""The pages of branch staffing plans: a week's forecast arrivals and counters per slot as a
chart, the table of each day's slots with the expected and simulated service level, and the
roster of who works which shift."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.branches import service
from bankcrm.branches.models import BranchStaffingPlan
from bankcrm.branches.schemas import StaffingRecompute
from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageBranchOperationsRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/branches")


WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
SHIFT_NAMES = {"full_day": _("Full day"), "morning": _("Morning"), "afternoon": _("Afternoon")}
NOT_PLANNED = _("The plan was not computed")
CHART_TITLE = _("Forecast arrivals and counters")
ARRIVALS = _("Forecast arrivals")
COUNTERS = _("Counters needed")
ROSTERED = _("Counters rostered")


@router.get("/staffing", response_class=HTMLResponse)
def staffing_start(
    request: Request, session: DbSession, user: PageBranchOperationsRead
) -> Response:
    """A branch manager gets their branch's plan of next week; a bank-wide role picks a
    branch. (Shown here rather than redirected: every page a role may open answers 200.)"""
    if ROLE_SCOPE[user.role] is Scope.BRANCH and user.branch_id is not None:
        return _render(request, session, user, user.branch_id, service.next_week())
    branches = service.visible_branches(session, user=user)
    return render(request, "branches/pick.html", {"branches": branches})


@router.get("/{branch_id}/staffing", response_class=HTMLResponse)
def staffing_page(
    request: Request,
    session: DbSession,
    user: PageBranchOperationsRead,
    branch_id: RowId,
    week: Annotated[date | None, Query()] = None,
) -> Response:
    """The branch's plan for the week of ``week`` (next week when left out)."""
    return _render(request, session, user, branch_id, service.week_of(week or service.next_week()))


@router.post("/{branch_id}/staffing", response_class=HTMLResponse)
async def recompute_page(
    request: Request, session: DbSession, user: PageBranchOperationsRead, branch_id: RowId
) -> Response:
    """Compute the week's plan again from the branch's tickets."""
    form = await request.form()
    service.get_branch(session, user=user, branch_id=branch_id)
    try:
        body = _parse_week(str(form.get("week_start") or ""))
        service.recompute_plan(session, user=user, branch_id=branch_id, week_start=body.week_start)
    except BankcrmError as error:
        session.rollback()
        week = service.next_week()
        return _render(
            request,
            session,
            user,
            branch_id,
            week,
            problem=Problem(NOT_PLANNED, str(error)),
            status_code=error.status_code,
        )
    week_start = service.week_of(body.week_start).isoformat()
    return RedirectResponse(f"/branches/{branch_id}/staffing?week={week_start}", status_code=303)


def _parse_week(text: str) -> StaffingRecompute:
    try:
        return StaffingRecompute.model_validate({"week_start": text.strip()}, strict=False)
    except ValidationError as error:
        raise ValidationFailed(
            f"week_start: {error.errors()[0]['msg']}", field="week_start"
        ) from None


def _render(
    request: Request,
    session: Session,
    user: StaffUser,
    branch_id: int,
    week: date,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    branch = service.get_branch(session, user=user, branch_id=branch_id)
    row = service.find_plan(session, user=user, branch_id=branch_id, week_start=week)
    days = _days(row, locale) if row is not None else []
    return render(
        request,
        "branches/staffing.html",
        {
            "branch": branch,
            "week": week,
            "plan": row.plan if row is not None else None,
            "computed_at": row.computed_at if row is not None else None,
            "days": days,
            "chart": _chart(days, locale) if days else None,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


def _days(row: BranchStaffingPlan, locale: str) -> list[dict[str, Any]]:
    return [
        {
            **day,
            "name": gettext(locale, WEEKDAYS[day["weekday"]]),
            "shifts": [
                {**shift, "label": gettext(locale, SHIFT_NAMES.get(shift["shift"], shift["shift"]))}
                for shift in day["shifts"]
            ],
        }
        for day in row.plan["days"]
    ]


def _chart(days: list[dict[str, Any]], locale: str) -> dict[str, Any]:
    """Arrivals as bars and counters as steps along the week's open slots."""
    labels = [f"{day['name']} {slot['time']}" for day in days for slot in day["slots"]]
    slots = [slot for day in days for slot in day["slots"]]
    return {
        "title": {"text": gettext(locale, CHART_TITLE), "left": "center"},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 48, "bottom": 80},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value"}, {"type": "value", "minInterval": 1}],
        "dataZoom": [{"type": "slider", "bottom": 30}],
        "series": [
            {
                "name": gettext(locale, ARRIVALS),
                "type": "bar",
                "data": [slot["arrivals"] for slot in slots],
            },
            {
                "name": gettext(locale, COUNTERS),
                "type": "line",
                "step": "start",
                "yAxisIndex": 1,
                "data": [slot["counters"] for slot in slots],
            },
            {
                "name": gettext(locale, ROSTERED),
                "type": "line",
                "step": "start",
                "yAxisIndex": 1,
                "lineStyle": {"type": "dashed"},
                "data": [slot["rostered"] for slot in slots],
            },
        ],
    }
