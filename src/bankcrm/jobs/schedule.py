"""When a job runs next: APScheduler's cron trigger on the bank's wall clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bankcrm.core.config import JobSchedule


def daily_trigger(schedule: JobSchedule, timezone: str) -> CronTrigger:
    """Every day at ``schedule.at`` in ``timezone`` (the bank's)."""
    hour, minute = (int(part) for part in schedule.at.split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(timezone))


def next_run(schedule: JobSchedule, timezone: str, now: datetime) -> datetime | None:
    """The next time the job runs after ``now``, with the bank's offset; ``None`` when its
    schedule is off."""
    if not schedule.enabled:
        return None
    fire: datetime | None = daily_trigger(schedule, timezone).get_next_fire_time(None, now)
    return fire
