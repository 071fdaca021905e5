"""``bankcrm worker``: run the jobs on their daily schedule ([jobs] in bankcrm.toml)."""

from __future__ import annotations

import logging

import typer


def worker(
    show: bool = typer.Option(
        False, "--show", help="Print each job's next run on the bank's clock and stop."
    ),
) -> None:
    """Run segmentation, CLV, churn, the complaint sweep and the survey jobs daily at their
    configured times, one run of a job at a time across every process (stop with Ctrl-C)."""
    from bankcrm.core.clock import utcnow
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope
    from bankcrm.jobs import scheduler, service

    settings = get_settings()
    with session_scope() as session:
        jobs = service.list_jobs(session, settings=settings, now=utcnow())
    for job in jobs:
        when = job.next_run_at.isoformat(timespec="minutes") if job.next_run_at else "off"
        typer.echo(f"{job.name:<20}{job.at:>6}  next {when}")
    if show:
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    schedule = scheduler.build(settings)
    typer.echo(f"worker: running the schedule in {settings.timezone}; Ctrl-C stops it", err=True)
    try:
        schedule.start()
    except (KeyboardInterrupt, SystemExit):
        schedule.shutdown(wait=False)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
