"""Starting, running and recording jobs.

One run of a job at a time, across processes: :func:`start` inserts the run's ``running``
row, and the unique index over running rows refuses a second one in the database itself
(SQLite or PostgreSQL alike), whichever process, worker or web server, tries. A run whose
process was killed stops sending heartbeats; after ``[jobs] stale_after_minutes`` the next
start records it as failed and goes ahead.

A run reports progress (``done`` of ``total`` steps and what it is doing) and heartbeats in
short transactions of their own, so that the Jobs page of another process sees them while
the job's own unit of work is still open."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import utcnow
from bankcrm.core.config import Settings, get_settings
from bankcrm.core.db import get_sessionmaker
from bankcrm.core.exceptions import BankcrmError, Conflict, NotFound
from bankcrm.jobs import definitions, repository
from bankcrm.jobs.models import JobOrigin, JobRun, JobStatus
from bankcrm.jobs.schedule import next_run
from bankcrm.jobs.schemas import JobRead, JobRunRead
from bankcrm.staff.models import StaffUser

logger = logging.getLogger("bankcrm.jobs")

MAX_ERROR_CHARS = 4_000


@contextmanager
def _unit(sessions: sessionmaker[Session] | None) -> Iterator[Session]:
    session = (sessions or get_sessionmaker())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def start(
    *,
    job: str,
    origin: JobOrigin,
    user_id: int | None = None,
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> JobRunRead:
    """Record a new running run of ``job`` and return it; :class:`Conflict` when a run of
    the job is still running (in this process or any other)."""
    definitions.get(job)
    settings = settings or get_settings()
    with _unit(sessions) as session:
        if user_id is not None:
            user = session.get(StaffUser, user_id)
            label = user.username if user is not None else str(user_id)
            audit_recorder.act_as(session, actor_id=user_id, label=label)
        else:
            audit_recorder.act_as(session, actor_id=None, label=f"job:{job}")
        now = utcnow()
        alive_since = now - timedelta(minutes=settings.jobs.stale_after_minutes)
        repository.fail_stale(session, job=job, alive_since=alive_since, now=now)
        run = repository.insert_running(
            session, job=job, origin=origin, started_by_id=user_id, now=now
        )
        if run is None:
            session.rollback()
            holder = repository.running(session, job)
            which = f" (run {holder.id})" if holder is not None else ""
            raise Conflict(f"job {job} is already running{which}; wait for it to finish")
        return JobRunRead.from_row(run)


@dataclass
class _Context:
    """The :class:`~bankcrm.jobs.definitions.JobContext` of one run."""

    settings: Settings
    user: StaffUser | None
    run_id: int
    sessions: sessionmaker[Session]
    total: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(
        self, done: int, total: int | None = None, step: str | None = None, **figures: Any
    ) -> None:
        if total is not None:
            self.total = total
        self._write(done=done, total=total, step=step, figures=figures)

    def beat(self) -> None:
        self._write()

    def _write(self, **values: Any) -> None:
        engine = self.sessions.kw["bind"]
        with self._lock:
            try:
                with engine.begin() as connection:
                    repository.report(connection, run_id=self.run_id, now=utcnow(), **values)
            except SQLAlchemyError:
                # a busy database delays a progress line; it never fails the job
                logger.warning("job run %s: progress not recorded", self.run_id, exc_info=True)


def _heartbeat(context: _Context, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        context.beat()


def execute(
    *,
    run_id: int,
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> JobRunRead:
    """Run a started run to its end and record how it ended; a failure is recorded with its
    error, not raised (the schedule and the web server go on)."""
    settings = settings or get_settings()
    sessions = sessions or get_sessionmaker()
    with _unit(sessions) as session:
        row = repository.get(session, run_id)
        if row is None:
            raise NotFound(f"no job run {run_id}")
        job, user_id = row.job, row.started_by_id
    stop = threading.Event()
    began = time.perf_counter()
    outcome: definitions.Outcome | None = None
    error: str | None = None
    try:
        definition = definitions.get(job)
        with _unit(sessions) as session:
            user = session.get(StaffUser, user_id) if user_id is not None else None
            if user is not None:
                audit_recorder.act_as(session, actor_id=user.id, label=user.username)
            else:
                audit_recorder.act_as(session, actor_id=None, label=f"job:{job}")
            context = _Context(settings=settings, user=user, run_id=run_id, sessions=sessions)
            beating = threading.Thread(
                target=_heartbeat,
                args=(context, settings.jobs.heartbeat_seconds, stop),
                name=f"job-heartbeat-{run_id}",
                daemon=True,
            )
            beating.start()
            outcome = definition.run(session, context)
    except BankcrmError as failure:
        error = failure.message
    except Exception as failure:
        logger.exception("job %s (run %s) failed", job, run_id)
        error = f"{type(failure).__name__}: {failure}"
    except BaseException:
        # interrupted (Ctrl-C, shutdown): recorded as failed, and the interruption goes on
        _finish(sessions, run_id, began, None, "interrupted")
        raise
    finally:
        stop.set()
    return _finish(sessions, run_id, began, outcome, error)


def _finish(
    sessions: sessionmaker[Session],
    run_id: int,
    began: float,
    outcome: definitions.Outcome | None,
    error: str | None,
) -> JobRunRead:
    with _unit(sessions) as session:
        repository.finish(
            session,
            run_id=run_id,
            status=JobStatus.FAILED if error is not None else JobStatus.SUCCEEDED,
            now=utcnow(),
            seconds=time.perf_counter() - began,
            step=outcome.message if outcome else None,
            figures=outcome.figures if outcome else None,
            error=error[:MAX_ERROR_CHARS] if error is not None else None,
        )
        row = repository.get(session, run_id)
        assert row is not None
        return JobRunRead.from_row(row)


_launched: list[threading.Thread] = []


def launch(
    *,
    job: str,
    user: StaffUser | None,
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> JobRunRead:
    """Start a run now and carry it out in the background; the run's row says how it goes."""
    run = start(
        job=job,
        origin=JobOrigin.STAFF if user is not None else JobOrigin.SCHEDULER,
        user_id=user.id if user is not None else None,
        settings=settings,
        sessions=sessions,
    )
    thread = threading.Thread(
        target=execute,
        kwargs={"run_id": run.id, "settings": settings, "sessions": sessions},
        name=f"job-{job}-{run.id}",
        daemon=True,
    )
    _launched[:] = [alive for alive in _launched if alive.is_alive()]
    _launched.append(thread)
    thread.start()
    return run


def wait_for_launched(timeout: float = 60.0) -> None:
    """Wait for the runs started in the background by this process (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    for thread in list(_launched):
        thread.join(max(0.0, deadline - time.monotonic()))


def run_now(
    *,
    job: str,
    origin: JobOrigin = JobOrigin.SCHEDULER,
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> JobRunRead:
    """Start and carry out a run in this thread (the worker's schedule)."""
    run = start(job=job, origin=origin, settings=settings, sessions=sessions)
    return execute(run_id=run.id, settings=settings, sessions=sessions)


def list_jobs(session: Session, *, settings: Settings, now: datetime) -> list[JobRead]:
    """Every job with its schedule, its next run on the bank's clock, and its last run."""
    last = repository.last_run_per_job(session)
    jobs = []
    for definition in definitions.JOBS:
        schedule = definition.schedule(settings)
        latest = last.get(definition.name)
        jobs.append(
            JobRead(
                name=definition.name,
                command=definition.command,
                enabled=schedule.enabled,
                at=schedule.at,
                timezone=settings.timezone,
                next_run_at=next_run(schedule, settings.timezone, now),
                last_run=JobRunRead.from_row(latest) if latest else None,
            )
        )
    return jobs


def list_runs(session: Session, *, job: str | None, limit: int) -> list[JobRunRead]:
    if job is not None:
        definitions.get(job)
    return [
        JobRunRead.from_row(row) for row in repository.latest_runs(session, job=job, limit=limit)
    ]


def get_run(session: Session, *, run_id: int) -> JobRunRead:
    row: JobRun | None = repository.get(session, run_id)
    if row is None:
        raise NotFound(f"no job run {run_id}")
    return JobRunRead.from_row(row)


def starter_names(session: Session, runs: list[JobRunRead]) -> dict[int, str]:
    """The names of the staff members who started ``runs``."""
    ids = {run.started_by_id for run in runs if run.started_by_id is not None}
    return repository.staff_names(session, ids)
