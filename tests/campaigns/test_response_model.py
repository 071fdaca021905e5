"""The response model, its rolling window and lift, and how any contacts file is read."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from bankcrm.campaigns.response_model import (
    MISSING,
    Contacts,
    ResponseModel,
    judge,
    lift,
    read_contacts,
    rolling,
)
from bankcrm.core.exceptions import ImportRejected


def _planted(rows: int, seed: int = 0) -> Contacts:
    """Responses driven by a text column and a number, both with missing values."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(np.array(["gold", "silver", "basic"], dtype=object), rows)
    balance = rng.normal(0, 1, rows)
    logit = -2.0 + 2.5 * (segment == "gold") + 1.5 * balance
    responded = rng.random(rows) < 1 / (1 + np.exp(-logit))
    segment[rng.random(rows) < 0.05] = MISSING
    balance[rng.random(rows) < 0.05] = np.nan
    features = pd.DataFrame({"segment": segment, "balance": balance, "noise": rng.random(rows)})
    return Contacts("planted.csv", features, responded)


def test_the_model_finds_a_planted_signal_in_text_and_numbers() -> None:
    contacts = _planted(3_000)
    train, test = slice(0, 2_000), slice(2_000, None)
    model = ResponseModel().fit(contacts.features.iloc[train], contacts.responded[train])
    assert model.categories_ == ("segment",)
    scores = model.predict_proba(contacts.features.iloc[test])
    assert roc_auc_score(contacts.responded[test], scores) > 0.8


def test_unseen_categories_and_identifiers_do_not_break_scoring() -> None:
    contacts = _planted(1_000)
    features = contacts.features.assign(customer_id=[f"C{n:05d}" for n in range(1_000)])
    model = ResponseModel().fit(features, contacts.responded)
    unseen = features.head(3).assign(segment="platinum", customer_id="C99999")
    scores = model.predict_proba(unseen)
    assert np.all((scores > 0) & (scores < 1))
    # every identifier is rare, so all share one code and the column cannot split
    assert model.predict_proba(features.assign(customer_id="C00000")) == pytest.approx(
        model.predict_proba(features)
    )


def test_the_window_rolls_to_the_end_of_the_file() -> None:
    predictions = rolling(_planted(2_300), train_rows=1_000, test_rows=500, seed=0)
    assert predictions.starts == (1_000, 1_500, 2_000)
    assert predictions.windows == 3
    assert predictions.rows.tolist() == list(range(1_000, 2_300))
    assert len(predictions.scores) == 1_300


def test_each_window_learns_only_from_the_rows_before_it() -> None:
    contacts = _planted(1_500)
    # what the third window's model saw is left alone; everything after its rows changes
    changed = contacts.features.copy()
    changed.loc[1_300:, "balance"] = -changed.loc[1_300:, "balance"]
    altered = Contacts(contacts.file, changed, contacts.responded.copy())
    altered.responded[1_300:] = ~altered.responded[1_300:]
    first = rolling(contacts, train_rows=1_000, test_rows=100, seed=0)
    second = rolling(altered, train_rows=1_000, test_rows=100, seed=0)
    assert first.scores[:300] == pytest.approx(second.scores[:300], abs=0)


def test_lift_compares_the_top_tenth_with_everyone() -> None:
    responded = np.array([True] * 2 + [False] * 18)
    scores = np.linspace(1, 0, 20)
    assert lift(responded, scores) == pytest.approx(1.0 / 0.1)
    assert lift(responded, -scores) == 0.0


def test_the_report_pools_the_rolling_predictions() -> None:
    contacts = _planted(2_000)
    report, predictions = judge(contacts, folds=5, seed=0, train_rows=1_000, test_rows=250)
    predicted = contacts.responded[predictions.rows]
    assert report["windows"] == 4 and report["rolling_rows"] == 1_000
    assert report["auc_rolling"] == roc_auc_score(predicted, predictions.scores)
    assert report["auc_cv"] > 0.8 and report["auc_rolling"] > 0.8
    assert report["positive_rate"] == pytest.approx(contacts.responded.mean())
    assert len(report["auc_by_window"]) == 4


def test_a_file_of_any_shape_is_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.tsv"
    path.write_text(
        "when\tincome\tregion\tanswer\n"
        "2024-01-02\t1200\tnorth\tY\n"
        "2024-01-03\t?\t\tN\n"
        "2024-01-04\t800.5\tsouth\tmaybe\n"
    )
    contacts = read_contacts(path, target="answer", positive=("Y", "maybe"))
    assert contacts.responded.tolist() == [True, False, True]
    assert contacts.features["when"].tolist() == [19724 * 86400.0, 19725 * 86400.0, 19726 * 86400.0]
    assert contacts.features["income"].tolist()[::2] == [1200.0, 800.5]
    assert np.isnan(contacts.features["income"][1])
    assert contacts.features["region"].tolist() == ["north", MISSING, "south"]


def test_a_named_separator_overrides_the_sniffed_one(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("a,b|outcome\n1,2|yes\n4,5|no\n")
    contacts = read_contacts(path, target="outcome", positive=("yes",), sep="|")
    assert list(contacts.features.columns) == ["a,b"]
    assert contacts.features["a,b"].tolist() == ["1,2", "4,5"]


@pytest.mark.parametrize(
    ("text", "positive", "message"),
    [
        ("x,y\n1,yes\n", ("yes",), "no column named 'outcome'"),
        ("x,outcome\n1,yes\n2,\n", ("yes",), "row 2, column 'outcome': the target is empty"),
        ("x,outcome\n1,no\n2,no\n", ("yes",), "no row has the positive value 'yes'"),
        ("x,outcome\n1,yes\n2,yes\n", ("yes",), "every row has the positive value 'yes'"),
        ("outcome\nyes\nno\n", ("yes",), "no column is left to learn from"),
    ],
)
def test_unusable_files_are_refused_in_words(
    tmp_path: Path, text: str, positive: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(text)
    with pytest.raises(ImportRejected, match=re.escape(message)) as refused:
        read_contacts(path, target="outcome", positive=positive)
    assert "contacts.csv" in refused.value.message


def test_a_training_window_of_one_class_is_refused() -> None:
    contacts = _planted(1_500)
    contacts.responded[:1_000] = False
    with pytest.raises(ImportRejected, match="rows 1–1,000, a training window, hold only"):
        rolling(contacts, train_rows=1_000, test_rows=500, seed=0)
