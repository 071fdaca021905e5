"""The models' numerics and checks, beyond the published figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special

from bankcrm.clv.btyd import BETA_UPPER_BOUND, BetaGeoModel, FitFailed, GammaGammaModel
from bankcrm.clv.purchases import read_purchases
from bankcrm.clv.validation import bucket_edges
from bankcrm.clv.value import DAYS_PER_MONTH, lifetime_value
from bankcrm.core.exceptions import ImportRejected


def fitted(r: float, alpha: float, a: float, b: float) -> BetaGeoModel:
    model = BetaGeoModel()
    model.r_, model.alpha_, model.a_, model.b_ = r, alpha, a, b
    return model


def papers_form(model: BetaGeoModel, t: float, x: float, age: float) -> float:
    """FHL 2005 eq. 10 without P(alive), as printed."""
    r, alpha, a, b = model.r_, model.alpha_, model.a_, model.b_
    z = t / (alpha + age + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp)


def by_integration(model: BetaGeoModel, t: float, x: float, age: float) -> float:
    """E over p ~ Beta(a, b + x) of (1 − ((α+T)/(α+T+pt))^(r+x)) / p, integrated numerically."""
    r, alpha, a, b = model.r_, model.alpha_, model.a_, model.b_
    scale = alpha + age

    def integrand(p: float) -> float:
        if p == 0:
            return (r + x) * t / scale
        return float(-np.expm1(-(r + x) * np.log1p(p * t / scale)) / p)

    value, _ = integrate.quad(integrand, 0, 1, weight="alg", wvar=(a - 1, b + x - 1))
    return value / np.exp(special.betaln(a, b + x))


@pytest.mark.parametrize(
    ("t", "x", "age"), [(39.0, 0, 0.0), (39.0, 2, 38.86), (10.0, 7, 20.0), (78.0, 30, 38.0)]
)
def test_the_expectation_agrees_with_the_papers_form_and_with_integration(
    t: float, x: float, age: float
) -> None:
    model = fitted(0.243, 4.414, 0.793, 2.426)
    ours = model._expected_while_alive(np.array([x]), np.array([age]), np.array([t]))[0]
    assert ours == pytest.approx(papers_form(model, t, x, age), rel=1e-9)
    assert ours == pytest.approx(by_integration(model, t, x, age), rel=1e-6)


def test_busy_customers_do_not_overflow() -> None:
    """The printed form's 2F1 overflows for a bank customer with hundreds of transactions."""
    model = fitted(1.5, 3.1, 0.3, 171.0)
    x = np.array([0.0, 50.0, 300.0, 700.0])
    age = np.array([1.0, 60.0, 104.0, 104.0])
    recency = age * np.array([0.0, 0.9, 0.99, 1.0])
    expected = model.conditional_expected_transactions(156.0, x, recency, age)
    assert np.all(np.isfinite(expected))
    assert np.all(np.diff(expected) > 0)
    with np.errstate(all="ignore"):
        assert not np.isfinite(papers_form(model, 156.0, 700.0, 1.0))


def test_equal_dropout_keeps_a_and_b_bounded() -> None:
    """Customers who all drop out with the same probability push a and b to infinity."""
    rng = np.random.default_rng(3)
    customers, weeks = 3_000, 104.0
    rate = rng.gamma(1.5, 1 / 3.0, customers)
    frequency, recency = np.zeros(customers), np.zeros(customers)
    for index in range(customers):
        times = np.cumsum(rng.exponential(1 / rate[index], 200))
        times = times[times < weeks]
        alive = int(np.argmax(rng.random(len(times) + 1) < 0.002)) if len(times) else 0
        kept = times[: min(alive, len(times))] if alive else times
        frequency[index] = len(kept)
        recency[index] = kept[-1] if len(kept) else 0.0
    model = BetaGeoModel().fit(frequency, recency, np.full(customers, weeks))
    assert model.a_ <= BETA_UPPER_BOUND and model.b_ <= BETA_UPPER_BOUND
    expected = model.conditional_expected_transactions(
        52.0, frequency, recency, np.full(customers, weeks)
    )
    assert np.all(np.isfinite(expected))


def test_the_fit_refuses_impossible_histories() -> None:
    with pytest.raises(ValueError, match="between 0 and T"):
        BetaGeoModel().fit([1], [5.0], [4.0])
    with pytest.raises(ValueError, match="whole number"):
        BetaGeoModel().fit([1.5], [1.0], [4.0])
    with pytest.raises(ValueError, match="recency must be 0"):
        BetaGeoModel().fit([0], [1.0], [4.0])
    with pytest.raises(ValueError, match="no customers"):
        BetaGeoModel().fit([], [], [])
    with pytest.raises(ValueError, match="positive"):
        GammaGammaModel().fit([1, 2], [10.0, -3.0])


def test_an_infinite_population_mean_spend_is_refused() -> None:
    model = GammaGammaModel()
    model.p_, model.q_, model.gamma_ = 0.9, 0.6, 500.0
    assert np.all(np.isfinite(model.expected_spend([1, 5], [100.0, 100.0])))
    with pytest.raises(FitFailed, match="infinite"):
        model.expected_spend([0], [np.nan])


def test_lifetime_value_sums_the_discounted_monthly_margin() -> None:
    model = fitted(0.243, 4.414, 0.793, 2.426)
    history = {"frequency": np.array([2.0]), "recency": np.array([30.43]), "age": np.array([38.86])}
    spend = np.array([40.0])
    undiscounted = lifetime_value(
        model,
        **history,
        expected_spend=spend,
        horizon_months=12,
        annual_discount_rate=0.0,
        margin_rate=0.5,
    )
    year = model.conditional_expected_transactions(12 * DAYS_PER_MONTH / 7, *history.values())
    assert undiscounted[0] == pytest.approx(year[0] * 40.0 * 0.5)
    discounted = lifetime_value(
        model,
        **history,
        expected_spend=spend,
        horizon_months=12,
        annual_discount_rate=0.10,
        margin_rate=0.5,
    )
    assert undiscounted[0] / 1.10 < discounted[0] < undiscounted[0]


def test_frequency_buckets_follow_the_papers_unless_customers_are_busy() -> None:
    assert list(bucket_edges(np.array([0, 0, 1, 2, 3, 9]), 8)) == list(range(8))
    busy = np.arange(1_000, dtype=float)
    edges = bucket_edges(busy, 8)
    assert edges[0] == 0 and len(edges) == 8
    assert np.all(np.diff(edges) > 0)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("cust,day,amount\nA,2024-01-02,3\nB,2024-13-01,4\n", "row 2, column 'day'"),
        ("cust,day,amount\nA,2024-01-02,3\n,2024-01-03,4\n", "row 2, column 'cust'"),
        ("cust,day,amount\nA,2024-01-02,3\nA,2024-01-03,12.3x\n", "row 2, column 'amount'"),
        ("customer,day,amount\nA,2024-01-02,3\n", "column 'cust'"),
    ],
)
def test_a_bad_transaction_file_is_refused_with_its_row_and_column(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path / "sales.csv", content)
    with pytest.raises(ImportRejected) as refused:
        read_purchases(path, customer_column="cust", date_column="day", amount_column="amount")
    assert message in str(refused.value)
    assert "sales.csv" in str(refused.value)


# A generated bank's spenders: the spread of their means sends p to its bound, where the
# objective's rounding (log-gammas of shapes near 10⁴) stalls the line search.
STALLING_COUNTS = [50, 10, 35, 61, 31, 13, 8, 28, 60, 20, 69, 31, 3, 74, 54, 13, 36, 46, 239, 28,
    53, 14, 14, 15, 27, 67, 20, 13, 114, 30, 13, 4, 56, 22, 70, 143, 14, 17, 54, 13, 33, 120, 58,
    8, 174, 69, 43, 64, 16, 42, 17, 29, 23, 443, 29, 24, 23, 15, 61, 23, 6, 29, 38, 95, 14, 13, 4,
    13, 85, 11]  # fmt: skip
STALLING_MEANS = [1755.08, 258.29, 349.59, 336.15, 766.94, 1343.24, 3930.93, 2014.24, 253818.79,
    5578.3, 251.98, 293.91, 10564.59, 2707.18, 130.02, 394.26, 277.98, 2694.59, 2066057.9, 9076.63,
    1601.21, 463.86, 300.0, 159.58, 856.71, 1136.7, 369.48, 392.33, 2622.48, 14778.13, 1578.2,
    11688.74, 5712.84, 424.76, 51983.63, 65558.17, 4060.53, 2767.28, 143034.06, 1108.24, 626.74,
    42467.06, 14950.35, 374.72, 1916.12, 977.33, 1199.11, 1545.25, 15524.28, 1021.41, 29862.63,
    361.75, 610.01, 292294.11, 7834.9, 185.8, 33949.45, 1025.92, 709.33, 4097.86, 1901.41,
    223246.28, 32810.85, 10404.08, 45906.97, 1503.09, 598.77, 3882.57, 8827.43, 190.17]  # fmt: skip


def test_a_fit_stalled_on_rounding_near_a_bound_is_an_optimum() -> None:
    """The same means summed in another order (as a parallel engine does) differ in the last
    bits; every such fit ends at the same optimum instead of failing on some of them."""
    rng = np.random.default_rng(0)
    means = np.array(STALLING_MEANS)
    fits = [
        GammaGammaModel().fit(STALLING_COUNTS, means * (1 + rng.normal(0, 1e-13, len(means))))
        for _ in range(40)
    ]
    for fit in fits:
        assert fit.p_ == pytest.approx(1e4, rel=1e-3)
        assert fit.q_ == pytest.approx(fits[0].q_, rel=1e-4)
        assert fit.log_likelihood_ == pytest.approx(fits[0].log_likelihood_, rel=1e-9)
