"""Each lifecycle rule, and their order, on hand-made customers."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm.core.config import LifecycleRules
from bankcrm.segmentation.lifecycle import lifecycle_stages, volume_trend

RULES = LifecycleRules(new_months=6, dormant_months=6, lost_months=12, trend_threshold=0.1)


def stage(
    *,
    tenure: float = 36,
    since: float = 0.5,
    opened: int = 1,
    open_accounts: int = 1,
    trend: float = 0.0,
) -> str:
    return str(
        lifecycle_stages(
            tenure_months=np.array([tenure]),
            months_since_last_transaction=np.array([since]),
            accounts_opened=np.array([opened]),
            open_accounts=np.array([open_accounts]),
            trend=np.array([trend]),
            rules=RULES,
        )[0]
    )


def test_no_account_ever_is_a_prospect() -> None:
    assert stage(opened=0, open_accounts=0, since=np.nan, tenure=np.nan) == "prospect"


def test_every_account_closed_is_lost() -> None:
    assert stage(open_accounts=0) == "lost"


def test_a_year_without_transactions_is_lost_and_half_a_year_dormant() -> None:
    assert stage(since=12.0) == "lost"
    assert stage(since=11.9) == "dormant"
    assert stage(since=6.0) == "dormant"
    assert stage(since=5.9) == "mature"


def test_silence_of_a_customer_who_never_transacted_counts_from_the_start() -> None:
    assert stage(since=np.nan, tenure=8) == "dormant"
    assert stage(since=np.nan, tenure=3) == "new"


def test_young_relationships_are_new_even_when_volume_moves() -> None:
    assert stage(tenure=5.9, trend=0.5) == "new"
    assert stage(tenure=6.0, trend=0.5) == "growing"


def test_volume_trend_decides_growing_declining_and_mature() -> None:
    assert stage(trend=0.1) == "growing"
    assert stage(trend=-0.1) == "declining"
    assert stage(trend=0.09) == "mature"
    assert stage(trend=-0.09) == "mature"


def test_volume_trend_compares_the_second_half_with_the_first() -> None:
    trend = volume_trend(np.array([100.0, 100.0, 0.0, 0.0]), np.array([80.0, 150.0, 5.0, 0.0]))
    assert trend[:2].tolist() == pytest.approx([-0.2, 0.5])
    assert trend[2] == np.inf
    assert trend[3] == 0.0


def test_lost_may_not_come_before_dormant() -> None:
    with pytest.raises(ValueError):
        LifecycleRules(dormant_months=6, lost_months=3)
