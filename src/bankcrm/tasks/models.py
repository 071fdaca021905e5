from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import TaskPriority, TaskStatus, db_enum


class Task(Timestamped, Base):
    """Work for a member of staff; ``source`` says which capability raised it and why."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32), default="manual")
    source_ref: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    """Text as it was written, or with ``title_params`` a catalog message id."""
    title_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The parameters of a title that is a catalog message id: the title is then read in
    the reader's language (see ``tasks.service.title_in``)."""
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        db_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    priority: Mapped[TaskPriority] = mapped_column(
        db_enum(TaskPriority, "task_priority"), default=TaskPriority.NORMAL
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)
    """What came of the task, noted when it was marked done."""
    postponed_reason: Mapped[str | None] = mapped_column(Text)
    """Why the due date was last moved (each move is in the audit trail)."""
    postponements: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the due date was moved."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
