from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bankcrm.core.db import UtcDatetime
from bankcrm.jobs.models import JobOrigin, JobRun, JobStatus


class JobRunRead(BaseModel):
    """One run of a job: how long it took, how it ended, how far it is."""

    id: int
    job: str
    status: JobStatus
    origin: JobOrigin
    started_by_id: int | None
    started_at: UtcDatetime
    heartbeat_at: UtcDatetime
    finished_at: UtcDatetime | None
    seconds: float | None
    done: int
    total: int | None
    percent: int | None
    """``done`` of ``total`` as a whole percentage; empty while the total is unknown."""
    step: str | None
    """What the run is doing, or did: a message whose ``%(name)s`` places ``figures`` fill."""
    figures: dict[str, Any]
    error: str | None

    @classmethod
    def from_row(cls, row: JobRun) -> JobRunRead:
        total = row.total
        done = row.done or 0
        if row.status is JobStatus.SUCCEEDED:
            percent: int | None = 100
        elif total:
            percent = min(100, round(100 * done / total))
        else:
            percent = None
        return cls(
            id=row.id,
            job=row.job,
            status=row.status,
            origin=row.origin,
            started_by_id=row.started_by_id,
            started_at=row.started_at,
            heartbeat_at=row.heartbeat_at,
            finished_at=row.finished_at,
            seconds=row.seconds,
            done=done,
            total=total,
            percent=percent,
            step=row.step,
            figures=row.figures or {},
            error=row.error,
        )


class JobRead(BaseModel):
    """A job, its daily time on the bank's clock and its next and last runs."""

    name: str
    command: str
    """The command that does the same by hand."""
    enabled: bool
    at: str
    """``HH:MM`` on the bank's clock."""
    timezone: str
    next_run_at: datetime | None
    """With the bank's offset; empty when the schedule is off."""
    last_run: JobRunRead | None
