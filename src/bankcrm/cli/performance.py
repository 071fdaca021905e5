"""``bankcrm performance``: account-manager KPIs per month."""

from __future__ import annotations

from pathlib import Path

import typer

from bankcrm.core.exceptions import BankcrmError

performance_app = typer.Typer(help="Account-manager KPIs, scores and ranks.", no_args_is_help=True)


@performance_app.command("compute")
def compute(
    month: str = typer.Option(..., "--month", help="The month to compute (YYYY-MM)."),
    rules: Path | None = typer.Option(
        None, "--rules", exists=True, dir_okay=False, help="KPI rules TOML; default the shipped."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compute, score and rank every account manager's and branch manager's KPIs for the
    month from the records, and store them (a rerun replaces the month)."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff.performance import indicators, service

    try:
        chosen = indicators.parse_month(month)
        kpi_rules = indicators.load_rules(rules)
        with session_scope() as session:
            result = service.compute_month(session, month=chosen, rules=kpi_rules)
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"{result.month}: KPIs of {result.staff:,} staff in {result.branches:,} branches stored"
    )
    if result.frozen:
        typer.echo(f"{result.frozen:,} staff kept as their approved incentive pool froze them")


def register(app: typer.Typer) -> None:
    app.add_typer(performance_app, name="performance")
