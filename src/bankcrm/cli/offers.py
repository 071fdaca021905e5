"""``bankcrm offers``: the nightly ranking of next-best offers and its evaluation."""

from __future__ import annotations

import json

import typer

from bankcrm.cli._dates import parse_day
from bankcrm.core.exceptions import BankcrmError

offers_app = typer.Typer(help="Next-best offers: the nightly ranking and its evaluation.")


@offers_app.command("rank")
def rank() -> None:
    """Learn from every adoption up to today and keep each customer's best offers; raise a
    re-assessment task for each risk assessment about to expire."""
    from bankcrm.core.clock import bank_today
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope
    from bankcrm.offers.ranking import raise_reassessment_tasks, rank_bank

    settings = get_settings()
    try:
        with session_scope() as session:
            today = bank_today()
            kept = rank_bank(session, today=today, window_months=settings.offers.window_months)
            tasks = raise_reassessment_tasks(
                session, today=today, notice_days=settings.offers.reassessment_notice_days
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{kept:,} offer scores kept, {tasks:,} re-assessment tasks raised")


@offers_app.command("evaluate")
def evaluate(
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Train on adoptions before this day (YYYY-MM-DD) and score the months after it; "
        "default: one window before the last adoption.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hit rate at 3 and MAP at 7 of the ranking against recommending the most popular
    products."""
    from bankcrm.core.clock import bank_today
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope
    from bankcrm.offers.ranking import evaluate_bank

    settings = get_settings()
    day = parse_day(as_of) if as_of else None
    try:
        with session_scope() as session:
            used, result = evaluate_bank(
                session,
                as_of=day,
                today=bank_today(),
                window_months=settings.offers.window_months,
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    figures = {
        "customers": result.customers,
        "hit_rate_at_3": round(result.hit_rate_at_3, 4),
        "baseline_hit_rate_at_3": round(result.baseline_hit_rate_at_3, 4),
        "map_at_7": round(result.map_at_7, 4),
        "baseline_map_at_7": round(result.baseline_map_at_7, 4),
        "as_of": used.isoformat(),
    }
    if as_json:
        typer.echo(json.dumps(figures))
        return
    typer.echo(
        f"as of {used}: {result.customers:,} customers took something up; hit@3 "
        f"{result.hit_rate_at_3:.1%} against {result.baseline_hit_rate_at_3:.1%} for "
        f"popularity, MAP@7 {result.map_at_7:.3f} against {result.baseline_map_at_7:.3f}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(offers_app, name="offers")
