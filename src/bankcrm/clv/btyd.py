"""Buy-till-you-die models: BG/NBD for repeat transactions and P(alive), Gamma-Gamma for spend.

The likelihoods are those of Fader, Hardie & Lee (2005), "Counting your customers the easy
way: an alternative to the Pareto/NBD model" (BG/NBD) and Fader, Hardie & Lee (2005), "RFM
and CLV: using iso-value curves for customer base analysis" with Fader & Hardie (2013), "The
Gamma-Gamma model of monetary value" (Gamma-Gamma). Both are maximised with their analytic
gradients over the logarithms of the parameters (so they stay positive), on the distinct
rows of the data weighted by how often each occurs: a bank's million customers share far
fewer distinct (frequency, recency, age) triples, and the fit costs what those cost.

Time is in whatever unit the caller chooses (weeks for the published figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
from scipy import optimize, special

FloatArray = np.ndarray
Objective = Callable[[FloatArray], tuple[float, FloatArray]]


LOWER_BOUND = 1e-8
UPPER_BOUND = 1e8
STATIONARY_GRADIENT = 1e-5
"""Gradient of the mean log-likelihood per customer below which the fit has converged."""
BETA_UPPER_BOUND = 1e4
"""BG/NBD's a and b stay below this. When every customer drops out with about the same
probability the likelihood rises for ever as a and b grow together (the beta distribution
narrows to a point); beyond 10⁴ the gain is nil and the expectations lose precision."""
SHAPE_UPPER_BOUND = 1e4
"""The gamma shapes stay below this: BG/NBD's r, Gamma-Gamma's p and q. When customers all
transact at about the same rate (r), each spends about the same every time (p) or all spend
about the same on average (q), the likelihood rises for ever as the shape grows and its
scale follows (the gamma distribution narrows to a point; one customer is the extreme);
beyond 10⁴ the gain is nil and BG/NBD's expectations overflow."""
FINITE_MEAN_Q = 1.01
"""Gamma-Gamma's q when fitted for a finite population mean spend stays above this."""


def _unit_gauss_legendre(points: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on (0, 1)."""
    nodes, weights = np.polynomial.legendre.leggauss(points)
    return (nodes + 1) / 2, weights / 2


QUADRATURE_NODES, QUADRATURE_WEIGHTS = _unit_gauss_legendre(64)
"""The quantiles at which an expectation over a beta distribution is taken where its closed
form overflows, and their weights."""


class FitFailed(RuntimeError):
    """The optimiser did not converge; the message says why."""


@dataclass(frozen=True)
class _Distinct:
    """The distinct rows of the columns and how often each occurs."""

    columns: tuple[FloatArray, ...]
    counts: FloatArray

    @classmethod
    def of(cls, *columns: FloatArray) -> _Distinct:
        # lexsort and compare neighbours: several times faster than np.unique(axis=0)
        order = np.lexsort(columns[::-1])
        ordered = [column[order] for column in columns]
        starts = np.flatnonzero(
            np.concatenate([[True], np.any([np.diff(column) != 0 for column in ordered], axis=0)])
        )
        counts = np.diff(np.append(starts, len(order))).astype(float)
        return cls(tuple(column[starts] for column in ordered), counts)

    def total(self, values: FloatArray) -> float:
        """Σ count × value over the rows (without BLAS, whose threads cost more than they
        save on a vector)."""
        return float(np.einsum("j,j->", self.counts, values))

    def totals(self, values: FloatArray) -> FloatArray:
        """Σ count × value of each row of ``values``."""
        return np.einsum("ij,j->i", values, self.counts)


def _as_float(name: str, values: object) -> FloatArray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has missing or infinite values")
    return array


def _check_repeat_data(frequency: object, recency: object, age: object) -> tuple[FloatArray, ...]:
    x, t_x, t = (
        _as_float("frequency", frequency),
        _as_float("recency", recency),
        _as_float("T", age),
    )
    if not (len(x) == len(t_x) == len(t)):
        raise ValueError("frequency, recency and T must have the same length")
    if len(x) == 0:
        raise ValueError("no customers to fit")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a whole number of repeat transactions, at least 0")
    if np.any(t_x < 0) or np.any(t_x > t):
        raise ValueError("recency must lie between 0 and T")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for a customer without repeat transactions")
    return x, t_x, t


def _maximise(
    objective: Objective,
    start: FloatArray,
    names: tuple[str, ...],
    lower: FloatArray,
    upper: FloatArray,
) -> FloatArray:
    """Minimise ``objective`` (value and gradient over log-parameters) with the parameters
    between ``lower`` and ``upper``; the parameters."""
    bounds = list(zip(np.log(lower), np.log(upper), strict=True))
    result = None
    point = np.log(start)
    # A line search that stalls near the optimum ends L-BFGS-B "abnormally"; once more from
    # where it stopped usually finishes, and a vanishing projected gradient is an optimum.
    for _ in range(2):
        result = optimize.minimize(
            objective,
            point,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2_000, "ftol": 1e-12, "gtol": 1e-10},
        )
        point = result.x
        if result.success:
            break
    assert result is not None
    if not np.all(np.isfinite(result.x)) or not (result.success or _stationary(result, bounds)):
        raise FitFailed(f"the fit of {', '.join(names)} did not converge: {result.message}")
    # exp(log(bound)) can land a rounding error above the bound
    return np.clip(np.exp(result.x), lower, upper)


def _stationary(result: optimize.OptimizeResult, bounds: list[tuple[float, float]]) -> bool:
    """No descent direction is left inside the bounds, relative to the objective's size: the
    objective's own rounding grows with it (log-gammas of shapes in the thousands), and a
    line search stalls on that noise before an absolute gradient limit is reached."""
    lower, upper = np.array(bounds).T
    gradient = np.array(result.jac, dtype=float)
    gradient[(result.x <= lower) & (gradient > 0)] = 0.0
    gradient[(result.x >= upper) & (gradient < 0)] = 0.0
    return bool(np.max(np.abs(gradient)) < STATIONARY_GRADIENT * max(1.0, abs(float(result.fun))))


class BetaGeoModel:
    """BG/NBD: repeat transactions and the probability that a customer is still active.

    Parameters
    ----------
    (none) — the model has no settings; the time unit is the caller's.

    Attributes
    ----------
    r_, alpha_ : float
        Shape and scale of the gamma distribution of transaction rates.
    a_, b_ : float
        The beta distribution of the probability of dropping out after a transaction.
    log_likelihood_ : float
        Total log-likelihood of the fitted data.
    customers_ : int
        Customers the model was fitted on.
    """

    parameter_names = ("r", "alpha", "a", "b")

    r_: float
    alpha_: float
    a_: float
    b_: float
    log_likelihood_: float
    customers_: int

    def fit(self, frequency: object, recency: object, age: object) -> Self:
        """Maximum likelihood from each customer's repeat transactions ``frequency``, time of the
        last one ``recency`` and time since the first ``age`` (the paper's x, t_x, T)."""
        data = _Distinct.of(*_check_repeat_data(frequency, recency, age))
        total = data.counts.sum()
        levels = np.unique(data.columns[0], return_inverse=True)

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            values, gradients = _bgnbd_log_likelihood(params, *data.columns, levels=levels)
            # Scaled by the customer count so the tolerances mean the same for any bank size.
            return -data.total(values) / total, -data.totals(gradients) * params / total

        self.r_, self.alpha_, self.a_, self.b_ = (
            float(v)
            for v in _maximise(
                objective,
                np.ones(4),
                self.parameter_names,
                np.full(4, LOWER_BOUND),
                np.array([SHAPE_UPPER_BOUND, UPPER_BOUND, BETA_UPPER_BOUND, BETA_UPPER_BOUND]),
            )
        )
        values, _ = _bgnbd_log_likelihood(self._params(), *data.columns, levels=levels)
        self.log_likelihood_ = data.total(values)
        self.customers_ = int(total)
        return self

    @property
    def params_(self) -> dict[str, float]:
        return dict(zip(self.parameter_names, self._params().tolist(), strict=True))

    def _params(self) -> FloatArray:
        return np.array([self.r_, self.alpha_, self.a_, self.b_])

    def log_likelihood(self, frequency: object, recency: object, age: object) -> FloatArray:
        """Each customer's log-likelihood under the fitted parameters."""
        values, _ = _bgnbd_log_likelihood(
            self._params(), *_check_repeat_data(frequency, recency, age)
        )
        return values

    def expected_transactions(self, t: object) -> FloatArray:
        """E[X(t)]: repeat transactions a new customer is expected to make in ``t``."""
        t = np.asarray(t, dtype=float)
        return self._expected_while_alive(np.zeros_like(t), np.zeros_like(t), t)

    def _expected_while_alive(self, x: FloatArray, age: FloatArray, t: FloatArray) -> FloatArray:
        """E[Y(t) | alive at ``age`` after ``x`` repeats] (FHL 2005, eq. 10 without P(alive)).

        The paper's 2F1(r+x, b+x; a+b+x−1; z) overflows for busy customers; Euler's
        transformation turns (1−z)^(r+x) 2F1(…) into (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z),
        whose terms stay small. Only when the beta distribution is narrow (a and b in the
        hundreds, as when every customer has stopped) does that 2F1 overflow too; there the
        expectation is taken by quadrature (``_expected_by_quadrature``).
        """
        x, age, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, age, t)))
        r, alpha, a, b = self._params()
        z = t / (alpha + age + t)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            hyp = special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
            expected = np.asarray((a + b + x - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp))
        overflowed = ~np.isfinite(expected)
        if overflowed.any():
            expected = expected.copy()
            expected[overflowed] = self._expected_by_quadrature(
                x[overflowed], age[overflowed], t[overflowed]
            )
        return expected

    def _expected_by_quadrature(self, x: FloatArray, age: FloatArray, t: FloatArray) -> FloatArray:
        """E[Y(t) | alive at ``age`` after ``x`` repeats] as its integral: the mean over the
        dropout probability p ~ Beta(a, b + x) of (1 − (1 + p t / (α + age))^−(r+x)) / p,
        which is smooth and bounded in p, taken at the distribution's quantiles."""
        r, alpha, a, b = self._params()
        levels, level = np.unique(x, return_inverse=True)
        p = special.betaincinv(a, b + levels[:, None], QUADRATURE_NODES)[level.ravel()]
        rate = (t / (alpha + age))[:, None]
        shape = (r + x)[:, None]
        # (1 − (1 + p·rate)^−shape) / p, and its limit shape·rate where p is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            per_p = np.where(p > 0, -np.expm1(-shape * np.log1p(p * rate)) / p, shape * rate)
        return np.asarray(per_p @ QUADRATURE_WEIGHTS)

    def probability_alive(self, frequency: object, recency: object, age: object) -> FloatArray:
        """P(alive | x, t_x, T); a customer without repeat transactions is alive for sure."""
        x, t_x, t = _check_repeat_data(frequency, recency, age)
        return 1.0 / (1.0 + self._odds_dropped(x, t_x, t))

    def _odds_dropped(self, x: FloatArray, t_x: FloatArray, t: FloatArray) -> FloatArray:
        r, alpha, a, b = self._params()
        with np.errstate(divide="ignore"):
            log_odds = (
                np.log(a)
                - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
            )
        return np.where(x > 0, np.exp(np.minimum(log_odds, 700.0)), 0.0)

    def conditional_expected_transactions(
        self, t: float, frequency: object, recency: object, age: object
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: transactions expected in the next ``t`` from each customer."""
        x, t_x, age_ = _check_repeat_data(frequency, recency, age)
        expected = self._expected_while_alive(x, age_, np.full_like(x, float(t)))
        return expected / (1.0 + self._odds_dropped(x, t_x, age_))


def _bgnbd_log_likelihood(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    t: FloatArray,
    *,
    levels: tuple[FloatArray, np.ndarray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Per-row log-likelihood (FHL 2005, eq. 6) and its gradient (4 × rows) in r, α, a, b.

    The gamma and digamma terms depend on x alone and are computed once per distinct x
    (``levels``: ``np.unique(x, return_inverse=True)``), which a bank has a few hundred of.
    """
    r, alpha, a, b = params
    values_x, index = levels if levels is not None else np.unique(x, return_inverse=True)
    per_x = np.vstack(
        [
            special.gammaln(r + values_x)
            + special.gammaln(b + values_x)
            - special.gammaln(a + b + values_x),
            special.digamma(r + values_x),
            special.digamma(b + values_x),
            special.digamma(a + b + values_x),
            np.log(np.where(values_x > 0, b + values_x - 1, 1.0)),
        ]
    )[:, index.ravel()]
    gammas, digamma_r_x, digamma_b_x, digamma_a_b_x, log_b_x_1 = per_x
    repeat = x > 0
    constant = -special.gammaln(r) + r * np.log(alpha) + special.gammaln(a + b) - special.gammaln(b)
    log_alpha_t = np.log(alpha + t)
    log_alpha_tx = np.log(alpha + t_x)
    part_3 = -(r + x) * log_alpha_t
    part_4 = np.where(repeat, np.log(a) - log_b_x_1 - (r + x) * log_alpha_tx, -np.inf)
    tail = np.logaddexp(part_3, part_4)
    weight_4 = np.exp(part_4 - tail)
    weight_3 = 1.0 - weight_4

    d_r = (
        digamma_r_x
        - special.digamma(r)
        + np.log(alpha)
        - weight_3 * log_alpha_t
        - weight_4 * log_alpha_tx
    )
    d_alpha = r / alpha - (r + x) * (weight_3 / (alpha + t) + weight_4 / (alpha + t_x))
    d_a = special.digamma(a + b) - digamma_a_b_x + weight_4 / a
    d_b = (
        special.digamma(a + b)
        + digamma_b_x
        - special.digamma(b)
        - digamma_a_b_x
        - weight_4 * np.exp(-log_b_x_1)
    )
    return constant + gammas + tail, np.vstack([d_r, d_alpha, d_a, d_b])


def _check_spend_data(frequency: object, monetary: object) -> tuple[FloatArray, FloatArray]:
    x, m = _as_float("frequency", frequency), _as_float("monetary value", monetary)
    if len(x) != len(m):
        raise ValueError("frequency and monetary value must have the same length")
    if len(x) == 0:
        raise ValueError("no customers with repeat transactions to fit")
    if np.any(x < 1):
        raise ValueError("the spend model needs customers with at least one repeat transaction")
    if np.any(m <= 0):
        raise ValueError("the average repeat spend must be positive")
    return x, m


class GammaGammaModel:
    """Gamma-Gamma: a customer's average transaction value, shrunk towards the population's.

    Parameters
    ----------
    finite_mean : bool
        Fit q above 1 (``FINITE_MEAN_Q``), so that the population's mean spend, and with it
        every customer's expected spend, is finite.

    Attributes
    ----------
    p_ : float
        Shape of the gamma distribution of a single transaction's value.
    q_, gamma_ : float
        Shape and scale of the gamma distribution of customers' scale parameters.
    log_likelihood_ : float
    customers_ : int
        Customers with at least one repeat transaction the model was fitted on.
    """

    parameter_names = ("p", "q", "gamma")

    p_: float
    q_: float
    gamma_: float
    log_likelihood_: float
    customers_: int

    def __init__(self, *, finite_mean: bool = False) -> None:
        self.finite_mean = finite_mean

    def fit(self, frequency: object, monetary: object) -> Self:
        """Maximum likelihood from repeat customers' transaction counts and average values."""
        data = _Distinct.of(*_check_spend_data(frequency, monetary))
        total = data.counts.sum()
        # Start from the method-of-moments scale so the optimiser begins near the data.
        start = np.array([1.0, 2.0, float(np.average(data.columns[1], weights=data.counts))])

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            values, gradients = _gamma_gamma_log_likelihood(params, *data.columns)
            return -data.total(values) / total, -data.totals(gradients) * params / total

        self.p_, self.q_, self.gamma_ = (
            float(v)
            for v in _maximise(
                objective,
                start,
                self.parameter_names,
                np.array(
                    [LOWER_BOUND, FINITE_MEAN_Q if self.finite_mean else LOWER_BOUND, LOWER_BOUND]
                ),
                np.array([SHAPE_UPPER_BOUND, SHAPE_UPPER_BOUND, UPPER_BOUND]),
            )
        )
        values, _ = _gamma_gamma_log_likelihood(self._params(), *data.columns)
        self.log_likelihood_ = data.total(values)
        self.customers_ = int(total)
        return self

    @property
    def params_(self) -> dict[str, float]:
        return dict(zip(self.parameter_names, self._params().tolist(), strict=True))

    def _params(self) -> FloatArray:
        return np.array([self.p_, self.q_, self.gamma_])

    def expected_spend(self, frequency: object, monetary: object) -> FloatArray:
        """E[M | x, m_x]; customers without repeat transactions get the population mean.

        With q ≤ 1 the population mean is infinite (the spread of customers' spend is too
        wide for the gamma mixing distribution): only customers with enough transactions
        to make ``p x + q > 1`` have a finite expectation, the others raise ``FitFailed``.
        """
        x = _as_float("frequency", frequency)
        # a customer without repeats has no average spend of their own (null in the summary)
        m = np.nan_to_num(np.asarray(monetary, dtype=float), nan=0.0)
        p, q, gamma = self._params()
        finite = self.finite_expectation(x)
        if not finite.all():
            raise FitFailed(
                f"with q = {q:.3f} the expected spend of a customer with "
                f"{int(x[~finite].min())} transactions is infinite"
            )
        return (p * (gamma + x * m)) / (p * x + q - 1)

    def finite_expectation(self, frequency: object) -> np.ndarray:
        """Whether the expected spend of a customer with ``frequency`` transactions is
        finite: p x + q > 1."""
        return self.p_ * _as_float("frequency", frequency) + self.q_ > 1


def _gamma_gamma_log_likelihood(
    params: FloatArray, x: FloatArray, m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per-row log-likelihood of the average spend ``m`` of ``x`` transactions and gradient."""
    p, q, gamma = params
    px = p * x
    log_scaled = np.log(gamma + m * x)
    values = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_scaled
    )
    d_p = x * (special.digamma(px + q) - special.digamma(px) + np.log(m) + np.log(x) - log_scaled)
    d_q = special.digamma(px + q) - special.digamma(q) + np.log(gamma) - log_scaled
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return values, np.vstack([d_p, d_q, d_gamma])
