"""One run of a job at a time across connections, stale runs, failures and progress, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine
from bankcrm.core.exceptions import Conflict
from bankcrm.jobs import definitions, service
from bankcrm.jobs.definitions import JobContext, JobDefinition, Outcome
from bankcrm.jobs.models import JobOrigin, JobRun, JobStatus
from bankcrm.jobs.repository import ABANDONED
from bankcrm.jobs.schemas import JobRunRead

MOMENT = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def two_processes(
    app_settings: str,
) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two engines on the same database: as two processes, each with its own connections."""
    first, second = make_engine(app_settings), make_engine(app_settings)
    yield (
        sessionmaker(bind=first, expire_on_commit=False),
        sessionmaker(bind=second, expire_on_commit=False),
    )
    first.dispose()
    second.dispose()


def _fake_job(monkeypatch: pytest.MonkeyPatch, run: Any, name: str = "segmentation") -> None:
    monkeypatch.setitem(definitions.BY_NAME, name, JobDefinition(name, "Fake", "bankcrm fake", run))


def _runs(sessions: sessionmaker[Session]) -> list[JobRun]:
    with sessions() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def test_a_second_start_from_another_connection_is_refused_until_the_first_ends(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_job(monkeypatch, lambda session, context: Outcome("done"))
    first, second = two_processes
    running = service.start(job="segmentation", origin=JobOrigin.SCHEDULER, sessions=first)
    assert running.status is JobStatus.RUNNING
    with pytest.raises(Conflict, match=f"already running \\(run {running.id}\\)"):
        service.start(job="segmentation", origin=JobOrigin.SCHEDULER, sessions=second)
    # another job is not held up
    other = service.start(job="clv", origin=JobOrigin.SCHEDULER, sessions=second)
    assert other.status is JobStatus.RUNNING

    ended = service.execute(run_id=running.id, sessions=first)
    assert ended.status is JobStatus.SUCCEEDED
    again = service.start(job="segmentation", origin=JobOrigin.SCHEDULER, sessions=second)
    assert again.id != running.id
    statuses = [(run.job, run.status) for run in _runs(first)]
    assert statuses == [
        ("segmentation", JobStatus.SUCCEEDED),
        ("clv", JobStatus.RUNNING),
        ("segmentation", JobStatus.RUNNING),
    ]


def test_two_starts_at_the_same_moment_let_exactly_one_run(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(sessions: sessionmaker[Session]) -> None:
        barrier.wait()
        try:
            service.start(job="churn", origin=JobOrigin.SCHEDULER, sessions=sessions)
            outcomes.append("started")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=start, args=(sessions,)) for sessions in two_processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["refused", "started"]
    assert [run.status for run in _runs(two_processes[0])] == [JobStatus.RUNNING]


def test_a_run_whose_process_died_is_recovered_after_the_stale_timeout(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    first, second = two_processes
    stale = get_settings().jobs.stale_after_minutes
    time_machine.move_to(MOMENT, tick=False)
    killed = service.start(job="complaint_sweep", origin=JobOrigin.SCHEDULER, sessions=first)
    # the process is killed: nothing ends the run, and no heartbeat comes
    time_machine.move_to(MOMENT + timedelta(minutes=stale - 1), tick=False)
    with pytest.raises(Conflict):
        service.start(job="complaint_sweep", origin=JobOrigin.SCHEDULER, sessions=second)
    time_machine.move_to(MOMENT + timedelta(minutes=stale + 1), tick=False)
    fresh = service.start(job="complaint_sweep", origin=JobOrigin.SCHEDULER, sessions=second)
    old, new = _runs(first)
    assert (old.id, old.status, old.error) == (killed.id, JobStatus.FAILED, ABANDONED)
    assert (new.id, new.status) == (fresh.id, JobStatus.RUNNING)


def test_a_failing_job_records_its_error_and_frees_the_job(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(session: Session, context: JobContext) -> Outcome:
        context.progress(1, 3, "Reading the ledger")
        raise RuntimeError("the ledger file is unreadable")

    _fake_job(monkeypatch, broken)
    first, second = two_processes
    run = service.run_now(job="segmentation", sessions=first)
    assert run.status is JobStatus.FAILED
    assert run.error == "RuntimeError: the ledger file is unreadable"
    assert run.finished_at is not None and run.seconds is not None
    (row,) = _runs(second)
    assert (row.status, row.done, row.total) == (JobStatus.FAILED, 1, 3)
    assert "unreadable" in (row.error or "")
    assert service.start(job="segmentation", origin=JobOrigin.SCHEDULER, sessions=second)


def test_progress_is_seen_by_another_connection_while_the_job_runs(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = two_processes
    seen: list[tuple[int, int | None, int | None, str | None]] = []

    def watched(session: Session, context: JobContext) -> Outcome:
        for done in range(3):
            context.progress(done, 3, "Wave %(wave)s", wave=f"W{done}")
            with second() as other:
                row = other.scalars(select(JobRun)).one()
                progress = JobRunRead.from_row(row).percent
                seen.append((row.done, row.total, progress, row.step))
        return Outcome("%(waves)s waves", {"waves": 3})

    _fake_job(monkeypatch, watched, name="survey_reminders")
    run = service.run_now(job="survey_reminders", sessions=first)
    assert seen == [
        (0, 3, 0, "Wave %(wave)s"),
        (1, 3, 33, "Wave %(wave)s"),
        (2, 3, 67, "Wave %(wave)s"),
    ]
    assert (run.status, run.done, run.percent) == (JobStatus.SUCCEEDED, 3, 100)
    assert (run.step, run.figures) == ("%(waves)s waves", {"waves": 3})


def test_the_complaint_sweep_job_calls_the_commands_service(app_settings: str) -> None:
    run = service.run_now(job="complaint_sweep")
    assert run.status is JobStatus.SUCCEEDED, run.error
    assert run.figures == {"reminders": 0, "escalated": 0}
    assert run.origin is JobOrigin.SCHEDULER and run.started_by_id is None
