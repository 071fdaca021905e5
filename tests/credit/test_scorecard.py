"""The scorecard's arithmetic: weights of evidence, information value, points and PD, PSI."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from bankcrm.credit.binning import BinKind, bin_feature
from bankcrm.credit.scorecard import (
    Applications,
    Coding,
    Scaling,
    Scorecard,
    feature_stability,
    population_stability,
)
from bankcrm.credit.validation import sentinel_codes


def _text(values: list[str | None]) -> np.ndarray:
    return np.asarray(values, dtype=object)


def test_weights_of_evidence_and_information_value_by_hand() -> None:
    # owner: 40 good, 10 bad; renter: 45 good, 5 bad; 10 unknown: 5 good, 5 bad
    column = _text(["owner"] * 50 + ["renter"] * 50 + [None] * 10)
    bad = np.array([False] * 40 + [True] * 10 + [False] * 45 + [True] * 5 + [False, True] * 5)
    binned = bin_feature("housing", column, bad, categorical=True, min_share=0.05)
    by_label = {b.label: b for b in binned.bins}
    # three bins, half a good and half a bad added to each: goods 90 + 1.5, bads 20 + 1.5
    renter = math.log((45.5 / 91.5) / (5.5 / 21.5))
    owner = math.log((40.5 / 91.5) / (10.5 / 21.5))
    missing = math.log((5.5 / 91.5) / (5.5 / 21.5))
    assert by_label["renter"].woe == pytest.approx(renter)
    assert by_label["owner"].woe == pytest.approx(owner)
    assert by_label["missing"].kind is BinKind.MISSING
    assert by_label["missing"].woe == pytest.approx(missing)
    iv = (45 / 90 - 5 / 20) * renter + (40 / 90 - 10 / 20) * owner + (5 / 90 - 5 / 20) * missing
    assert binned.iv == pytest.approx(iv)
    # 0.25·0.6647 + (−0.0556)·(−0.0984) + (−0.1944)·(−1.4483)
    assert binned.iv == pytest.approx(0.4532, abs=1e-4)


def test_a_bin_without_bads_keeps_a_finite_strong_weight() -> None:
    column = np.array([1.0] * 80 + [2.0] * 20)
    bad = np.array([True] * 20 + [False] * 60 + [False] * 20)
    binned = bin_feature("holders", column, bad, categorical=False)
    assert [b.bads for b in binned.bins] == [20, 0]
    assert binned.bins[1].woe == pytest.approx(math.log((20.5 / 81) / (0.5 / 21)))


def test_numeric_bins_are_monotonic_and_respect_the_minimum_share() -> None:
    rng = np.random.default_rng(3)
    income = rng.lognormal(9, 0.6, 4_000)
    bad = rng.random(4_000) < 1 / (1 + np.exp(-(3 - income / 4_000)))
    binned = bin_feature("income", income, bad, categorical=False, min_share=0.05, max_bins=6)
    rates = [b.bad_rate for b in binned.bins]
    assert 2 <= len(rates) <= 6
    assert all(later <= earlier for earlier, later in itertools.pairwise(rates))
    assert min(b.count for b in binned.bins) >= 0.05 * 4_000


def test_special_codes_get_their_own_bin() -> None:
    months_since = np.array([1.0, 2, 3, 4, 5, 6] * 50 + [999.0] * 60)
    data = Applications(("months_since_arrears",), (months_since,), (False,))
    assert sentinel_codes(data) == (999.0,)
    bad = np.array([False] * 300 + [True] * 30 + [False] * 30)
    binned = bin_feature("months", months_since, bad, categorical=False, special_codes=(999.0,))
    special = [b for b in binned.bins if b.kind is BinKind.SPECIAL]
    assert len(special) == 1 and special[0].count == 60 and special[0].bads == 30
    assert all(b.high is None or b.high <= 6 for b in binned.bins if b.kind is BinKind.INTERVAL)


def test_ordinary_large_numbers_are_not_special() -> None:
    amounts = np.array([100.0, 250.0, 999.0, 480.0, 820.0])
    assert sentinel_codes(Applications(("amount",), (amounts,), (False,))) == ()


def test_points_and_probability_of_default_convert_both_ways() -> None:
    scaling = Scaling(points_to_double_odds=20, base_score=600, base_odds=50)
    # at 600 points the odds are 50:1, so PD = 1/51; 20 points more double the odds
    assert scaling.probability_of_default(np.array([600.0]))[0] == pytest.approx(1 / 51)
    assert scaling.probability_of_default(np.array([620.0]))[0] == pytest.approx(1 / 101)
    pds = np.array([0.001, 0.02, 0.3, 0.9])
    assert scaling.probability_of_default(scaling.score_of(pds)) == pytest.approx(pds)
    assert scaling.score_of(np.array([1 / 51]))[0] == pytest.approx(600)


def _applications(rows: int, seed: int, shift: float = 0.0) -> tuple[Applications, np.ndarray]:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(9 + shift, 0.5, rows)
    debt_ratio = rng.uniform(0, 1.2, rows)
    debt_ratio[rng.random(rows) < 0.05] = np.nan
    job = rng.choice(np.array(["staff", "owner", "none"], dtype=object), rows, p=[0.6, 0.3, 0.1])
    logit = -2 - 0.00008 * (income - 8_000) + 2 * np.nan_to_num(debt_ratio, nan=1.0)
    logit += np.where(job == "none", 1.0, 0.0)
    bad = rng.random(rows) < 1 / (1 + np.exp(-logit))
    data = Applications(
        ("income", "debt_ratio", "job"), (income, debt_ratio, job), (False,) * 2 + (True,)
    )
    return data, bad


def test_the_card_scores_sum_its_points_and_ranks_risk() -> None:
    data, bad = _applications(5_000, seed=1)
    card = Scorecard().fit(data, bad)
    assert {f.bins.name for f in card.features_} == {"income", "debt_ratio", "job"}
    # about 1,700 bads for 15 bins: each bin gets its own coefficient
    assert card.coding_ is Coding.BINS
    first = data.rows(np.array([0]))
    by_feature = sum(float(f.points_of(first.column(f.bins.name))[0]) for f in card.features_)
    assert card.score(first)[0] == pytest.approx(by_feature)
    pd = card.predict_proba(data)
    assert roc_auc_score(bad, pd) > 0.7
    # the card's PDs average out near the bad rate it was fitted on
    assert pd.mean() == pytest.approx(bad.mean(), abs=0.02)


def test_few_loans_weigh_weights_of_evidence_with_positive_coefficients() -> None:
    data, bad = _applications(400, seed=1)
    card = Scorecard().fit(data, bad)
    assert card.coding_ is Coding.WOE
    assert card.features_ and all(f.coefficient and f.coefficient > 0 for f in card.features_)
    for feature in card.features_:
        order = np.argsort([b.woe for b in feature.bins.bins])
        assert list(np.array(feature.points)[order]) == sorted(feature.points)


def test_reason_codes_name_the_features_that_cost_most() -> None:
    data, bad = _applications(5_000, seed=2)
    card = Scorecard().fit(data, bad)
    worst = int(np.argmin(card.score(data)))
    reasons = card.reasons(data.rows(np.array([worst])))[0]
    assert reasons and reasons[0].points_lost >= reasons[-1].points_lost > 0
    best = {f.bins.name: max(f.points) for f in card.features_}
    row = data.rows(np.array([worst]))
    for reason in reasons:
        feature = next(f for f in card.features_ if f.bins.name == reason.feature)
        lost = best[reason.feature] - feature.points_of(row.column(reason.feature))[0]
        assert reason.points_lost == pytest.approx(lost, abs=0.05)


def test_a_saved_card_scores_the_same() -> None:
    data, bad = _applications(3_000, seed=4)
    card = Scorecard().fit(data, bad)
    again = Scorecard.from_json(card.to_json())
    assert again.score(data) == pytest.approx(card.score(data))
    with pytest.raises(ValueError, match="bankcrm-scorecard"):
        Scorecard.from_json({"format": "pickle"})


def test_unseen_values_score_as_the_average() -> None:
    data, bad = _applications(3_000, seed=5)
    card = Scorecard().fit(data, bad)
    job = next(f for f in card.features_ if f.bins.name == "job")
    assert job.points_of(_text(["astronaut"]))[0] == pytest.approx(job.neutral_points)


def test_population_stability_by_hand_and_on_a_shifted_sample() -> None:
    expected, actual = np.array([50, 30, 20]), np.array([30, 30, 40])
    by_hand = (0.3 - 0.5) * math.log(0.3 / 0.5) + 0 + (0.4 - 0.2) * math.log(0.4 / 0.2)
    assert population_stability(expected, actual) == pytest.approx(by_hand)
    development, bad = _applications(5_000, seed=6)
    card = Scorecard().fit(development, bad)
    same = {
        item["name"]: item["psi"] for item in feature_stability(card, _applications(5_000, 7)[0])
    }
    richer, _ = _applications(5_000, seed=8, shift=0.5)
    shifted = {item["name"]: item["psi"] for item in feature_stability(card, richer)}
    assert same["income"] < 0.1
    assert shifted["income"] > 0.25
    assert shifted["job"] < 0.1
