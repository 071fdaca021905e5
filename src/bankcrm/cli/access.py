"""``bankcrm access-matrix``: the documented access rules, read from the route table."""

from __future__ import annotations

import typer


def access_matrix() -> None:
    """Print the role × permission matrix and the route table (the top of docs/security.md)."""
    from bankcrm.access import security_markdown
    from bankcrm.main import create_app

    typer.echo(security_markdown(create_app()), nl=False)


def register(app: typer.Typer) -> None:
    app.command("access-matrix")(access_matrix)
