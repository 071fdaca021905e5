"""Tasks over the API: the list (overdue first), one task, and working it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.core.pagination import MAX_PAGE_SIZE, RowId
from bankcrm.tasks import service
from bankcrm.tasks.schemas import (
    ColleagueRead,
    TaskDone,
    TaskFilter,
    TaskHandover,
    TaskPage,
    TaskPostpone,
    TaskRead,
)
from bankcrm.web.deps import DbSession, TasksRead, TasksWork
from bankcrm.web.errors import api_locale

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=TaskPage)
def list_tasks(
    request: Request,
    session: DbSession,
    user: TasksRead,
    status: TaskFilter = TaskFilter.OPEN,
    kind: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z0-9_]*$")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> TaskPage:
    """The tasks of the customers the caller sees and those assigned to them: overdue
    first, then by due date. ``status`` keeps the open ones (the default), the done ones
    or all; ``kind`` one kind."""
    return service.list_tasks(
        session,
        user=user,
        status=status,
        kind=kind or None,
        page=page,
        page_size=page_size,
        locale=api_locale(request),
    )


@router.get("/{task_id}", response_model=TaskRead)
def read_task(request: Request, session: DbSession, user: TasksRead, task_id: RowId) -> TaskRead:
    """One task, its title in the caller's language (``Accept-Language``)."""
    return service.get_task(session, user=user, task_id=task_id, locale=api_locale(request))


@router.get("/{task_id}/colleagues", response_model=list[ColleagueRead])
def handover_choices(session: DbSession, user: TasksRead, task_id: RowId) -> list[ColleagueRead]:
    """Whom the task can be handed to: the active account and branch managers of its
    branch."""
    return service.colleagues(session, user=user, task_id=task_id)


@router.post("/{task_id}/do", response_model=TaskRead)
def do_task(
    request: Request, session: DbSession, user: TasksWork, task_id: RowId, body: TaskDone
) -> TaskRead:
    """Mark the task done, with an optional note of its outcome: its assignee or the
    manager of its branch (403 for anyone else). A stale ``version`` or a task no longer
    open is a 409."""
    return service.complete(
        session, user=user, task_id=task_id, data=body, locale=api_locale(request)
    )


@router.post("/{task_id}/postpone", response_model=TaskRead)
def postpone_task(
    request: Request, session: DbSession, user: TasksWork, task_id: RowId, body: TaskPostpone
) -> TaskRead:
    """Move the due date later with a reason (422 without one, or for a date not after the
    present due date or in the past). A stale ``version`` is a 409."""
    return service.postpone(
        session, user=user, task_id=task_id, data=body, locale=api_locale(request)
    )


@router.post("/{task_id}/handover", response_model=TaskRead)
def hand_over_task(
    request: Request, session: DbSession, user: TasksWork, task_id: RowId, body: TaskHandover
) -> TaskRead:
    """Give the task to another active account or branch manager of its branch (422 for
    anyone else), who then owns it. A stale ``version`` is a 409."""
    return service.hand_over(
        session, user=user, task_id=task_id, data=body, locale=api_locale(request)
    )
