"""``bankcrm backup`` and ``bankcrm restore``: the whole records store in one archive."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bankcrm.core.exceptions import BankcrmError

if TYPE_CHECKING:
    from bankcrm.backup.service import Progress

DATABASE_URL_HELP = "Database to use; default BANKCRM_DATABASE_URL (or bankcrm.toml)."


@contextmanager
def _progress(wanted: bool) -> Iterator[Progress | None]:
    from bankcrm.cli._progress import row_progress

    # off a terminal the display only adds a blank line to stderr
    with row_progress() if wanted and sys.stderr.isatty() else nullcontext() as report:
        yield report


@contextmanager
def _exit_on_domain_error() -> Iterator[None]:
    try:
        yield
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error


def backup(
    out: Path = typer.Argument(..., help="Archive file to write (for example bank.zip)."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Copy every table into one archive, consistent while the application keeps running."""
    from bankcrm.backup import service
    from bankcrm.core.config import get_settings

    url = database_url or get_settings().database_url
    with _exit_on_domain_error(), _progress(not as_json) as report:
        result = service.backup(url, out, overwrite=overwrite, progress=report)
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"backed up {result.tables} tables, {result.rows:,} rows, {result.bytes:,} bytes "
        f"in {result.seconds:.1f} s to {result.path}"
    )


def restore(
    archive: Path = typer.Argument(..., help="Archive written by bankcrm backup."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
    check: bool = typer.Option(
        False, "--check", help="Only prove the archive against its manifest; no database."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Restore an archive into an empty or new database: all tables, or nothing."""
    from bankcrm.backup import service
    from bankcrm.core.config import get_settings

    if check:
        with _exit_on_domain_error(), _progress(not as_json) as report:
            checked = service.check_archive(archive, progress=report)
        if as_json:
            typer.echo(checked.model_dump_json())
            return
        typer.echo(
            f"archive intact: {checked.tables} tables, {checked.rows:,} rows, "
            f"{checked.bytes:,} bytes in {checked.seconds:.1f} s "
            f"({checked.source_dialect} at revision {checked.alembic_revision}, "
            f"taken {checked.created_at:%Y-%m-%d %H:%M} UTC)"
        )
        return
    url = database_url or get_settings().database_url
    with _exit_on_domain_error(), _progress(not as_json) as report:
        restored = service.restore(url, archive, progress=report)
    if as_json:
        typer.echo(restored.model_dump_json())
        return
    typer.echo(
        f"restored {restored.tables} tables, {restored.rows:,} rows, {restored.bytes:,} bytes "
        f"in {restored.seconds:.1f} s into {restored.database}"
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
