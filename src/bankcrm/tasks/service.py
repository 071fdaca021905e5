"""Working one's tasks: the list, one task, marking it done, postponing it with a reason,
handing it over within the branch, and the list's export.

Every task is read through the viewer's scoped base select (``TaskRepository``). A change
names the version the user saw: a stale one is a ``Conflict`` (409), and two changes at
the same moment cannot overwrite each other (the version is the row's optimistic lock).
Each change is an audit entry with the columns before and after (the audit recorder's
flush events); the export is one entry of its own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction, TaskPriority, TaskStatus
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.customers.labels import customer_label
from bankcrm.scope import sees_branch
from bankcrm.staff.models import StaffUser
from bankcrm.tasks import repository
from bankcrm.tasks.models import Task
from bankcrm.tasks.repository import UNFINISHED, TaskRepository
from bankcrm.tasks.schemas import (
    ColleagueRead,
    TaskDone,
    TaskFilter,
    TaskHandover,
    TaskPage,
    TaskPostpone,
    TaskRead,
)
from bankcrm.web.i18n import gettext

EXPORT_LIMIT = 10_000
"""The most tasks one export holds (a branch's open and done tasks fit many times)."""


def _conditions(status: TaskFilter, kind: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status is TaskFilter.OPEN:
        conditions.append(Task.status.in_(UNFINISHED))
    elif status is TaskFilter.DONE:
        conditions.append(Task.status == TaskStatus.DONE)
    if kind:
        conditions.append(Task.kind == kind)
    return conditions


def title_in(title: str, params: dict[str, Any] | None, locale: str | None) -> str:
    """A task's title for the reader: a catalog message id with its parameters (tasks the
    application raises) in ``locale``, the bank's default when none is given; any other
    title as it was written."""
    if params is None:
        return title
    return gettext(locale or get_settings().default_locale, title) % params


def _read(row: Any, today: date, locale: str | None = None) -> TaskRead:
    task: Task = row.Task
    return TaskRead(
        id=task.id,
        version=task.version,
        kind=task.kind,
        source=task.source,
        source_ref=task.source_ref,
        title=title_in(task.title, task.title_params, locale),
        description=task.description,
        status=task.status,
        priority=task.priority,
        due_on=task.due_on,
        overdue=task.status in UNFINISHED and task.due_on is not None and task.due_on < today,
        completed_at=task.completed_at,
        outcome=task.outcome,
        postponed_reason=task.postponed_reason,
        postponements=task.postponements or 0,
        customer_id=task.customer_id,
        customer_name=row.customer_name,
        customer_number=row.customer_number,
        customer_label=customer_label(row.customer_name, row.customer_number),
        assignee_id=task.assignee_id,
        assignee_name=row.assignee_name,
        created_at=task.created_at,
    )


def list_tasks(
    session: Session,
    *,
    user: StaffUser,
    status: TaskFilter = TaskFilter.OPEN,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 25,
    locale: str | None = None,
) -> TaskPage:
    """The tasks the user sees: overdue first, then by due date."""
    tasks = TaskRepository(session, user)
    conditions = _conditions(status, kind)
    today = bank_today()
    rows = tasks.find(
        conditions=conditions, today=today, offset=(page - 1) * page_size, limit=page_size
    )
    return TaskPage(
        items=[_read(row, today, locale) for row in rows],
        total=tasks.count(conditions=conditions),
        page=page,
        page_size=page_size,
    )


def kinds(session: Session, *, user: StaffUser) -> list[str]:
    """The kinds of the tasks the user sees, for the list's filter."""
    return TaskRepository(session, user).kinds()


def _found(session: Session, user: StaffUser, task_id: int) -> Any:
    rows = TaskRepository(session, user).find(
        conditions=[Task.id == task_id], today=bank_today(), offset=0, limit=1
    )
    if not rows:
        raise NotFound(_("There is no task %(id)s that you may see."), params={"id": task_id})
    return rows[0]


def get_task(
    session: Session, *, user: StaffUser, task_id: int, locale: str | None = None
) -> TaskRead:
    """One task the user sees (404 for any other), its title in ``locale``."""
    return _read(_found(session, user, task_id), bank_today(), locale)


def _branch_of(row: Any) -> int | None:
    """A task belongs to its customer's branch; one without a customer to its assignee's."""
    if row.Task.customer_id is not None:
        return int(row.customer_branch_id) if row.customer_branch_id is not None else None
    return int(row.assignee_branch_id) if row.assignee_branch_id is not None else None


def _may_work(user: StaffUser, row: Any) -> bool:
    """The task's assignee (its customer's manager while nobody is assigned) and whoever
    answers for its branch."""
    if not has_permission(user.role, Permission.TASKS_WORK):
        return False
    task: Task = row.Task
    if task.assignee_id is not None:
        if task.assignee_id == user.id:
            return True
    elif row.customer_manager_id == user.id:
        return True
    return sees_branch(user, _branch_of(row))


def may_work(session: Session, *, user: StaffUser, task_id: int) -> bool:
    """Whether the task page offers the user its actions."""
    return _may_work(user, _found(session, user, task_id))


def _workable(session: Session, user: StaffUser, task_id: int, version: int) -> Any:
    row = _found(session, user, task_id)
    if not _may_work(user, row):
        raise PermissionDenied(
            _("Only the task's assignee or the manager of its branch may work it.")
        )
    task: Task = row.Task
    if task.version != version:
        raise Conflict(
            _(
                "Task %(id)s was changed by someone else (now version %(now)s, you saw "
                "%(seen)s); reload it and try again."
            ),
            params={"id": task.id, "now": task.version, "seen": version},
        )
    if task.status not in UNFINISHED:
        raise Conflict(f"task {task.id} is {task.status.value}; only an open task can change")
    return row


def _flush(session: Session, task_id: int, version: int) -> None:
    try:
        session.flush()
    except StaleDataError:
        # another transaction changed the same version first; its change stands
        session.rollback()
        raise Conflict(
            f"task {task_id} was changed by someone else at the same time "
            f"(you saw version {version}); reload it and try again"
        ) from None


def complete(
    session: Session,
    *,
    user: StaffUser,
    task_id: int,
    data: TaskDone,
    locale: str | None = None,
) -> TaskRead:
    """Mark the task done, with what came of it when given."""
    row = _workable(session, user, task_id, data.version)
    task: Task = row.Task
    task.status = TaskStatus.DONE
    task.completed_at = utcnow()
    task.outcome = data.outcome or None
    _flush(session, task_id, data.version)
    return get_task(session, user=user, task_id=task_id, locale=locale)


def postpone(
    session: Session,
    *,
    user: StaffUser,
    task_id: int,
    data: TaskPostpone,
    locale: str | None = None,
) -> TaskRead:
    """Move the due date later, saying why: the new date lies after the present one and not
    before today."""
    row = _workable(session, user, task_id, data.version)
    task: Task = row.Task
    if not data.reason.strip():
        raise ValidationFailed(_("A postponement needs a reason."), field="reason")
    today = bank_today()
    if data.due_on < today:
        raise ValidationFailed(_("The new due date lies in the past."), field="due_on")
    if task.due_on is not None and data.due_on <= task.due_on:
        raise ValidationFailed(
            f"the new due date must be after the present one ({task.due_on.isoformat()})",
            field="due_on",
        )
    task.due_on = data.due_on
    task.postponed_reason = data.reason.strip()
    task.postponements = (task.postponements or 0) + 1
    _flush(session, task_id, data.version)
    return get_task(session, user=user, task_id=task_id, locale=locale)


def colleagues(session: Session, *, user: StaffUser, task_id: int) -> list[ColleagueRead]:
    """Whom the task can be handed to: the active account and branch managers of its branch
    but its present assignee."""
    row = _found(session, user, task_id)
    branch_id = _branch_of(row)
    if branch_id is None:
        return []
    return [
        ColleagueRead(id=staff.id, full_name=staff.full_name)
        for staff in repository.colleagues(session, branch_id=branch_id)
        if staff.id != row.Task.assignee_id
    ]


def hand_over(
    session: Session,
    *,
    user: StaffUser,
    task_id: int,
    data: TaskHandover,
    locale: str | None = None,
) -> TaskRead:
    """Give the task to another member of staff of its branch, who then owns it."""
    row = _workable(session, user, task_id, data.version)
    task: Task = row.Task
    if data.assignee_id == task.assignee_id:
        raise ValidationFailed("the task is already theirs", field="assignee_id")
    branch_id = _branch_of(row)
    chosen = (
        set()
        if branch_id is None
        else {staff.id for staff in repository.colleagues(session, branch_id=branch_id)}
    )
    if data.assignee_id not in chosen:
        raise ValidationFailed(
            "a task can be handed only to an active account or branch manager of its branch",
            field="assignee_id",
        )
    task.assignee_id = data.assignee_id
    _flush(session, task_id, data.version)
    return get_task(session, user=user, task_id=task_id, locale=locale)


def open_tasks_of(
    session: Session, *, user: StaffUser, customer_ids: Sequence[int], kind: str
) -> dict[int, int]:
    """The unfinished task of ``kind`` of each of these customers the user sees (customer →
    task id; the most urgent where a customer has several)."""
    if not customer_ids:
        return {}
    rows = TaskRepository(session, user).find(
        conditions=[
            Task.customer_id.in_(list(customer_ids)),
            Task.kind == kind,
            Task.status.in_(UNFINISHED),
        ],
        today=bank_today(),
        offset=0,
        limit=EXPORT_LIMIT,
    )
    found: dict[int, int] = {}
    for row in rows:
        found.setdefault(row.Task.customer_id, row.Task.id)
    return found


def raise_task(
    session: Session,
    *,
    user: StaffUser,
    customer_id: int,
    assignee_id: int | None,
    kind: str,
    source: str,
    source_ref: str | None,
    title: str,
    description: str | None,
    priority: TaskPriority,
    due_on: date | None,
    title_params: dict[str, Any] | None = None,
) -> tuple[int, bool]:
    """Open a task of ``kind`` for a customer, raised by ``user``; none when one of the kind
    is still unfinished. Returns the task's id and whether it is new. The caller has made
    sure the user sees the customer; the new task is an audit entry like any change."""
    existing = open_tasks_of(session, user=user, customer_ids=[customer_id], kind=kind)
    if customer_id in existing:
        return existing[customer_id], False
    task = Task(
        customer_id=customer_id,
        assignee_id=assignee_id,
        created_by_id=user.id,
        kind=kind,
        source=source,
        source_ref=source_ref,
        title=title,
        title_params=title_params,
        description=description,
        status=TaskStatus.OPEN,
        priority=priority,
        due_on=due_on,
    )
    session.add(task)
    session.flush()
    return task.id, True


def exported(
    session: Session,
    *,
    user: StaffUser,
    status: TaskFilter,
    kind: str | None,
    locale: str | None = None,
) -> list[TaskRead]:
    """The tasks of the list (up to ``EXPORT_LIMIT``) for its export, which is audited: it
    holds the customers' names."""
    today = bank_today()
    conditions = _conditions(status, kind)
    rows = TaskRepository(session, user).find(
        conditions=conditions, today=today, offset=0, limit=EXPORT_LIMIT
    )
    items = [_read(row, today, locale) for row in rows]
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="tasks",
        after={
            "format": "xlsx",
            "status": status.value,
            "kind": kind,
            "tasks": [item.id for item in items],
            "customers": sorted({item.customer_id for item in items if item.customer_id}),
        },
    )
    return items
