"""``bankcrm clv``: customer lifetime value from the buy-till-you-die models."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bankcrm.cli._dates import parse_day
from bankcrm.core.enums import AnalyticsEngine, ClvModel
from bankcrm.core.exceptions import BankcrmError

clv_app = typer.Typer(
    help="Customer lifetime value: BG/NBD, P(alive), Gamma-Gamma spend.", no_args_is_help=True
)


@clv_app.command("fit")
def fit(
    transactions: Path = typer.Option(
        ...,
        "--transactions",
        exists=True,
        dir_okay=False,
        help="CSV file (or .csv.gz) with a header row.",
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
    from bankcrm.clv.fitting import fit_purchases
    from bankcrm.clv.purchases import read_purchases
    from bankcrm.core.config import get_settings

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
            calibration_end=parse_day(calibration_end, "--calibration-end")
            if calibration_end
            else None,
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


@clv_app.command("run")
def run(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Value the customers as of this day (YYYY-MM-DD); default today."
    ),
    engine: AnalyticsEngine = typer.Option(
        None, "--engine", help="duckdb (default) or spark; default from BANKCRM_ANALYTICS_ENGINE."
    ),
    spark_master: str | None = typer.Option(
        None,
        "--spark-master",
        help="Spark master URL for --engine spark (spark://host:7077, yarn, local[4]); "
        "default from BANKCRM_SPARK_MASTER.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit the models on the bank's own transactions, check them on the last months and keep
    every customer's P(alive), expected transactions and CLV as that day's valuation."""
    from bankcrm.clv.service import run_clv
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope

    settings = get_settings()
    if spark_master:
        settings = settings.model_copy(update={"spark_master": spark_master})
    day = parse_day(as_of)
    try:
        with session_scope() as session:
            result = run_clv(
                session,
                settings=settings,
                as_of=day,
                engine=engine or AnalyticsEngine(settings.analytics_engine),
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(result.model_dump_json())
        return
    bgnbd = result.params["bgnbd"]
    typer.echo(f"as of {result.as_of}: {result.customers:,} customers valued")
    typer.echo(
        "BG/NBD " + ", ".join(f"{name} {bgnbd[name]:.4g}" for name in ("r", "alpha", "a", "b"))
    )
    typer.echo(f"total CLV ¥{result.total_clv_cents / 100:,.0f} in {result.seconds:.1f} s")
    if result.holdout_error is not None:
        typer.echo(f"holdout: expected vs actual transactions {result.holdout_error:+.1%}")


def register(app: typer.Typer) -> None:
    app.add_typer(clv_app, name="clv")
