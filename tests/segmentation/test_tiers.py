"""Concentration, value tiers and RFM on examples computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm.segmentation.tiers import (
    gini,
    lorenz_curve,
    quintile_scores,
    rfm_scores,
    top_share,
    value_tiers,
)

IND = "individual"


def test_gini_of_equal_values_is_zero_and_of_one_holder_is_one_minus_one_over_n() -> None:
    assert gini(np.array([5.0, 5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 8.0])) == pytest.approx(0.75)


def test_gini_matches_the_mean_absolute_difference_definition() -> None:
    values = np.array([1.0, 2.0, 3.0, 10.0])
    differences = np.abs(values[:, None] - values[None, :]).sum()
    expected = differences / (2 * len(values) ** 2 * values.mean())
    assert gini(values) == pytest.approx(expected)


def test_top_share_takes_the_largest_fifth_rounded_up() -> None:
    values = np.array([1.0] * 8 + [6.0, 6.0])  # top 2 of 10 hold 12 of 20
    assert top_share(values, 0.2) == pytest.approx(0.6)
    assert top_share(np.array([1.0, 1.0, 2.0]), 0.2) == pytest.approx(0.5)


def test_lorenz_curve_runs_from_zero_to_one_below_the_diagonal() -> None:
    population, volume = lorenz_curve(np.array([0.0, 0.0, 0.0, 4.0]), points=5)
    assert population == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert volume == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_value_tiers_cut_at_twenty_and_fifty_percent_within_the_type() -> None:
    volume = np.arange(10, 0, -1, dtype=float)  # 10 … 1
    tiers = value_tiers(volume, np.array([IND] * 10), (0.2, 0.5))
    assert tiers.tolist() == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]


def test_customers_without_volume_are_always_tier_c() -> None:
    tiers = value_tiers(np.array([0.0, 0.0]), np.array([IND, IND]), (0.2, 0.5))
    assert tiers.tolist() == ["C", "C"]


def test_quintile_scores_split_ten_values_in_pairs() -> None:
    scores = quintile_scores(np.arange(10, dtype=float), np.array([IND] * 10))
    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_rfm_rewards_recent_frequent_and_large_and_scores_no_transaction_lowest() -> None:
    recency, frequency, monetary = rfm_scores(
        minutes_since_last=np.array([10.0, 1000.0, np.nan, 100.0, 5.0]),
        frequency=np.array([50, 1, 0, 10, 20]),
        monetary=np.array([1.0, 100.0, 0.0, 10.0, 1000.0]),
        groups=np.array([IND] * 5),
    )
    assert recency.tolist() == [4, 2, 1, 3, 5]
    assert frequency.tolist() == [5, 2, 1, 3, 4]
    assert monetary.tolist() == [2, 4, 1, 3, 5]
