"""The churn model, its evaluation and reasons, on data whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bankcrm.churn.diagnosis import diagnose, months_since_decline
from bankcrm.churn.labelled import read_labelled
from bankcrm.churn.model import ChurnModel, FeatureMatrix, evaluate
from bankcrm.core.enums import ChurnDiagnosis
from bankcrm.core.exceptions import ImportRejected


def test_evaluation_by_hand() -> None:
    churned = np.array([True] + [False] * 9)
    perfect = evaluate(np.linspace(1, 0, 10), churned)
    assert (perfect.auc, perfect.pr_auc, perfect.top_decile_lift) == (1.0, 1.0, 10.0)
    worst = evaluate(np.linspace(0, 1, 10), churned)
    assert worst.auc == 0.0
    assert worst.top_decile_lift == 0.0
    # two churners among twenty, one in the top two: lift (1/2) / (2/20) = 5
    mixed = np.array([True, False] * 1 + [False] * 17 + [True])
    assert evaluate(np.linspace(1, 0, 20), mixed).top_decile_lift == 5.0
    with pytest.raises(ValueError, match="churners and stayers"):
        evaluate(np.ones(3), np.zeros(3, dtype=bool))


def silent_customers(size: int, seed: int) -> tuple[FeatureMatrix, np.ndarray]:
    """Churn follows months of silence; the other two features are noise."""
    rng = np.random.default_rng(seed)
    silence = rng.exponential(1.0, size)
    noise = rng.normal(size=(size, 2))
    churned = rng.random(size) < 1 / (1 + np.exp(-(silence - 3.0) * 3))
    values = np.column_stack([silence, noise])
    return FeatureMatrix(("silence", "a", "b"), values, (False, False, False)), churned


def test_the_model_ranks_and_explains_a_known_signal() -> None:
    train, train_labels = silent_customers(4_000, 1)
    test, test_labels = silent_customers(2_000, 2)
    model = ChurnModel().fit(train, train_labels)
    probability = model.predict_proba(test)
    result = evaluate(probability, test_labels)
    assert result.auc > 0.9
    assert result.top_decile_lift > 4
    # calibrated: the mean probability is close to the churn rate
    assert probability.mean() == pytest.approx(test_labels.mean(), abs=0.02)
    risky = probability > 0.5
    reasons = model.reasons(test.rows(risky))
    assert reasons and all(reason[0].feature == "silence" for reason in reasons)
    assert all(reason[0].value > reason[0].typical for reason in reasons)


def test_the_model_needs_both_outcomes() -> None:
    matrix, _ = silent_customers(50, 1)
    with pytest.raises(ValueError, match="churners and stayers"):
        ChurnModel().fit(matrix, np.zeros(50, dtype=bool))


def test_decline_and_diagnosis_by_hand() -> None:
    steady = [5] * 24
    faded_recently = [5] * 20 + [1, 0, 0, 0]
    never_started = [0] * 20 + [4, 1, 0, 0]
    silent = [0] * 24
    decline = months_since_decline(np.array([steady, faded_recently, never_started, silent]))
    assert list(decline) == [0, 3, 1, 24]
    tenure = np.array([60.0, 60.0, 5.0, 30.0])
    assert diagnose(tenure, decline, 6) == [
        ChurnDiagnosis.RELATIONSHIP,
        ChurnDiagnosis.RELATIONSHIP,
        ChurnDiagnosis.ACQUISITION,
        ChurnDiagnosis.RELATIONSHIP,
    ]


def test_a_run_without_warnings_has_nothing_to_diagnose() -> None:
    assert months_since_decline(np.zeros((0, 24), dtype=int)).shape == (0,)


def test_a_labelled_file_names_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text("id,age,city,left\n1,30,Beijing,yes\n2,40,Shanghai,no\n", encoding="utf-8")
    matrix, churned = read_labelled(path, label_column="left", positive="yes", exclude=("id",))
    assert matrix.names == ("age", "city")
    assert matrix.categorical == (False, True)
    assert list(churned) == [True, False]
    with pytest.raises(ImportRejected, match="no column named 'gone'"):
        read_labelled(path, label_column="gone", positive="yes")
    with pytest.raises(ImportRejected, match="no row has the churn label 'Y'"):
        read_labelled(path, label_column="left", positive="Y")
