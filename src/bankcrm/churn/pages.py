"""The churn-warning list: the customers most likely to leave, with reasons and diagnosis."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.churn import service
from bankcrm.core.deps import DbSession
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.web.deps import PageAnalyticsRead
from bankcrm.web.filters import chosen_day, scope_filters
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter(prefix="/churn")

Filter = Annotated[str | None, Query(max_length=16)]
REASONS_SHOWN = 3
"""The list shows a warning's strongest reasons; the customer 360 shows them all."""


@router.get("", response_class=HTMLResponse)
def warnings(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    as_of: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    runs = service.run_dates(session)
    if not runs:
        return render(request, "churn/warnings.html", {"result": None})
    filters = scope_filters(session, user, branch_id=branch_id, manager_id=manager_id)
    result = service.churn_warnings(
        session,
        user=user,
        locale=request_locale(request),
        as_of=chosen_day(as_of, runs) or runs[0],
        manager_id=filters.manager_id,
        branch_id=filters.branch_id,
        page=page,
        page_size=page_size,
    )
    query = {
        "as_of": result.as_of.isoformat(),
        "branch_id": filters.branch_id or "",
        "manager_id": filters.manager_id or "",
        "page_size": page_size,
    }
    context: dict[str, Any] = {
        "result": result,
        "evaluation": result.evaluation,
        "reasons_shown": REASONS_SHOWN,
        "branches": filters.branches,
        "managers": filters.managers,
        "branch_id": filters.branch_id,
        "manager_id": filters.manager_id,
        "query": query,
    }
    return render(request, "churn/warnings.html", context)
