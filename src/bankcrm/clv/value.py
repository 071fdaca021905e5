"""Customer lifetime value: discounted expected margin over a horizon (pure)."""

from __future__ import annotations

import numpy as np

from bankcrm.clv.btyd import BetaGeoModel, FloatArray, GammaGammaModel

DAYS_PER_MONTH = 365.25 / 12


def lifetime_value(
    transactions: BetaGeoModel,
    spend: GammaGammaModel,
    *,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    monetary: FloatArray,
    horizon_months: int,
    annual_discount_rate: float,
    margin_rate: float,
    days_per_unit: float = 7.0,
) -> FloatArray:
    """Σ over the months of the horizon of the transactions expected in that month × the
    expected spend × the margin, discounted monthly to today.

    ``frequency``, ``recency`` and ``age`` are in the models' time unit of ``days_per_unit``
    days; ``monetary`` is the customer's average repeat spend (NaN without repeats).
    """
    month = DAYS_PER_MONTH / days_per_unit
    monthly_rate = (1 + annual_discount_rate) ** (1 / 12) - 1
    expected_spend = spend.expected_spend(frequency, monetary)
    value = np.zeros(len(frequency))
    previous = np.zeros(len(frequency))
    for step in range(1, horizon_months + 1):
        cumulative = transactions.conditional_expected_transactions(
            step * month, frequency, recency, age
        )
        value += (cumulative - previous) / (1 + monthly_rate) ** step
        previous = cumulative
    return value * expected_spend * margin_rate
