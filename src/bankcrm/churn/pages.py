"""The churn-warning list: the customers most likely to leave, with their account manager,
reasons, diagnosis and retention task, and its Excel export; and the analyst's model page
with the method and the time-ordered check."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.churn import export, service
from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.pagination import MAX_PAGE_SIZE, RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import attachment
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageAnalyticsModels, PageAnalyticsRead, PageTasksWork
from bankcrm.web.filters import ScopeFilters, chosen_day, scope_filters
from bankcrm.web.locale import request_locale
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/churn")

Filter = Annotated[str | None, Query(max_length=16)]
FormFilter = Annotated[str, Form(max_length=16)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
REASONS_SHOWN = 3
"""The list shows a warning's strongest reasons; the customer 360 shows them all."""


def _filters(
    session: Session, user: StaffUser, branch_id: str | None, manager_id: str | None
) -> ScopeFilters:
    return scope_filters(session, user, branch_id=branch_id, manager_id=manager_id)


@router.get("", response_class=HTMLResponse)
def warnings(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    as_of: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
    page: PageNumber = 1,
    page_size: PageSize = 25,
) -> Response:
    runs = service.run_dates(session)
    if not runs:
        return render(request, "churn/warnings.html", {"result": None})
    filters = _filters(session, user, branch_id, manager_id)
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
    works_tasks = has_permission(user.role, Permission.TASKS_WORK)
    tasks = (
        service.retention_tasks(
            session, user=user, customer_ids=[item.customer_id for item in result.items]
        )
        if works_tasks
        else {}
    )
    context: dict[str, Any] = {
        "result": result,
        "reasons_shown": REASONS_SHOWN,
        "branches": filters.branches,
        "managers": filters.managers,
        "branch_id": filters.branch_id,
        "manager_id": filters.manager_id,
        "query": query,
        "export_query": {key: query[key] for key in ("as_of", "branch_id", "manager_id")},
        "works_tasks": works_tasks,
        "tasks": tasks,
        "sees_model": has_permission(user.role, Permission.ANALYTICS_MODELS),
    }
    return render(request, "churn/warnings.html", context)


@router.get("/export.xlsx")
def export_warnings(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    as_of: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
) -> Response:
    """The list as a workbook, with the page's filters; audited, as it names customers."""
    runs = service.run_dates(session)
    filters = _filters(session, user, branch_id, manager_id)
    locale = request_locale(request)
    result = service.exported_warnings(
        session,
        user=user,
        locale=locale,
        as_of=chosen_day(as_of, runs) if runs else None,
        manager_id=filters.manager_id,
        branch_id=filters.branch_id,
    )
    return Response(
        export.workbook(result, locale),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=attachment(export.FILENAME),
    )


@router.post("/{customer_id}/retention-task", response_class=HTMLResponse)
async def raise_retention_task(
    request: Request,
    session: DbSession,
    user: PageTasksWork,
    customer_id: RowId,
    as_of: FormFilter = "",
    branch_id: FormFilter = "",
    manager_id: FormFilter = "",
    page: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Form(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """Open a retention task for the customer's account manager (none when one is open),
    and go back to the list with its filters, where the row now links to the task."""
    await check_csrf(request)
    service.raise_retention_task(
        session, user=user, customer_id=customer_id, settings=get_settings()
    )
    query = urlencode(
        {
            "as_of": as_of,
            "branch_id": branch_id,
            "manager_id": manager_id,
            "page": page,
            "page_size": page_size,
        }
    )
    return RedirectResponse(f"/churn?{query}#customer-{customer_id}", status_code=303)


@router.get("/model", response_class=HTMLResponse)
def model(
    request: Request, session: DbSession, user: PageAnalyticsModels, as_of: Filter = None
) -> Response:
    """For the analyst: how the scores were made and how well they separated churners."""
    runs = service.run_dates(session)
    if not runs:
        return render(request, "churn/model.html", {"result": None})
    result = service.churn_model(session, as_of=chosen_day(as_of, runs) or runs[0])
    return render(request, "churn/model.html", {"result": result, "evaluation": result.evaluation})
