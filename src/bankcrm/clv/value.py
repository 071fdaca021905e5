"""Customer lifetime value: discounted expected margin over a horizon (pure)."""

from __future__ import annotations

import numpy as np

from bankcrm.clv.btyd import BetaGeoModel, FloatArray

DAYS_PER_MONTH = 365.25 / 12


def lifetime_value(
    transactions: BetaGeoModel,
    *,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    expected_spend: FloatArray,
    horizon_months: int,
    annual_discount_rate: float,
    margin_rate: float,
    days_per_unit: float = 7.0,
) -> FloatArray:
    """Σ over the months of the horizon of the transactions expected in that month × the
    expected spend × the margin, discounted monthly to today.

    ``frequency``, ``recency`` and ``age`` are in the model's time unit of ``days_per_unit``
    days; ``expected_spend`` is each customer's expected transaction value (Gamma-Gamma).
    """
    month = DAYS_PER_MONTH / days_per_unit
    monthly_rate = (1 + annual_discount_rate) ** (1 / 12) - 1
    # Customers with the same history expect the same: compute each history once.
    histories, customer_history = np.unique(
        np.column_stack([frequency, recency, age]), axis=0, return_inverse=True
    )
    discounted = np.zeros(len(histories))
    previous = np.zeros(len(histories))
    for step in range(1, horizon_months + 1):
        cumulative = transactions.conditional_expected_transactions(step * month, *histories.T)
        discounted += (cumulative - previous) / (1 + monthly_rate) ** step
        previous = cumulative
    return discounted[customer_history.ravel()] * expected_spend * margin_rate
