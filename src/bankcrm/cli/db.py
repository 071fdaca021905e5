"""``bankcrm db``: database schema management."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Alembic revision to upgrade to."),
) -> None:
    """Create or migrate the records store (BANKCRM_DATABASE_URL, default ./bankcrm.db)."""
    from bankcrm.core.config import get_settings
    from bankcrm.core.migrate import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    typer.echo(f"database at {revision}: {url}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
