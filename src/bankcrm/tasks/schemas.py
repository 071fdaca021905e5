"""Request and answer bodies of tasks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import TaskPriority, TaskStatus
from bankcrm.core.inputs import Day, Input, OptionalText, Text
from bankcrm.core.pagination import MAX_ID, Page

Version = Field(ge=1, le=MAX_ID)


class TaskFilter(StrEnum):
    """Which tasks a list shows: the unfinished ones, the done ones, or all."""

    OPEN = "open"
    DONE = "done"
    ALL = "all"


class TaskRead(BaseModel):
    id: int
    version: int
    kind: str
    source: str
    source_ref: str | None
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    due_on: date | None
    overdue: bool
    completed_at: UtcDatetime | None
    outcome: str | None
    postponed_reason: str | None
    postponements: int
    customer_id: int | None
    customer_name: str | None
    customer_number: str | None
    customer_label: str | None
    """The customer as lists show them: ``王芳 (C000014388)``."""
    assignee_id: int | None
    assignee_name: str | None
    created_at: UtcDatetime


class TaskPage(Page[TaskRead]):
    pass


class TaskDone(Input):
    version: int = Version
    outcome: OptionalText = Field(default=None, max_length=2_000, pattern=STORABLE_TEXT)
    """What came of it (optional)."""


class TaskPostpone(Input):
    version: int = Version
    due_on: Day
    """The new due date: after the present one and not before today."""
    reason: Text = Field(max_length=2_000, pattern=STORABLE_TEXT)


class TaskHandover(Input):
    version: int = Version
    assignee_id: int = Field(ge=1, le=MAX_ID)
    """An active account manager or branch manager of the task's branch."""


class ColleagueRead(BaseModel):
    id: int
    full_name: str
