"""All SQL of tasks: for a viewer through the scoped base select (a task is seen by its
customer's branch and account manager and by its assignee, ``scope.OWNERSHIP``), and in
bulk for the analytics runs that raise them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, insert, select
from sqlalchemy.orm import Session

from bankcrm.core.enums import Role, TaskPriority, TaskStatus
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

INSERT_CHUNK = 5_000
UNFINISHED = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
WORKING_ROLES = (Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER)
"""The roles a task can be handed to: those who work tasks."""


def overdue(today: date) -> ColumnElement[bool]:
    """Unfinished and past its due date on ``today``."""
    return Task.status.in_(UNFINISHED) & (Task.due_on < today)


class TaskRepository(ScopedRepository):
    """The tasks the viewer may see."""

    def find(
        self, *, conditions: Sequence[ColumnElement[bool]], today: date, offset: int, limit: int
    ) -> list[Row[Any]]:
        """The tasks that meet ``conditions``: overdue first, then by due date (none last),
        the most urgent first on a day; each with its customer's name, number, branch and
        manager and its assignee's name and branch."""
        statement = (
            self.owned(
                Task,
                Task,
                Customer.name.label("customer_name"),
                Customer.external_id.label("customer_number"),
                Customer.branch_id.label("customer_branch_id"),
                Customer.manager_id.label("customer_manager_id"),
                StaffUser.full_name.label("assignee_name"),
                StaffUser.branch_id.label("assignee_branch_id"),
            )
            .outerjoin(StaffUser, StaffUser.id == Task.assignee_id)
            .where(*conditions)
            .order_by(
                case((overdue(today), 0), else_=1),
                case((Task.due_on.is_(None), 1), else_=0),
                Task.due_on,
                case(
                    (Task.priority == TaskPriority.URGENT, 0),
                    (Task.priority == TaskPriority.HIGH, 1),
                    (Task.priority == TaskPriority.NORMAL, 2),
                    else_=3,
                ),
                Task.id,
            )
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def count(self, *, conditions: Sequence[ColumnElement[bool]]) -> int:
        statement = self.owned(Task, func.count(Task.id)).where(*conditions)
        return int(self.session.scalar(statement) or 0)

    def kinds(self) -> list[str]:
        """The kinds of the tasks the viewer sees, for the list's filter."""
        statement = self.owned(Task, Task.kind).distinct().order_by(Task.kind)
        return list(self.session.scalars(statement))


def colleagues(session: Session, *, branch_id: int) -> list[StaffUser]:
    """The active staff of the branch who work tasks, by name: whom a task can go to."""
    statement = (
        select(StaffUser)
        .where(
            StaffUser.branch_id == branch_id,
            StaffUser.is_active.is_(True),
            StaffUser.role.in_(WORKING_ROLES),
        )
        .order_by(StaffUser.full_name, StaffUser.id)
    )
    return list(session.scalars(statement))


class TaskSystemRepository(SystemRepository):
    """Tasks raised in bulk by the analytics runs."""

    def open_keys(self, *, source: str, kinds: Sequence[str]) -> set[tuple[int, str]]:
        """(customer, kind) of the tasks from ``source`` still open, so none is raised twice."""
        statement = self.owned(Task, Task.customer_id, Task.kind).where(
            Task.source == source,
            Task.kind.in_(kinds),
            Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)),
            Task.customer_id.is_not(None),
        )
        return {
            (int(customer_id), kind)
            for customer_id, kind in self.session.execute(statement)
            if customer_id is not None
        }

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(Task), rows[start : start + INSERT_CHUNK])
