"""``bankcrm campaigns``: send a running campaign, evaluate any campaign's contacts file against
its control group, rank whom to target by uplift, and judge a response model on any file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bankcrm.cli._errors import fail
from bankcrm.core.exceptions import BankcrmError, NotFound

campaigns_app = typer.Typer(
    help="Campaigns: sending, evaluation, uplift and response models.", no_args_is_help=True
)


@campaigns_app.command("evaluate")
def evaluate(
    contacts: Path = typer.Option(
        ..., "--contacts", exists=True, dir_okay=False, help="CSV (or .csv.gz), one row per member."
    ),
    group_col: str = typer.Option(..., "--group-col", help="Column naming each member's group."),
    response_col: str = typer.Option(
        ..., "--response-col", help="Column saying whether the member responded (1/0, yes/no)."
    ),
    treatment: str = typer.Option("treatment", "--treatment", help="Label of the treated."),
    control: str = typer.Option("control", "--control", help="Label of the control group."),
    cost_col: str | None = typer.Option(None, "--cost-col", help="Cost of contacting a member."),
    revenue_col: str | None = typer.Option(None, "--revenue-col", help="Revenue a member brought."),
    by: str | None = typer.Option(None, "--by", help="Also evaluate each value of this column."),
    confidence: float = typer.Option(0.95, "--confidence", min=0.5, max=0.999),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Uplift of the treatment group's response rate over the control group's, with
    Newcombe's interval and the pooled z-test; ROI and cost per acquisition with money
    columns."""
    from bankcrm.campaigns import evaluation as campaign_evaluation

    try:
        report = campaign_evaluation.evaluate_file(
            contacts,
            group_column=group_col,
            response_column=response_col,
            treatment=treatment,
            control=control,
            cost_column=cost_col,
            revenue_column=revenue_col,
            by_column=by,
            confidence=confidence,
        )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for row in [report, *report.get("by", [])]:
        label = "all" if row is report else f"{by} = {row['value']}"
        typer.echo(
            f"{label}: treatment {row['treatment']['rate']:.2%} of {row['treatment']['n']:,}, "
            f"control {row['control']['rate']:.2%} of {row['control']['n']:,}; uplift "
            f"{row['uplift']:+.2%} ({confidence:.0%} interval {row['ci_low']:+.2%} to "
            f"{row['ci_high']:+.2%}), p = {row['p_value']:.3g}"
        )
        if "roi" in row:
            roi = "n/a" if row["roi"] is None else f"{row['roi']:.1%}"
            cpa = row["cost_per_acquisition"]
            typer.echo(
                f"  {row['incremental_responses']:,.1f} incremental responses, incremental "
                f"revenue {row['incremental_revenue']:,.2f}, ROI {roi}, cost per acquisition "
                + ("n/a" if cpa is None else f"{cpa:,.2f}")
            )


@campaigns_app.command("uplift")
def uplift(
    contacts: Path = typer.Option(
        ..., "--contacts", exists=True, dir_okay=False, help="Past contacts with a control group."
    ),
    group_col: str = typer.Option(..., "--group-col", help="Column naming each member's group."),
    response_col: str = typer.Option(..., "--response-col", help="Whether the member responded."),
    treatment: str = typer.Option("treatment", "--treatment", help="Label of the treated."),
    control: str = typer.Option("control", "--control", help="Label of the control group."),
    exclude: list[str] = typer.Option(
        [], "--exclude", help="Column to leave out (identifiers, leaks); repeatable."
    ),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-fitting folds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the folds, models and bootstrap."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit an uplift model on every other column and judge its out-of-fold scores by the
    Qini coefficient, with a bootstrap interval."""
    from bankcrm.campaigns import uplift as campaign_uplift

    try:
        report = campaign_uplift.uplift_file(
            contacts,
            group_column=group_col,
            response_column=response_col,
            treatment=treatment,
            control=control,
            exclude=tuple(exclude),
            folds=folds,
            seed=seed,
        )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(report))
        return
    low, high = report["qini_ci"]
    top = report["top_decile_uplift"]
    typer.echo(
        f"{report['rows']:,} members, {folds}-fold out of fold: Qini {report['qini']:.4f} "
        f"(95% interval {low:.4f} to {high:.4f}); uplift in the top decile "
        + ("n/a" if top is None else f"{top:+.2%}")
    )


@campaigns_app.command("response-model")
def response_model_command(
    data: Path = typer.Option(
        ...,
        "--data",
        exists=True,
        dir_okay=False,
        help="CSV (or .csv.gz), one row per contact, in time order.",
    ),
    target: str = typer.Option(
        ..., "--target", help="Column saying whether the contact responded."
    ),
    positive: list[str] = typer.Option(
        ..., "--positive", help="Value of the target for a response; repeatable."
    ),
    exclude: list[str] = typer.Option(
        [],
        "--exclude",
        help="Column to leave out (identifiers, what is known only after the call); repeatable.",
    ),
    sep: str | None = typer.Option(
        None, "--sep", help="Field separator. Default: whichever of , ; tab | the header uses most."
    ),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the folds and the boosting."),
    train_rows: int = typer.Option(
        20_000, "--train-rows", min=1, help="Rows each rolling model learns from."
    ),
    test_rows: int = typer.Option(
        2_000, "--test-rows", min=1, help="Rows each rolling model predicts."
    ),
    predictions_out: Path | None = typer.Option(
        None,
        "--predictions-out",
        dir_okay=False,
        help="Write every rolling prediction as CSV row,score.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Judge a gradient-boosting response model on past contacts: AUC of stratified
    cross-validation, AUC pooled over a window rolling through the file in order, and the
    lift of the top tenth of the rolling scores."""
    from bankcrm.campaigns import response_model

    try:
        contacts = response_model.read_contacts(
            data, target=target, positive=tuple(positive), exclude=tuple(exclude), sep=sep
        )
        report, predictions = response_model.judge(
            contacts, folds=folds, seed=seed, train_rows=train_rows, test_rows=test_rows
        )
    except BankcrmError as error:
        raise fail(error) from error
    if predictions_out is not None:
        response_model.write_predictions(predictions_out, predictions)
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(
        f"{report['rows']:,} contacts, {report['positive_rate']:.1%} responded: AUC "
        f"{report['auc_cv']:.3f} ({folds}-fold), {report['auc_rolling']:.3f} rolling over "
        f"{report['windows']} windows; top decile lift {report['lift_top_decile']:.2f}"
    )


@campaigns_app.command("send")
def send(
    campaign: str = typer.Option(..., "--campaign", help="The campaign's code (CMP-2026-001)."),
    export_dir: Path = typer.Option(
        Path("campaign-exports"),
        "--export-dir",
        file_okay=False,
        help="Where the lists of channels without a system of their own are written.",
    ),
) -> None:
    """Send a running campaign's message to its treated members not yet sent to: e-mail
    through SMTP and text messages through the gateway when configured, a file otherwise.
    Every send is logged; stopping the campaign stops the sending."""
    from bankcrm.campaigns import repository as campaigns_repository
    from bankcrm.campaigns import service as campaigns_service
    from bankcrm.core.db import session_scope

    try:
        with session_scope() as session:
            row = campaigns_repository.campaign_by_code(session, campaign)
            if row is None:
                raise NotFound(f"no campaign {campaign}")
            summary = campaigns_service.send(session, campaign_id=row.id, export_dir=export_dir)
    except BankcrmError as error:
        raise fail(error) from error
    typer.echo(f"{summary.sent:,} sent, {summary.failed:,} failed, {summary.skipped:,} skipped")


@campaigns_app.command("export-contacts")
def export_contacts(
    campaign: str = typer.Option(..., "--campaign", help="The campaign's code (CMP-2026-001)."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="CSV to write."),
) -> None:
    """Write a launched campaign's treatment and control members with what came of them and
    their features (type, branch, age, quadrant, tier, lifecycle, volume, loyalty, churn
    risk; no personal data), for ``evaluate``, ``uplift`` and ``response-model``."""
    import pyarrow.csv as pa_csv

    from bankcrm.campaigns import repository as campaigns_repository
    from bankcrm.campaigns import service as campaigns_service
    from bankcrm.core.db import session_scope

    try:
        with session_scope() as session:
            row = campaigns_repository.campaign_by_code(session, campaign)
            if row is None:
                raise NotFound(f"no campaign {campaign}")
            table = campaigns_service.contacts_for_analysis(session, campaign_id=row.id)
    except BankcrmError as error:
        raise fail(error) from error
    pa_csv.write_csv(table, out)
    typer.echo(f"{table.num_rows:,} members written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(campaigns_app, name="campaigns")
