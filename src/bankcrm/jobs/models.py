"""The record of every run of a job, and the guard that lets one run of a job at a time."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base
from bankcrm.core.enums import db_enum


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobOrigin(StrEnum):
    """Who started a run: the schedule, or a staff member's "run now"."""

    SCHEDULER = "scheduler"
    STAFF = "staff"


RUNNING_ONLY = text("status = 'running'")


class JobRun(Base):
    """One run of a job. At most one row per job is ``running``: a unique index over the
    running rows alone makes a second start fail in the database, whichever process tries."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index(
            "uq_job_runs_one_running",
            "job",
            unique=True,
            sqlite_where=RUNNING_ONLY,
            postgresql_where=RUNNING_ONLY,
        ),
        Index("ix_job_runs_job_started_at", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    status: Mapped[JobStatus] = mapped_column(db_enum(JobStatus, "job_status"))
    origin: Mapped[JobOrigin] = mapped_column(db_enum(JobOrigin, "job_origin"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    """The staff member who pressed "run now"; empty for the schedule."""
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    """Last moment the running process said it was alive; a stale one means it was killed."""
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str | None] = mapped_column(String(200))
    """What the run is doing now, or what it did once finished: a catalog message whose
    ``%(name)s`` places ``figures`` fill."""
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
