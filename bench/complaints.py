"""The complaint classifier: training and one suggestion, against scikit-learn's own pipeline.

The baseline is ``TfidfVectorizer(analyzer="char_wb")`` + ``LogisticRegression`` with the
same settings, fitted and asked in the same run; the classifier counts n-grams itself so a
stored model never depends on scikit-learn's internals, and this shows what that costs.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from bankcrm.complaints.classify import ComplaintClassifier
from bankcrm.complaints.starting_model import split_cfpb

CFPB = Path(__file__).resolve().parents[1] / "data" / "cfpb-consumer-complaints"
SUGGESTIONS = 200


def _baseline(model: ComplaintClassifier) -> object:
    return make_pipeline(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=model.ngram_range,
            min_df=model.min_df,
            max_df=model.max_df,
            max_features=model.max_features,
            sublinear_tf=True,
        ),
        LogisticRegression(
            C=model.C, class_weight=model.class_weight, tol=model.tol, max_iter=model.max_iter
        ),
    )


def _median_ms(action: object, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_complaints() -> list[str]:
    training, held_out = split_cfpb(CFPB)
    texts = [text[:2_000] for text in training.texts]
    model = ComplaintClassifier()
    started = time.perf_counter()
    model.fit(training.texts, training.product_lines, training.issues)
    ours_fit = time.perf_counter() - started

    baseline = _baseline(model)
    started = time.perf_counter()
    # the baseline learns the issue only: one of the two fields the classifier fits
    baseline.fit(texts, training.issues)  # type: ignore[attr-defined]
    base_fit = time.perf_counter() - started

    one = [held_out.texts[0][:2_000]]
    ours_ms = _median_ms(lambda: model.predict(one), SUGGESTIONS)
    base_ms = _median_ms(lambda: baseline.predict_proba(one), SUGGESTIONS)  # type: ignore[attr-defined]
    lines = [
        f"The starting model's training split of the CFPB narratives ({len(texts):,} texts, "
        "first 2,000 characters each), on one core. Baseline: scikit-learn's "
        "`TfidfVectorizer(char_wb)` + `LogisticRegression`, same settings, fitted for the "
        "issue only (the classifier fits product line and issue on one set of features).",
        "",
        "| measure | bankcrm | baseline | ratio |",
        "|---|---:|---:|---:|",
        f"| training, seconds | {ours_fit:.1f} | {base_fit:.1f} | {ours_fit / base_fit:.2f} |",
        f"| one suggestion, ms (median of {SUGGESTIONS}) | {ours_ms:.2f} | {base_ms:.2f} | "
        f"{ours_ms / base_ms:.2f} |",
    ]
    for line in lines[-2:]:
        print(line, flush=True)
    return lines
