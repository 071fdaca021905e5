"""``bankcrm clv``: customer lifetime value from the buy-till-you-die models."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from bankcrm.clv.fitting import fit_purchases
from bankcrm.clv.purchases import read_purchases
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AnalyticsEngine, ClvModel
from bankcrm.core.exceptions import BankcrmError

clv_app = typer.Typer(
    help="Customer lifetime value: BG/NBD, P(alive), Gamma-Gamma spend.", no_args_is_help=True
)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from error


@clv_app.command("fit")
def fit(
    transactions: Path = typer.Option(
        ..., "--transactions", exists=True, dir_okay=False, help="CSV file with a header row."
    ),
    customer_col: str = typer.Option(..., "--customer-col", help="Column of the customer."),
    date_col: str = typer.Option(..., "--date-col", help="Column of the transaction date."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="strptime format of the dates, e.g. %Y%m%d; default ISO."
    ),
    amount_col: str | None = typer.Option(
        None, "--amount-col", help="Column of the amount (needed by gammagamma)."
    ),
    calibration_end: str | None = typer.Option(
        None, "--calibration-end", help="Last day fitted (YYYY-MM-DD); default the last date."
    ),
    model: ClvModel = typer.Option(..., "--model", help="bgnbd or gammagamma."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit a model on any transaction file; several purchases on one day are one transaction,
    time is in weeks."""
    settings = get_settings()
    try:
        purchases = read_purchases(
            transactions,
            customer_column=customer_col,
            date_column=date_col,
            date_format=date_format,
            amount_column=amount_col,
        )
        result = fit_purchases(
            purchases,
            model=model,
            calibration_end=_day(calibration_end, "--calibration-end"),
            engine=AnalyticsEngine.DUCKDB,
            settings=settings,
        )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"{result['model']} on {result['customers']:,} customers")
    for name, value in result["params"].items():
        typer.echo(f"  {name:<6}{value:>12.4f}")
    typer.echo(f"log-likelihood {result['log_likelihood']:,.2f}")


def register(app: typer.Typer) -> None:
    app.add_typer(clv_app, name="clv")
