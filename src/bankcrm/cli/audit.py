"""``bankcrm audit``: prove the audit trail intact, and anchor its head outside the database."""

from __future__ import annotations

from pathlib import Path

import typer

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    anchor: Path | None = typer.Option(
        None,
        "--anchor",
        metavar="FILE",
        help="Also check every signed anchor in FILE (written by `bankcrm audit anchor`): "
        "the trail must still hold each anchored entry, and its head must be at or beyond it.",
    ),
) -> None:
    """Recompute every link of the chain and check the append-only triggers; exit 1 with one
    line per problem, naming the first tampered entry."""
    from bankcrm.audit import service
    from bankcrm.core.db import session_scope

    with session_scope() as session:
        result = service.verify(session, anchor_file=anchor)
    if as_json:
        typer.echo(result.model_dump_json())
    elif result.intact:
        anchored = (
            f", anchored up to entry {result.anchored_seq} "
            f"(anchors checked: {result.anchors_checked:,})"
            if result.anchored_seq is not None
            else ""
        )
        typer.echo(
            f"audit trail intact: {result.entries_checked:,} entries, "
            f"head {result.head_seq} {result.head_hash}{anchored}"
        )
    else:
        for problem in result.problems:
            typer.echo(problem, err=True)
    if not result.intact:
        raise typer.Exit(1)


@audit_app.command("anchor")
def anchor(
    out: Path = typer.Option(
        ...,
        "--out",
        metavar="FILE",
        help="The anchor file to append to (created mode 0600); keep it, or a copy, away "
        "from the database server.",
    ),
) -> None:
    """Verify the trail (against the anchors already in FILE) and append its head, signed
    with the secret key (HMAC-SHA256), to FILE; exit 1 writing nothing if it fails."""
    from bankcrm.audit import service
    from bankcrm.core.db import session_scope

    with session_scope() as session:
        try:
            written = service.write_anchor(session, out=out)
        except service.AnchorRefused as error:
            for problem in error.problems:
                typer.echo(problem, err=True)
            typer.echo(f"no anchor written to {out}", err=True)
            raise typer.Exit(1) from None
    typer.echo(
        f"audit anchor written to {out}: entry {written.seq} {written.entry_hash} at {written.when}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
