"""``bankcrm segment``: the customer matrix, value tiers and lifecycle, as dated snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bankcrm.cli._dates import parse_day
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.core.exceptions import BankcrmError

segment_app = typer.Typer(
    help="Customer matrix, value tiers, RFM, lifecycle and migration.", no_args_is_help=True
)


@segment_app.command("run")
def run(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Last day of the period (YYYY-MM-DD); default today."
    ),
    engine: AnalyticsEngine = typer.Option(
        None, "--engine", help="duckdb (default) or spark; default from BANKCRM_ANALYTICS_ENGINE."
    ),
    source: Path | None = typer.Option(
        None,
        "--source",
        help="Read a Parquet ledger (bankcrm segment ledger) instead of the store.",
    ),
    spark_master: str | None = typer.Option(
        None,
        "--spark-master",
        help="Spark master URL for --engine spark (spark://host:7077, yarn, local[4]); "
        "default from BANKCRM_SPARK_MASTER.",
    ),
    tasks: bool = typer.Option(True, "--tasks/--no-tasks", help="Raise playbook and alert tasks."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Segment every customer and keep the result as the snapshot of that day."""
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope
    from bankcrm.segmentation import service

    settings = get_settings()
    if spark_master:
        settings = settings.model_copy(update={"spark_master": spark_master})
    day = parse_day(as_of)
    chosen = engine or AnalyticsEngine(settings.analytics_engine)
    try:
        with session_scope() as session:
            result = service.run_segmentation(
                session,
                settings=settings,
                as_of=day,
                engine=chosen,
                source=source,
                create_tasks=tasks,
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(
            json.dumps(
                result.model_dump(
                    mode="json", include={"as_of", "customers", "quadrants", "gini", "top20_share"}
                )
            )
        )
        return
    typer.echo(f"as of {result.as_of} on {result.engine.value}: {result.customers:,} customers")
    for quadrant, count in result.quadrants.model_dump().items():
        typer.echo(f"  {quadrant:<10}{count:>10,}")
    typer.echo(f"Gini {result.gini:.3f}, top 20 % hold {result.top20_share:.1%} of volume")
    typer.echo(
        f"{result.downgrades:,} downgrades, {result.tasks_created:,} tasks, {result.seconds:.1f} s"
    )


@segment_app.command("export")
def export(
    as_of: str = typer.Option(..., "--as-of", help="Day of the run to export (YYYY-MM-DD)."),
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
) -> None:
    """Write one row per customer of a run to a CSV file."""
    from bankcrm.core.db import session_scope
    from bankcrm.segmentation import service

    try:
        with session_scope() as session:
            rows = service.export_segments(session, as_of=parse_day(as_of), out=out)
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"wrote {rows:,} customers to {out}")


@segment_app.command("ledger")
def ledger(
    out: Path = typer.Option(..., "--out", help="Folder for the Parquet files."),
) -> None:
    """Copy the records the analytics read into Parquet files (for --source or Spark)."""
    from bankcrm.analytics.ledger import write_parquet
    from bankcrm.analytics.repository import read_ledger
    from bankcrm.core.config import get_settings

    settings = get_settings()
    copy = read_ledger(settings)
    write_parquet(copy, out)
    typer.echo(f"wrote {copy.rows:,} rows to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(segment_app, name="segment")
