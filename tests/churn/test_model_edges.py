"""The churn model on the edges a small or quiet bank reaches: nobody to score or explain,
features nobody has."""

from __future__ import annotations

import numpy as np

from bankcrm.churn.model import ChurnModel, known_median, reason_number
from tests.churn.test_model import silent_customers


def test_scoring_and_explaining_nobody_gives_nothing() -> None:
    matrix, churned = silent_customers(300, 1)
    model = ChurnModel().fit(matrix, churned)
    nobody = matrix.rows(np.zeros(len(matrix), dtype=bool))
    assert model.predict_proba(nobody).shape == (0,)
    assert model.reasons(nobody) == []


def test_a_feature_nobody_has_has_no_typical_value() -> None:
    values = np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]])
    typical = known_median(values)
    assert typical[0] == 2.0 and np.isnan(typical[1])
    assert np.isnan(known_median(np.empty((0, 2)))).all()
    assert [reason_number(value) for value in typical] == [2.0, None]
