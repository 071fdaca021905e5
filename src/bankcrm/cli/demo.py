"""``bankcrm demo``: build a realistic demo bank here and serve it."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import typer

from bankcrm.cli._serving import refuse_a_busy_port, run_server


def demo(
    customers: int = typer.Option(20_000, min=1, help="Number of customers to generate."),
    seed: int = typer.Option(7, help="Random seed: the same seed builds the same bank."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app afterwards."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object and nothing else."),
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, help="Port to serve on."),
    as_of: datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="The last day of the bank's history, YYYY-MM-DD; yesterday when left out.",
    ),
) -> None:
    """Generate a demo bank in the current directory, import it and print one login per role."""
    from rich.console import Console
    from rich.table import Table

    from bankcrm.cli._progress import row_progress
    from bankcrm.core.config import get_settings
    from bankcrm.demo.flows import build_demo_bank

    if serve:
        refuse_a_busy_port(host, port)
    database_url = get_settings().database_url
    history_end = as_of.date() if as_of else None
    if as_json:
        bank = build_demo_bank(
            database_url=database_url,
            work_dir=Path.cwd(),
            customers=customers,
            seed=seed,
            as_of=history_end,
        )
    else:
        with row_progress() as report:
            bank = build_demo_bank(
                database_url=database_url,
                work_dir=Path.cwd(),
                customers=customers,
                seed=seed,
                as_of=history_end,
                progress=report,
            )
    if as_json:
        payload = {
            "database_url": bank.database_url,
            "logins": [asdict(login) for login in bank.logins],
            "rows": bank.rows_by_table,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        console = Console()
        table = Table(title="Demo logins")
        for column in ("role", "username", "password", "full_name"):
            table.add_column(column)
        for login in bank.logins:
            row = asdict(login)
            table.add_row(row["role"], row["username"], row["password"], row["full_name"])
        console.print(table)
        console.print(f"database: {bank.database_url}")
    if serve:
        if not as_json:
            Console().print(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
        run_server(host, port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
