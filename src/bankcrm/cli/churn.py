"""``bankcrm churn``: churn early warning and retention tasks."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from bankcrm.cli._dates import parse_day
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.core.exceptions import BankcrmError

churn_app = typer.Typer(help="Churn early warning and retention tasks.", no_args_is_help=True)

HELD_OUT = 0.3


@churn_app.command("run")
def run(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Score the customers as of this day (YYYY-MM-DD); default today."
    ),
    engine: AnalyticsEngine = typer.Option(
        None, "--engine", help="duckdb (default) or spark; default from BANKCRM_ANALYTICS_ENGINE."
    ),
    tasks: bool = typer.Option(True, "--tasks/--no-tasks", help="Open retention tasks."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Score every active customer; warnings open retention tasks for their managers."""
    from bankcrm.churn.service import run_churn
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope

    settings = get_settings()
    day = parse_day(as_of)
    try:
        with session_scope() as session:
            result = run_churn(
                session,
                settings=settings,
                as_of=day,
                engine=engine or AnalyticsEngine(settings.analytics_engine),
                create_tasks=tasks,
            )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"as of {result.as_of} ({result.method.value}): {result.warnings:,} warnings among "
        f"{result.customers:,} active customers, {result.tasks_created:,} tasks opened; "
        f"{result.active_warnings:,} of the warnings among the {result.active_customers:,} "
        "still active, the rest for win-back"
    )
    if result.evaluation:
        figures = result.evaluation
        typer.echo(
            f"last window: AUC {figures['auc']:.3f}, PR-AUC {figures['pr_auc']:.3f}, "
            f"top-decile lift {figures['top_decile_lift']:.2f}"
        )
        if figures.get("active"):
            active = figures["active"]
            typer.echo(
                f"still active then: AUC {active['auc']:.3f}, "
                f"top-decile lift {active['top_decile_lift']:.2f}"
            )
        for key, label in (("lead_time", "any warning"), ("lead_time_active", "while active")):
            lead = figures.get(key)
            if lead and lead["median_months"] is not None:
                typer.echo(
                    f"median lead time ({label}): {lead['median_months']} months, "
                    f"{lead['warned']:,} of {lead['churners']:,} churners warned in time"
                )


@churn_app.command("evaluate")
def evaluate_file(
    labelled: Path = typer.Option(
        ...,
        "--labelled",
        exists=True,
        dir_okay=False,
        help="CSV (or .csv.gz), one row per customer.",
    ),
    label_col: str = typer.Option(..., "--label-col", help="Column that says who churned."),
    positive: str = typer.Option(..., "--positive", help="Value of that column for churn."),
    exclude: list[str] = typer.Option(
        [], "--exclude", help="Column to leave out (identifiers, leaks); repeatable."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the held-out split."),
) -> None:
    """Fit the churn model on any labelled file and print its held-out AUC, PR-AUC and
    top-decile lift as JSON. Without dates the split is random (stratified), 30 % held out."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from bankcrm.churn.labelled import read_labelled
    from bankcrm.churn.model import ChurnModel, evaluate

    try:
        matrix, churned = read_labelled(
            labelled, label_column=label_col, positive=positive, exclude=tuple(exclude)
        )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    rows = np.arange(len(churned))
    train, test = train_test_split(rows, test_size=HELD_OUT, stratify=churned, random_state=seed)
    model = ChurnModel(random_state=seed).fit(matrix.rows(train), churned[train])
    result = evaluate(model.predict_proba(matrix.rows(test)), churned[test])
    typer.echo(json.dumps({"features": list(matrix.names), **asdict(result)}))


def register(app: typer.Typer) -> None:
    app.add_typer(churn_app, name="churn")
