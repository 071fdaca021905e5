"""Every factor, threshold and quadrant rule on small examples computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm.core.enums import LoyaltyFactor as F
from bankcrm.segmentation.matrix import (
    MINUTES_PER_YEAR,
    business_shares,
    high_loyalty,
    high_share,
    loyalty_factors,
    loyalty_index,
    percentile_scores,
    quadrants,
)

IND, CORP = "individual", "corporate"


def factors(**overrides: object) -> dict[F, np.ndarray]:
    arguments: dict[str, object] = {
        "period_end_min": int(3 * MINUTES_PER_YEAR),
        "period_months": 12,
        "relationship_start_min": np.array([0.0, np.nan]),
        "interactions": np.array([4, 0]),
        "active_slices": np.array([6, 12]),
        "transactions": np.array([30, 0]),
        "product_categories": np.array([3, 1]),
        "business_volume_cents": np.array([300.0, 0.0]),
        "other_banks_assets_cents": np.array([100.0, np.nan]),
        "credit_grades": ["AAA", None],
    }
    arguments.update(overrides)
    return loyalty_factors(**arguments)  # type: ignore[arg-type]


def test_trust_is_the_relationship_age_in_years_and_unknown_without_a_start() -> None:
    trust = factors()[F.TRUST]
    assert trust[0] == pytest.approx(3.0)
    assert np.isnan(trust[1])


def test_communication_counts_contacts_in_the_period() -> None:
    assert factors()[F.COMMUNICATION].tolist() == [4.0, 0.0]


def test_transaction_frequency_is_the_share_of_months_with_a_transaction() -> None:
    assert factors()[F.TRANSACTION_FREQUENCY].tolist() == [0.5, 1.0]


def test_annual_transactions_scale_a_shorter_period_to_a_year() -> None:
    assert factors()[F.ANNUAL_TRANSACTIONS].tolist() == [30.0, 0.0]
    half_year = factors(period_months=6, active_slices=np.array([3, 6]))
    assert half_year[F.ANNUAL_TRANSACTIONS].tolist() == [60.0, 0.0]
    assert half_year[F.TRANSACTION_FREQUENCY].tolist() == [0.5, 1.0]


def test_product_dependency_counts_product_categories_held() -> None:
    assert factors()[F.PRODUCT_DEPENDENCY].tolist() == [3.0, 1.0]


def test_share_of_wallet_is_our_volume_over_all_banks_and_unknown_without_an_estimate() -> None:
    wallet = factors()[F.SHARE_OF_WALLET]
    assert wallet[0] == pytest.approx(300 / 400)
    assert np.isnan(wallet[1])
    nothing_anywhere = factors(other_banks_assets_cents=np.array([0.0, 0.0]))[F.SHARE_OF_WALLET]
    assert nothing_anywhere[0] == 1.0
    assert np.isnan(nothing_anywhere[1])


def test_credit_grade_points_follow_the_rating_scale() -> None:
    grades = factors(credit_grades=["AAA", "BBB"])[F.CREDIT_GRADE]
    assert grades.tolist() == [9.0, 6.0]
    assert np.isnan(factors()[F.CREDIT_GRADE][1])


def test_percentile_scores_rank_within_each_type_and_put_unknowns_in_the_middle() -> None:
    values = np.array([10.0, 20.0, 30.0, 1000.0, 5.0, np.nan])
    groups = np.array([IND, IND, IND, CORP, CORP, IND])
    scores = percentile_scores(values, groups)
    # individuals 10 < 20 < 30 → 0, 0.5, 1; corporates 5 < 1000 → 0, 1; unknown → 0.5
    assert scores.tolist() == [0.0, 0.5, 1.0, 1.0, 0.0, 0.5]


def test_percentile_scores_share_ties() -> None:
    scores = percentile_scores(np.array([1.0, 1.0, 3.0]), np.array([IND] * 3))
    assert scores.tolist() == [0.25, 0.25, 1.0]


def test_loyalty_index_is_the_weighted_mean_on_a_hundred_point_scale() -> None:
    scores = {factor: np.array([0.0, 1.0]) for factor in F}
    scores[F.TRUST] = np.array([1.0, 0.0])
    equal = loyalty_index(scores, {factor.value: 1.0 for factor in F})
    assert equal.tolist() == pytest.approx([100 / 7, 600 / 7])
    trust_only = loyalty_index(scores, {"trust": 2.0})
    assert trust_only.tolist() == [100.0, 0.0]
    with pytest.raises(ValueError):
        loyalty_index(scores, {"trust": 0.0})


def test_business_shares_sum_to_one_within_each_type() -> None:
    volume = np.array([1.0, 3.0, 10.0, 30.0, 60.0])
    groups = np.array([IND, IND, CORP, CORP, CORP])
    shares = business_shares(volume, groups)
    assert shares.tolist() == pytest.approx([0.25, 0.75, 0.1, 0.3, 0.6])


def test_high_share_is_the_head_that_makes_eighty_percent() -> None:
    # 50 + 25 = 75 % before the third customer, so 50, 25 and 15 are the head; 10 is not.
    volume = np.array([10.0, 50.0, 15.0, 25.0])
    assert high_share(volume, np.array([IND] * 4), 0.8).tolist() == [False, True, True, True]
    assert high_share(volume, np.array([IND] * 4), 0.5).tolist() == [False, True, False, False]


def test_high_share_never_includes_customers_without_volume() -> None:
    assert high_share(np.array([0.0, 0.0]), np.array([IND, IND]), 0.8).tolist() == [False, False]


def test_high_loyalty_is_strictly_above_the_median_of_the_type() -> None:
    loyalty = np.array([10.0, 20.0, 30.0, 40.0, 90.0, 10.0])
    groups = np.array([IND, IND, IND, IND, CORP, CORP])
    # individuals' median 25 → 30 and 40 high; corporates' median 50 → 90 high
    assert high_loyalty(loyalty, groups, 0.5).tolist() == [False, False, True, True, True, False]


def test_quadrants_follow_the_matrix() -> None:
    share = np.array([True, False, True, False])
    loyal = np.array([True, True, False, False])
    assert quadrants(share, loyal).tolist() == ["loyal", "problem_1", "problem_2", "ordinary"]
