"""``bankcrm audit``: prove the audit trail intact."""

from __future__ import annotations

import typer

from bankcrm.audit import service
from bankcrm.core.db import session_scope

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Recompute every link of the chain; exit 1 naming the first tampered entry."""
    with session_scope() as session:
        result = service.verify(session)
    if as_json:
        typer.echo(result.model_dump_json())
    elif result.intact:
        typer.echo(
            f"audit trail intact: {result.entries_checked:,} entries, "
            f"head {result.head_seq} {result.head_hash}"
        )
    else:
        typer.echo(f"audit trail broken at entry {result.broken_at}: {result.problem}", err=True)
    if not result.intact:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
