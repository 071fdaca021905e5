"""Task pages: the list (overdue first) with its export, and one task with its actions:
mark it done, postpone it with a reason, hand it over within the branch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import TaskPriority, TaskStatus
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormText
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import attachment
from bankcrm.staff.models import StaffUser
from bankcrm.tasks import export, service
from bankcrm.tasks.schemas import TaskDone, TaskFilter, TaskHandover, TaskPostpone
from bankcrm.web.deps import PageTasksRead, PageTasksWork
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/tasks")

Version = Annotated[int, Form(ge=1, le=MAX_ID)]
NoteText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
StatusQuery = Annotated[str, Query(max_length=8)]
KindQuery = Annotated[str, Query(max_length=32)]


FILTER_LABELS = {
    TaskFilter.OPEN: _("Open"),
    TaskFilter.DONE: _("Done"),
    TaskFilter.ALL: _("All"),
}
PRIORITY_BADGES = {
    TaskPriority.LOW: "text-bg-light border",
    TaskPriority.NORMAL: "text-bg-secondary",
    TaskPriority.HIGH: "text-bg-warning",
    TaskPriority.URGENT: "text-bg-danger",
}
STATUS_BADGES = {
    TaskStatus.OPEN: "text-bg-primary",
    TaskStatus.IN_PROGRESS: "text-bg-info",
    TaskStatus.DONE: "text-bg-success",
    TaskStatus.CANCELLED: "text-bg-light border",
}
CONFLICT = _(
    "Someone else changed this task, or it is no longer open. It is shown as it is now: "
    "check it and try again."
)


@dataclass(frozen=True)
class Typed:
    """What was typed into a refused form, to fill it in again."""

    outcome: str = ""
    due_on: str = ""
    reason: str = ""
    assignee_id: str = ""


def _filters(status: str, kind: str) -> tuple[TaskFilter, str | None]:
    chosen = TaskFilter(status) if status in set(TaskFilter) else TaskFilter.OPEN
    return chosen, (kind or None)


@router.get("", response_class=HTMLResponse)
def task_list(
    request: Request,
    session: DbSession,
    user: PageTasksRead,
    status: StatusQuery = TaskFilter.OPEN.value,
    kind: KindQuery = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """The tasks the user sees, overdue first, then by due date."""
    locale = request_locale(request)
    chosen, chosen_kind = _filters(status, kind)
    kinds = service.kinds(session, user=user)
    if chosen_kind not in kinds:
        chosen_kind = None
    result = service.list_tasks(
        session,
        user=user,
        status=chosen,
        kind=chosen_kind,
        page=page,
        page_size=page_size,
        locale=locale,
    )
    query = {"status": chosen.value, "kind": chosen_kind or "", "page_size": page_size}
    context: dict[str, Any] = {
        "result": result,
        "status": chosen.value,
        "filters": FILTER_LABELS,
        "kind": chosen_kind or "",
        "kinds": [(code, export.kind_label(code, locale)) for code in kinds],
        "kind_label": lambda code: export.kind_label(code, locale),
        "priority_badges": PRIORITY_BADGES,
        "status_badges": STATUS_BADGES,
        "query": query,
        "export_query": {"status": chosen.value, "kind": chosen_kind or ""},
    }
    return render(request, "tasks/list.html", context)


@router.get("/export.xlsx")
def export_tasks(
    request: Request,
    session: DbSession,
    user: PageTasksRead,
    status: StatusQuery = TaskFilter.OPEN.value,
    kind: KindQuery = "",
) -> Response:
    """The list as a workbook, with the same filters; audited, as it names customers."""
    chosen, chosen_kind = _filters(status, kind)
    locale = request_locale(request)
    items = service.exported(session, user=user, status=chosen, kind=chosen_kind, locale=locale)
    return Response(
        export.workbook(items, locale),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=attachment(export.FILENAME),
    )


@router.get("/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request, session: DbSession, user: PageTasksRead, task_id: RowId
) -> Response:
    return _render_task(request, session, user, task_id)


@router.post("/{task_id}/do", response_class=HTMLResponse)
async def do_task(
    request: Request,
    session: DbSession,
    user: PageTasksWork,
    task_id: RowId,
    version: Version,
    outcome: NoteText = "",
) -> Response:
    """Mark the task done, with an optional note of what came of it."""
    await check_csrf(request)
    try:
        service.complete(
            session, user=user, task_id=task_id, data=TaskDone(version=version, outcome=outcome)
        )
    except BankcrmError as error:
        typed = Typed(outcome=outcome)
        return _refused(
            request, session, user, task_id, error, _("The task was not marked done."), typed
        )
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


@router.post("/{task_id}/postpone", response_class=HTMLResponse)
async def postpone_task(
    request: Request,
    session: DbSession,
    user: PageTasksWork,
    task_id: RowId,
    version: Version,
    due_on: Annotated[str, Form(max_length=10)] = "",
    reason: NoteText = "",
) -> Response:
    """Move the due date later; a reason is required."""
    await check_csrf(request)
    typed = Typed(due_on=due_on, reason=reason)
    headline = _("The task was not postponed.")
    try:
        data = _postponement(version, due_on, reason)
        service.postpone(session, user=user, task_id=task_id, data=data)
    except BankcrmError as error:
        return _refused(request, session, user, task_id, error, headline, typed)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


def _postponement(version: int, due_on: str, reason: str) -> TaskPostpone:
    """The form as the API's body; a missing or garbled field is named."""
    if not reason.strip():
        raise ValidationFailed(_("A postponement needs a reason."), field="reason")
    try:
        return TaskPostpone.model_validate(
            {"version": version, "due_on": due_on.strip(), "reason": reason}
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        raise ValidationFailed(f"{field}: {first['msg']}", field=field) from None


@router.post("/{task_id}/handover", response_class=HTMLResponse)
async def hand_over_task(
    request: Request,
    session: DbSession,
    user: PageTasksWork,
    task_id: RowId,
    version: Version,
    assignee_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Give the task to another member of staff of its branch."""
    await check_csrf(request)
    typed = Typed(assignee_id=assignee_id)
    headline = _("The task was not handed over.")
    try:
        chosen = whole_number(assignee_id)
        if chosen is None:
            raise ValidationFailed("choose whom to hand the task to", field="assignee_id")
        service.hand_over(
            session,
            user=user,
            task_id=task_id,
            data=TaskHandover(version=version, assignee_id=chosen),
        )
    except BankcrmError as error:
        return _refused(request, session, user, task_id, error, headline, typed)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


def _refused(
    request: Request,
    session: Session,
    user: StaffUser,
    task_id: int,
    error: BankcrmError,
    headline: str,
    typed: Typed,
) -> Response:
    """The task as it stands now, with why the form was refused."""
    problem = refusal(
        session, error, conflict=CONFLICT, denied=_("You may not do this."), otherwise=headline
    )
    return _render_task(
        request,
        session,
        user,
        task_id,
        problem=problem,
        typed=typed,
        status_code=error.status_code,
    )


def _render_task(
    request: Request,
    session: Session,
    user: StaffUser,
    task_id: int,
    *,
    problem: Problem | None = None,
    typed: Typed | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    item = service.get_task(session, user=user, task_id=task_id, locale=locale)
    open_task = item.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
    may_work = (
        open_task
        and has_permission(user.role, Permission.TASKS_WORK)
        and service.may_work(session, user=user, task_id=task_id)
    )
    context: dict[str, Any] = {
        "item": item,
        "kind": export.kind_label(item.kind, locale),
        "priority_badges": PRIORITY_BADGES,
        "status_badges": STATUS_BADGES,
        "may_work": may_work,
        "colleagues": service.colleagues(session, user=user, task_id=task_id) if may_work else [],
        "typed": typed or Typed(),
        "problem": translated(problem, locale),
    }
    return render(request, "tasks/detail.html", context, status_code=status_code)
