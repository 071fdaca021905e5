"""``bankcrm queue``: import a queue system's export of one branch, and report the branch's
wait, service and idle times per counter and staff member."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bankcrm.cli._dates import parse_day
from bankcrm.cli._errors import fail
from bankcrm.core.exceptions import BankcrmError

if TYPE_CHECKING:
    from bankcrm.branches.queue.schemas import SummaryRead, WorkloadRead

queue_app = typer.Typer(help="Branch queues: tickets and their times.", no_args_is_help=True)


@queue_app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The queue system's CSV."),
    branch: str = typer.Option(..., "--branch", help="The branch's external id."),
) -> None:
    """All the visits of the file or none (a refusal names the row and column); visits
    already stored under their day and number are brought up to date."""
    from bankcrm.branches.queue import service as queue_service
    from bankcrm.core.db import session_scope

    try:
        with session_scope() as session:
            imported = queue_service.import_for_branch(
                session, external_id=branch, content=file.read_bytes(), file_name=file.name
            )
    except BankcrmError as error:
        raise fail(error) from error
    typer.echo(
        f"{file.name}: {imported.rows:,} visits, {imported.created:,} new, "
        f"{imported.updated:,} brought up to date"
    )


@queue_app.command("times")
def times(
    branch: str = typer.Option(..., "--branch", help="The branch's external id."),
    start: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Wait and service minutes (mean, median, 90th percentile) and idle minutes within
    opening hours, per counter and per staff member; the last 30 days by default."""
    from bankcrm.branches.queue import service as queue_service
    from bankcrm.core.db import session_scope

    last = parse_day(end, "--to")
    try:
        first = None if start is None else parse_day(start, "--from")
        with session_scope() as session:
            report = queue_service.times_for_branch(
                session, external_id=branch, start=first, end=last
            )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        return
    typer.echo(
        f"{report.start} to {report.end}: {report.tickets:,} tickets, {report.served:,} served, "
        f"{report.no_shows:,} no-shows; wait {_minutes(report.wait)}; "
        f"service {_minutes(report.service)}"
    )
    for load in report.counters:
        typer.echo(f"counter {load.counter}: {_load(load)}")
    for load in report.staff:
        typer.echo(f"{load.staff_name or load.staff_id}: {_load(load)}")


def _minutes(summary: SummaryRead) -> str:
    if summary.count == 0:
        return "none measured"
    return (
        f"mean {summary.mean:.1f} min, median {summary.p50:.1f}, 90th percentile {summary.p90:.1f}"
    )


def _load(load: WorkloadRead) -> str:
    return (
        f"{load.served:,} served, wait {_minutes(load.wait)}, service {_minutes(load.service)}, "
        f"busy {load.busy_minutes:.0f} min, idle {load.idle_minutes:.0f} min"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(queue_app, name="queue")
