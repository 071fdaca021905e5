"""Lifecycle stages (生命周期阶段) by documented rules, first matching rule wins.

1. prospect — no account was ever opened;
2. lost — every account is closed, or no customer-initiated transaction for ``lost_months``;
3. dormant — no customer-initiated transaction for ``dormant_months``;
4. new — the relationship is younger than ``new_months``;
5. declining — business volume in the second half of the period fell by ``trend_threshold``
   or more against the first half;
6. growing — it rose by ``trend_threshold`` or more;
7. mature — everyone else.

A customer who never transacted counts the silence from the start of the relationship.
"""

from __future__ import annotations

import numpy as np

from bankcrm.core.config import LifecycleRules
from bankcrm.core.enums import LifecycleStage


def volume_trend(first_half: np.ndarray, second_half: np.ndarray) -> np.ndarray:
    """Relative change of volume, second half against the first (+inf from nothing)."""
    first = np.asarray(first_half, dtype=float)
    second = np.asarray(second_half, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (second - first) / first
    return np.where(first > 0, change, np.where(second > 0, np.inf, 0.0))


def lifecycle_stages(
    *,
    tenure_months: np.ndarray,
    months_since_last_transaction: np.ndarray,
    accounts_opened: np.ndarray,
    open_accounts: np.ndarray,
    trend: np.ndarray,
    rules: LifecycleRules,
) -> np.ndarray:
    tenure = np.asarray(tenure_months, dtype=float)
    since = np.asarray(months_since_last_transaction, dtype=float)
    silence = np.where(np.isnan(since), np.nan_to_num(tenure, nan=0.0), since)
    opened = np.asarray(accounts_opened) > 0
    trend = np.asarray(trend, dtype=float)
    conditions = [
        ~opened,
        (np.asarray(open_accounts) == 0) | (silence >= rules.lost_months),
        silence >= rules.dormant_months,
        tenure < rules.new_months,
        trend <= -rules.trend_threshold,
        trend >= rules.trend_threshold,
    ]
    choices = [
        LifecycleStage.PROSPECT.value,
        LifecycleStage.LOST.value,
        LifecycleStage.DORMANT.value,
        LifecycleStage.NEW.value,
        LifecycleStage.DECLINING.value,
        LifecycleStage.GROWING.value,
    ]
    return np.select(conditions, choices, default=LifecycleStage.MATURE.value).astype(object)
