"""The next run of each job is computed on the bank's clock, wherever the server's is."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy.orm import Session

from bankcrm.core.clock import utcnow
from bankcrm.core.config import JobSchedule, get_settings
from bankcrm.core.db import reset_caches
from bankcrm.jobs import service
from bankcrm.jobs.schedule import next_run
from tests.conftest import SQLITE_ONLY

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 01:59 in Shanghai: today's 02:00 is a minute away
        (datetime(2026, 3, 9, 17, 59, tzinfo=UTC), datetime(2026, 3, 10, 2, 0, tzinfo=SHANGHAI)),
        # 02:01 in Shanghai (still 18:01 of the day before in UTC): tomorrow's
        (datetime(2026, 3, 9, 18, 1, tzinfo=UTC), datetime(2026, 3, 11, 2, 0, tzinfo=SHANGHAI)),
    ],
)
def test_the_next_run_is_at_the_time_of_day_in_the_banks_zone(
    now: datetime, expected: datetime
) -> None:
    moment = next_run(JobSchedule(at="02:00"), "Asia/Shanghai", now)
    assert moment == expected
    assert moment is not None and moment.utcoffset() == expected.utcoffset()


def test_a_job_whose_schedule_is_off_has_no_next_run() -> None:
    now = datetime(2026, 3, 9, 12, tzinfo=UTC)
    assert next_run(JobSchedule(at="02:00", enabled=False), "Asia/Shanghai", now) is None


def test_a_schedule_across_a_daylight_saving_change_keeps_the_wall_clock_time() -> None:
    # Berlin moves from UTC+1 to UTC+2 in the night of 29 March 2026
    moment = next_run(
        JobSchedule(at="07:00"), "Europe/Berlin", datetime(2026, 3, 28, 12, tzinfo=UTC)
    )
    assert moment is not None
    assert moment.astimezone(UTC) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


@SQLITE_ONLY
def test_the_jobs_list_follows_the_moved_clock_and_the_configured_times(
    app_settings: str,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    monkeypatch.setenv("BANKCRM_JOBS__SEGMENTATION__AT", "01:30")
    monkeypatch.setenv("BANKCRM_JOBS__CLV__ENABLED", "false")
    reset_caches()
    settings = get_settings()
    # 23:00 on 9 March in Shanghai
    time_machine.move_to(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), tick=False)
    jobs = {job.name: job for job in service.list_jobs(session, settings=settings, now=utcnow())}
    assert set(jobs) == {
        "segmentation",
        "clv",
        "churn",
        "complaint_sweep",
        "survey_reminders",
        "survey_follow_ups",
    }
    assert jobs["segmentation"].next_run_at == datetime(2026, 3, 10, 1, 30, tzinfo=SHANGHAI)
    assert jobs["clv"].next_run_at is None and not jobs["clv"].enabled
    # the follow-ups at 20:00 have already run today: tomorrow's
    assert jobs["survey_follow_ups"].next_run_at == datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)
    assert all(job.last_run is None for job in jobs.values())
