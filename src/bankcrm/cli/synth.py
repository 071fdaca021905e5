"""``bankcrm synth``: write a realistic demo bank as import files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer


def synth(
    customers: int = typer.Option(..., min=1, help="Number of customers."),
    seed: int = typer.Option(1, help="Random seed: the same seed writes the same files."),
    out: Path = typer.Option(..., help="Folder to write <table>.csv files into."),
    file_format: str = typer.Option(
        "csv", "--format", help="Format of the transactions file: csv or parquet."
    ),
    as_of: str = typer.Option(
        "2026-09-30", help="Last day of the two years of history (YYYY-MM-DD)."
    ),
) -> None:
    """Generate branches, staff, products, customers, accounts, two years of transactions,
    interactions, complaints and survey answers in the documented import format."""
    from bankcrm.cli._progress import row_progress
    from bankcrm.ingest.synth import generate_bank

    if file_format not in ("csv", "parquet"):
        raise typer.BadParameter("csv or parquet", param_hint="--format")
    try:
        last_day = date.fromisoformat(as_of)
    except ValueError as error:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint="--as-of") from error
    with row_progress() as report:
        rows = generate_bank(
            out,
            customers=customers,
            seed=seed,
            transaction_format="parquet" if file_format == "parquet" else "csv",
            as_of=last_day,
            progress=report,
        )
    for table, count in rows.items():
        typer.echo(f"{table:<22}{count:>12,}")
    typer.echo(f"wrote {sum(rows.values()):,} rows to {out}")


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
