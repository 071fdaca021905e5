"""The handbook's before/after question (事前/事后) for a fading relationship (pure).

"判定问题是处在事前还是事后: 如果问题是事前的, 那说明我们对市场、对客户需求了解不够…
应加大开发客户关系的力度; 如果是事后的, 那就意味着我们与客户之间出现了危机, 一定是某些
环节出现了问题, 需要及时采取措施解决" (001).
"""

from __future__ import annotations

import numpy as np

from bankcrm.core.enums import ChurnDiagnosis
from bankcrm.core.localized import LocalizedText

STABLE_SHARE = 0.5
"""A month is still stable while its three-month activity is at least half the peak's."""

ADVICE = {
    ChurnDiagnosis.ACQUISITION: LocalizedText.of(
        zh="事前问题:关系尚未稳固就开始减弱,说明对客户需求了解不够。"
        "回顾开户时的需求与所配产品是否相符,加大开发客户关系的力度。",
        en="Before the relationship settled (acquisition problem): the decline began early, "
        "so the bank did not understand the customer's needs. Revisit what the customer "
        "came for and whether the products fit; invest in building the relationship.",
    ),
    ChurnDiagnosis.RELATIONSHIP: LocalizedText.of(
        zh="事后问题:稳定往来之后开始减弱,客户关系出现了危机,某些环节出了问题。"
        "尽快联系客户,查明变化原因(服务、价格、投诉、竞争),及时采取补救措施。",
        en="After a stable period (relationship crisis): something went wrong in the "
        "relationship. Contact the customer soon, find what changed (service, price, a "
        "complaint, a competitor) and put it right.",
    ),
}


def months_since_decline(monthly: np.ndarray) -> np.ndarray:
    """Months since each customer's last stable month, from counts of own transactions per
    month (customers × months, oldest first, the as-of month last); 0 while still stable,
    the window's length for a customer with no activity in it."""
    months = monthly.shape[1]
    kernel = np.ones(3) / 3
    rolling = np.array(
        [np.convolve(row, kernel)[:months] for row in monthly.astype(float)]
    ).reshape(monthly.shape)  # keeps two dimensions when no customer is warned
    peak = rolling.max(axis=1, initial=0.0)
    stable = (rolling >= STABLE_SHARE * peak[:, None]) & (peak[:, None] > 0)
    last_stable = months - 1 - np.argmax(stable[:, ::-1], axis=1)
    return np.where(stable.any(axis=1), months - 1 - last_stable, months)


def diagnose(
    tenure_months: np.ndarray, decline_months: np.ndarray, acquisition_months: int
) -> list[ChurnDiagnosis]:
    """Acquisition problem when the relationship was younger than ``acquisition_months``
    when its decline began, relationship crisis otherwise."""
    age_at_decline = np.asarray(tenure_months, dtype=float) - np.asarray(decline_months)
    return [
        ChurnDiagnosis.ACQUISITION if age < acquisition_months else ChurnDiagnosis.RELATIONSHIP
        for age in age_at_decline
    ]
