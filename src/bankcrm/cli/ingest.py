"""``bankcrm import``: load core-banking exports (documented format, or the Berka data)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected


def import_command(
    directory: Path = typer.Argument(
        None, help="Folder with one file per table (<table>.csv or <table>.parquet)."
    ),
    source_format: str = typer.Option(
        "native", "--format", help="native (docs/data-schema.md) or berka (PKDD'99 files)."
    ),
    encoding: str = typer.Option(
        files.DEFAULT_ENCODING,
        "--encoding",
        help="Text encoding of the CSV files: utf-8 (a byte-order mark is allowed), "
        "gb18030 or gbk (Chinese core systems), utf-8-sig, or any encoding Python knows.",
    ),
    schema: bool = typer.Option(False, "--schema", help="Print the import format and exit."),
) -> None:
    """Import a folder of files in one transaction: every file loads, or nothing changes."""
    from rich.console import Console

    from bankcrm.cli._progress import row_progress
    from bankcrm.core.config import get_settings
    from bankcrm.ingest import service
    from bankcrm.ingest.docs import render_schema_markdown

    if schema:
        typer.echo(render_schema_markdown())
        return
    if directory is None:
        raise typer.BadParameter("give the folder to import", param_hint="DIRECTORY")
    if source_format not in ("native", "berka"):
        raise typer.BadParameter("native or berka", param_hint="--format")
    chosen: Literal["native", "berka"] = "berka" if source_format == "berka" else "native"
    try:
        files.text_encoding(encoding)
    except LookupError:
        raise typer.BadParameter(
            f"{encoding!r} is not a text encoding (gb18030, gbk, utf-8, utf-8-sig, …)",
            param_hint="--encoding",
        ) from None
    console = Console(stderr=True)
    try:
        with row_progress(console) as report:
            result = service.import_directory(
                get_settings().database_url,
                directory,
                source_format=chosen,
                encoding=encoding,
                progress=report,
            )
    except ImportRejected as error:
        console.print(
            f"[red]import rejected, nothing was changed:[/red] {error.message}", soft_wrap=True
        )
        raise typer.Exit(1) from error
    total = sum(result.rows_by_table.values())
    for table, rows in result.rows_by_table.items():
        typer.echo(f"{table:<22}{rows:>12,}")
    typer.echo(f"imported {total:,} rows in {result.seconds:.1f} s")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
