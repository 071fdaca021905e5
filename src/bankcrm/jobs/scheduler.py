"""The schedule: APScheduler runs each enabled job daily at its time on the bank's clock, in
``bankcrm worker`` (and in ``bankcrm serve`` when ``[jobs] run_in_serve`` is on)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bankcrm.core.config import Settings
from bankcrm.core.exceptions import Conflict
from bankcrm.jobs import definitions, service
from bankcrm.jobs.models import JobOrigin
from bankcrm.jobs.schedule import daily_trigger

logger = logging.getLogger("bankcrm.jobs")


def run_scheduled(job: str) -> None:
    """One scheduled run; a run of the job still going (here or in another process) makes
    this one skip, as "run now" would be refused."""
    try:
        run = service.run_now(job=job, origin=JobOrigin.SCHEDULER)
    except Conflict as refusal:
        logger.warning("scheduled %s skipped: %s", job, refusal.message)
        return
    logger.info("scheduled %s: run %s %s", job, run.id, run.status.value)


def build(settings: Settings, *, background: bool = False) -> BaseScheduler:
    """A scheduler with every enabled job added (not started)."""
    zone = ZoneInfo(settings.timezone)
    scheduler: BaseScheduler = (
        BackgroundScheduler(timezone=zone) if background else BlockingScheduler(timezone=zone)
    )
    for definition in definitions.JOBS:
        schedule = definition.schedule(settings)
        if not schedule.enabled:
            continue
        scheduler.add_job(
            run_scheduled,
            daily_trigger(schedule, settings.timezone),
            args=[definition.name],
            id=definition.name,
            name=definition.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=settings.jobs.misfire_grace_minutes * 60,
        )
    return scheduler
