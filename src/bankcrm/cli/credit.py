"""``bankcrm credit``: scorecards fitted on any loan file, scoring, stability, Berka loans."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from bankcrm.cli._errors import fail
from bankcrm.core.exceptions import BankcrmError

credit_app = typer.Typer(help="Credit scorecards and grades.", no_args_is_help=True)


@credit_app.command("fit")
def fit(
    data: Path = typer.Option(
        ..., "--data", exists=True, dir_okay=False, help="CSV (or .csv.gz), one row per loan."
    ),
    target: str = typer.Option(..., "--target", help="Column with each loan's outcome."),
    bad: list[str] = typer.Option(
        ..., "--bad", help="Value of the target for a bad loan; repeatable (B and D)."
    ),
    exclude: list[str] = typer.Option(
        [], "--exclude", help="Column to leave out (identifiers, leaks); repeatable."
    ),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the folds."),
    special: list[float] = typer.Option(
        [],
        "--special",
        help="A number meaning 'none' or 'unknown' (999) with its own bin; repeatable. "
        "Default: found in the data (99, 999, … far beyond a column's other values).",
    ),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also judge a one-hot logistic regression the same way."
    ),
    save: Path | None = typer.Option(
        None, "--save", dir_okay=False, help="Write the scorecard fitted on all rows (JSON)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit a scorecard; AUC, KS and Gini from pooled out-of-fold scores of stratified
    cross-validation, and every feature's information value and bins."""
    from bankcrm.core.config import get_settings
    from bankcrm.credit import service

    try:
        report, card = service.fit_file(
            data,
            target=target,
            bad_values=tuple(bad),
            exclude=tuple(exclude),
            folds=folds,
            seed=seed,
            special_codes=tuple(special) if special else None,
            settings=get_settings().credit,
            with_baseline=baseline,
        )
    except BankcrmError as error:
        raise fail(error) from error
    if save is not None:
        service.save(card, save)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(
        f"{report['rows']:,} loans, {report['bad_rate']:.1%} bad: AUC {report['auc']:.3f}, "
        f"KS {report['ks']:.3f}, Gini {report['gini']:.3f} ({folds}-fold, out of fold)"
    )
    if "baseline" in report:
        typer.echo(f"one-hot logistic regression: AUC {report['baseline']['auc']:.3f}")
    for feature in sorted(report["features"], key=lambda item: -item["iv"]):
        mark = "*" if feature["selected"] else " "
        typer.echo(f" {mark} {feature['name']}: IV {feature['iv']:.3f}")


@credit_app.command("score")
def score(
    scorecard: Path = typer.Option(..., "--scorecard", exists=True, dir_okay=False),
    data: Path = typer.Option(..., "--data", exists=True, dir_okay=False),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="CSV to write."),
    id_col: str | None = typer.Option(None, "--id-col", help="Column copied to the output."),
) -> None:
    """Score every row of a file with a saved scorecard: score, PD, grade and the three
    features that cost the most points."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from bankcrm.core.config import get_settings
    from bankcrm.credit import service

    settings = get_settings().credit
    try:
        card = service.load(scorecard)
        _, scores, grade_names, reasons = service.score_file(card, data, settings=settings)
        identifiers = service.column_values(data, id_col) if id_col else None
    except BankcrmError as error:
        raise fail(error) from error
    columns: dict[str, object] = {}
    if identifiers is not None and id_col:
        columns[id_col] = identifiers
    columns["score"] = np.round(scores, 1)
    columns["pd"] = np.round(card.scaling.probability_of_default(scores), 6)
    columns["grade"] = pa.array(grade_names, pa.string())
    for rank, texts in enumerate(reasons, start=1):
        columns[f"reason_{rank}"] = pa.array(texts, pa.string())
    pa_csv.write_csv(pa.table(columns), out)
    typer.echo(f"{len(scores):,} rows scored into {out}")


@credit_app.command("stability")
def stability(
    scorecard: Path = typer.Option(..., "--scorecard", exists=True, dir_okay=False),
    data: Path = typer.Option(
        ..., "--data", exists=True, dir_okay=False, help="A recent sample of applications."
    ),
) -> None:
    """Population stability (PSI) of each feature of the card between its development
    sample and a recent one, as JSON: below 0.1 stable, 0.1–0.25 watch, above 0.25 shifted."""
    from bankcrm.core.config import get_settings
    from bankcrm.credit import service
    from bankcrm.credit.scorecard import feature_stability

    settings = get_settings().credit
    try:
        card = service.load(scorecard)
        recent, _, _, _ = service.score_file(card, data, settings=settings, top_reasons=0)
    except BankcrmError as error:
        raise fail(error) from error
    typer.echo(json.dumps({"features": feature_stability(card, recent)}))


@credit_app.command("bank-loans")
def bank_loans(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="CSV to write."),
) -> None:
    """The bank's own classified loans as an application file for ``credit fit`` (target
    ``loan_class``; substandard, doubtful and loss are bad)."""
    import pyarrow.csv as pa_csv

    from bankcrm.core.db import session_scope
    from bankcrm.credit import bank_loans as bank_loans_module

    with session_scope() as session:
        table = bank_loans_module.loan_table(session)
    pa_csv.write_csv(table, out)
    typer.echo(f"{table.num_rows:,} loans written to {out}")


@credit_app.command("score-bank")
def score_bank(
    scorecard: Path = typer.Option(..., "--scorecard", exists=True, dir_okay=False),
    tasks: bool = typer.Option(True, "--tasks/--no-tasks", help="Open downgrade tasks."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Score every borrower on their newest loan with a saved card; keep the score, grade and
    reasons for the customer 360, and open a task where a grade fell."""
    from bankcrm.core.clock import bank_today
    from bankcrm.core.config import get_settings
    from bankcrm.core.db import session_scope
    from bankcrm.credit import bank_loans as bank_loans_module
    from bankcrm.credit import service

    settings = get_settings().credit
    try:
        card = service.load(scorecard)
        with session_scope() as session:
            run = bank_loans_module.score_bank(
                session,
                card=card,
                card_name=scorecard.name,
                settings=settings,
                today=bank_today(),
                create_tasks=tasks,
            )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(asdict(run)))
        return
    typer.echo(
        f"{run.scored:,} borrowers scored, {run.downgraded:,} downgraded, "
        f"{run.tasks_created:,} tasks opened"
    )


@credit_app.command("berka-loans")
def berka_loans(
    folder: Path = typer.Option(
        Path("data/berka-pkdd99-financial"), "--folder", exists=True, file_okay=False
    ),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="CSV to write."),
) -> None:
    """The Berka loans as an application file (status A/C good, B/D bad) for ``credit fit``."""
    import pyarrow.csv as pa_csv

    from bankcrm.credit import berka

    try:
        table = berka.loan_applications(folder)
    except BankcrmError as error:
        raise fail(error) from error
    pa_csv.write_csv(table, out)
    typer.echo(f"{table.num_rows:,} loans written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(credit_app, name="credit")
