"""Every query of the job-run record. Job runs belong to no customer and no branch: the
records are the bank's, seen whole by the roles that may read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.jobs.models import JobOrigin, JobRun, JobStatus
from bankcrm.staff.models import StaffUser

ABANDONED = "abandoned: the process running it stopped answering (killed or crashed)"


def fail_stale(session: Session, *, job: str, alive_since: datetime, now: datetime) -> int:
    """Record as failed the running run of ``job`` whose process has not said it was alive
    since ``alive_since``; a conditional UPDATE, so two processes recovering at once agree."""
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.status == JobStatus.RUNNING,
            JobRun.heartbeat_at < alive_since,
        )
        .values(status=JobStatus.FAILED, finished_at=now, error=ABANDONED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def insert_running(
    session: Session, *, job: str, origin: JobOrigin, started_by_id: int | None, now: datetime
) -> JobRun | None:
    """Add the running row of a new run and flush it; ``None`` when the unique index over
    running rows refuses it (another run of the job holds it). The caller rolls back then."""
    run = JobRun(
        job=job,
        status=JobStatus.RUNNING,
        origin=origin,
        started_by_id=started_by_id,
        started_at=now,
        heartbeat_at=now,
        done=0,
    )
    session.add(run)
    try:
        session.flush()
    except IntegrityError:
        return None
    return run


def running(session: Session, job: str) -> JobRun | None:
    return session.scalars(
        select(JobRun).where(JobRun.job == job, JobRun.status == JobStatus.RUNNING)
    ).first()


def get(session: Session, run_id: int) -> JobRun | None:
    return session.get(JobRun, run_id)


def latest_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        statement = statement.where(JobRun.job == job)
    return list(session.scalars(statement))


def last_run_per_job(session: Session) -> dict[str, JobRun]:
    newest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    rows = session.scalars(select(JobRun).join(newest, JobRun.id == newest.c.id))
    return {row.job: row for row in rows}


def report(
    connection: Connection,
    *,
    run_id: int,
    now: datetime,
    done: int | None = None,
    total: int | None = None,
    step: str | None = None,
    figures: dict[str, Any] | None = None,
) -> None:
    """Progress and a heartbeat of a running run, in a transaction of its own (outside the
    job's unit of work, so that other processes see it at once)."""
    values: dict[str, object] = {"heartbeat_at": now}
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    if step is not None:
        values["step"] = step[:200]
        values["figures"] = figures or {}
    connection.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.status == JobStatus.RUNNING)
        .values(**values)
    )


def finish(
    session: Session,
    *,
    run_id: int,
    status: JobStatus,
    now: datetime,
    seconds: float,
    step: str | None,
    figures: dict[str, Any] | None,
    error: str | None,
) -> None:
    run = session.get(JobRun, run_id)
    if run is None:
        return
    run.status = status
    run.finished_at = now
    run.heartbeat_at = now
    run.seconds = seconds
    if status is JobStatus.SUCCEEDED and run.total is not None:
        run.done = run.total
    if step is not None:
        run.step = step[:200]
        run.figures = figures or {}
    run.error = error


def staff_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Full names of the staff who started runs."""
    if not ids:
        return {}
    rows = session.execute(
        select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.in_(sorted(ids)))
    )
    return {user_id: name for user_id, name in rows}
