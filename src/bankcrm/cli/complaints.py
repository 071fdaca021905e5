"""``bankcrm complaints``: the scheduled deadline sweep and the bank's own classifier."""

from __future__ import annotations

import typer

complaints_app = typer.Typer(help="The complaint desk.", no_args_is_help=True)


@complaints_app.command("sweep")
def sweep() -> None:
    """Remind owners of cases due within the reminder window and escalate overdue cases to
    their branch manager (run it daily, e.g. from cron)."""
    from bankcrm.complaints import service
    from bankcrm.core.db import session_scope

    with session_scope() as session:
        result = service.sweep(session)
    typer.echo(f"{result.reminders} reminders created, {result.escalated} overdue cases escalated")


@complaints_app.command("train")
def train() -> None:
    """Train the classifier on the bank's closed cases; suggestions use it from then on."""
    from bankcrm.complaints import service
    from bankcrm.core.db import session_scope

    with session_scope() as session:
        result = service.train_classifier(session, user=None)
    typer.echo(
        f"trained on {result.cases:,} closed cases ({result.corrections:,} corrected by "
        f"officers); held-out macro-F1: product line {result.macro_f1_product_line:.3f}, "
        f"issue {result.macro_f1_issue:.3f} (always the commonest issue: "
        f"{result.baseline_macro_f1_issue:.3f})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(complaints_app, name="complaints")
