"""The models on data at the edge of what they can learn: one customer, customers who all
stopped at once, spend so uneven that the population's mean would be infinite."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bankcrm.clv.btyd import (
    FINITE_MEAN_Q,
    SHAPE_UPPER_BOUND,
    BetaGeoModel,
    GammaGammaModel,
)
from tests.clv.test_btyd import fitted


def test_one_customer_is_a_poisson_buyer_who_stays() -> None:
    """Alone, a customer's rate is the population's (r at its bound, α following) and nobody
    has been seen dropping out: 5 repeats in a year promise about 5 in the next."""
    model = BetaGeoModel().fit([5], [40.0], [52.0])
    assert model.r_ == pytest.approx(SHAPE_UPPER_BOUND)
    ahead = model.conditional_expected_transactions(52.0, [5], [40.0], [52.0])
    assert ahead == pytest.approx([5.0], rel=1e-3)
    assert model.probability_alive([5], [40.0], [52.0]) == pytest.approx([1.0], abs=1e-6)


@pytest.mark.parametrize(
    ("x", "age", "t"), [(0.0, 0.0, 20.0), (0.0, 0.0, 150.0), (40.0, 100.0, 52.0)]
)
def test_a_narrow_dropout_distribution_still_has_finite_expectations(
    x: float, age: float, t: float
) -> None:
    """Fitted to customers who all stopped at once, a and b run into the hundreds and the
    closed form's 2F1 overflows; the expectation is the mean over p ~ Beta(a, b + x) of
    (1 − (1 + p t / (α + T))^−(r+x)) / p all the same."""
    model = fitted(3.25, 7.64, 509.9, 1e4)

    def per_p(p: float) -> float:
        return float(-np.expm1(-(model.r_ + x) * np.log1p(p * t / (model.alpha_ + age))) / p)

    expected = stats.beta(model.a_, model.b_ + x).expect(per_p)
    ours = model._expected_while_alive(np.array([x]), np.array([age]), np.array([t]))
    assert ours == pytest.approx([expected], rel=1e-6)


def test_the_quadrature_agrees_with_the_closed_form_where_both_hold() -> None:
    model = fitted(0.243, 4.414, 0.793, 2.426)
    x, age, t = np.array([0.0, 2.0, 30.0]), np.array([0.0, 38.86, 38.0]), np.array([39.0] * 3)
    closed = model._expected_while_alive(x, age, t)
    assert model._expected_by_quadrature(x, age, t) == pytest.approx(closed, rel=1e-5)


def test_a_finite_mean_fit_gives_every_customer_an_expected_spend() -> None:
    """Customers' mean spends drawn with p = 0.3, q = 0.5 (an infinite population mean): the
    plain fit leaves the customers with one or two transactions without a finite expected
    spend; fitted for a finite mean, q stays above 1 and everybody has one."""
    rng = np.random.default_rng(1)
    transactions = rng.integers(1, 6, 300).astype(float)
    scale = rng.gamma(0.5, 1 / 50.0, 300)
    mean_spend = rng.gamma(0.3 * transactions, 1 / scale) / transactions
    plain = GammaGammaModel().fit(transactions, mean_spend)
    assert not plain.finite_expectation(transactions).all()
    bounded = GammaGammaModel(finite_mean=True).fit(transactions, mean_spend)
    assert bounded.q_ >= FINITE_MEAN_Q
    assert bounded.finite_expectation(transactions).all()
    assert np.all(np.isfinite(bounded.expected_spend(transactions, mean_spend)))
