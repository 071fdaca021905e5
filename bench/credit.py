"""The "Credit scorecards" section of ``make bench``: fitting on 100,000 loans × 20 features
and scoring a million applicants.

The fit is ``bankcrm credit fit`` (5-fold stratified cross-validation and the card fitted on
all rows); its baseline is the one-hot logistic regression under the same cross-validation,
the model the scorecard is judged against. Scoring is ``bankcrm credit score`` (score, PD,
grade and three reason codes per row, written to CSV); its baseline is reading the file into
Arrow, the floor under any scoring of a CSV file.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import in_child, measured_on

TARGET_FIT_SECONDS = 60.0
TARGET_SCORE_SECONDS = 30.0
FOLDS = "5"


def _seconds(measured: object) -> float:
    return float(measured.result["seconds"])  # type: ignore[attr-defined]


def bench_credit(work: Path, *, fit_rows: int, score_rows: int) -> list[str]:
    training = work / f"loans-{fit_rows}.csv"
    applicants = work / f"applicants-{score_rows}.csv"
    in_child("bench.credit_child", "data", str(fit_rows), str(training))
    in_child("bench.credit_child", "data", str(score_rows), str(applicants))
    fitted = in_child("bench.credit_child", "fit", str(training), FOLDS)
    baseline = in_child("bench.credit_child", "baseline", str(training), FOLDS)
    card = training.with_suffix(".card.json")
    scored = in_child(
        "bench.credit_child", "score", str(card), str(applicants), str(work / "scored.csv")
    )
    read = in_child("bench.credit_child", "read", str(applicants))
    fit_seconds, base_seconds = _seconds(fitted), _seconds(baseline)
    score_seconds, read_seconds = _seconds(scored), _seconds(read)
    return [
        measured_on() + ". Loans of `bench/credit_child.py` (seed 5): 14 numbers (one "
        "with the special code 999 on 30 % of rows, two with 8 % missing) and 6 text columns, "
        "an outcome drawn from a logistic model of them (about 11 % bad).",
        "",
        "| work | rows | seconds | peak memory | baseline | baseline seconds | ratio | target |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
        f"| `credit fit` ({FOLDS}-fold CV + final card), AUC {fitted.result['auc']} | "
        f"{fit_rows:,} | {fit_seconds:.1f} | {fitted.peak_rss_mb:,.0f} MB | one-hot logistic "
        f"regression, same CV, AUC {baseline.result['auc']} | {base_seconds:.1f} | "
        f"{fit_seconds / base_seconds:.2f} | ≤ {TARGET_FIT_SECONDS:.0f} s |",
        f"| `credit score` (score, PD, grade, 3 reasons, CSV out) | {score_rows:,} | "
        f"{score_seconds:.1f} | {scored.peak_rss_mb:,.0f} MB | reading the CSV into Arrow | "
        f"{read_seconds:.1f} | {score_seconds / read_seconds:.1f} | "
        f"≤ {TARGET_SCORE_SECONDS:.0f} s |",
    ]
