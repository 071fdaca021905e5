"""``bankcrm worker``: the schedule it runs, on the bank's clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.core.config import get_settings
from bankcrm.core.db import reset_caches
from bankcrm.jobs import scheduler
from tests.conftest import SQLITE_ONLY


@SQLITE_ONLY
def test_the_worker_shows_each_jobs_next_run_in_the_banks_zone(
    app_settings: str, time_machine: time_machine.TimeMachineFixture
) -> None:
    # 10:00 in Shanghai on 9 March
    time_machine.move_to(datetime(2026, 3, 9, 2, 0, tzinfo=UTC), tick=False)
    result = CliRunner().invoke(app, ["worker", "--show"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert lines["segmentation"].endswith("next 2026-03-10T02:00+08:00")
    assert lines["survey_follow_ups"].endswith("next 2026-03-09T20:00+08:00")


def test_the_schedule_holds_every_enabled_job_once_at_its_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BANKCRM_JOBS__CHURN__ENABLED", "false")
    monkeypatch.setenv("BANKCRM_TIMEZONE", "Asia/Urumqi")
    reset_caches()
    try:
        schedule = scheduler.build(get_settings(), background=True)
        jobs = {job.id: job for job in schedule.get_jobs()}
    finally:
        reset_caches()
    assert set(jobs) == {
        "segmentation",
        "clv",
        "complaint_sweep",
        "survey_reminders",
        "survey_follow_ups",
    }
    segmentation = jobs["segmentation"]
    assert str(segmentation.trigger.timezone) == "Asia/Urumqi"
    assert segmentation.max_instances == 1 and segmentation.coalesce
    assert "hour='2'" in str(segmentation.trigger) and "minute='0'" in str(segmentation.trigger)
