"""The control draw and the exclusions, pure: stratified by branch, reproducible from the
seed, the expected share exact on average; the first reason that applies is the one kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bankcrm.campaigns.targeting import Exclusion, SegmentCriteria, draw_control, exclusions
from bankcrm.core.enums import Quadrant


def test_the_draw_is_stratified_and_reproducible() -> None:
    strata = np.repeat(np.arange(5, dtype=np.int64), [100, 40, 7, 1, 52])
    control = draw_control(strata, share=0.25, seed=3)
    again = draw_control(strata, share=0.25, seed=3)
    assert np.array_equal(control, again)
    assert not np.array_equal(control, draw_control(strata, share=0.25, seed=4))
    for stratum, size in enumerate([100, 40, 7, 1, 52]):
        taken = int(control[strata == stratum].sum())
        assert taken in (int(np.floor(size * 0.25)), int(np.ceil(size * 0.25)))


def test_the_share_is_exact_on_average() -> None:
    strata = np.repeat(np.arange(50, dtype=np.int64), 3)
    sizes = [draw_control(strata, share=0.1, seed=seed).sum() for seed in range(2_000)]
    # 150 customers in strata of 3: rounding each stratum would give 0 every time
    assert np.mean(sizes) == pytest.approx(15, abs=0.3)


def test_a_share_of_zero_draws_no_one_and_a_bad_share_is_refused() -> None:
    strata = np.zeros(10, dtype=np.int64)
    assert not draw_control(strata, share=0, seed=1).any()
    with pytest.raises(ValueError):
        draw_control(strata, share=1, seed=1)


@given(
    held=st.lists(st.booleans(), min_size=30, max_size=30),
    consent=st.lists(st.sampled_from(["yes", "no", "none"]), min_size=30, max_size=30),
    contacts=st.lists(st.integers(0, 4), min_size=30, max_size=30),
)
def test_property_no_one_without_consent_or_over_the_cap_is_contactable(
    held: list[bool], consent: list[str], contacts: list[int]
) -> None:
    size = len(held)
    reasons = exclusions(
        held_out=np.array(held),
        control_elsewhere=np.zeros(size, dtype=bool),
        opted_out=np.array([c == "no" for c in consent]),
        consented=np.array([c == "yes" for c in consent]),
        addressable=np.ones(size, dtype=bool),
        recent_contacts=np.array(contacts),
        frequency_cap=2,
        suitable=np.ones(size, dtype=bool),
    )
    for index, reason in enumerate(reasons):
        if reason is None:
            assert consent[index] == "yes" and contacts[index] < 2 and not held[index]
        if held[index]:
            assert reason is Exclusion.HOLDOUT
        elif consent[index] == "no":
            assert reason is Exclusion.OPTED_OUT


def test_criteria_are_checked_and_explain_membership() -> None:
    criteria = SegmentCriteria(quadrants=(Quadrant.LOYAL,), churn_risk_min=0.3)
    assert criteria.needs_segments and criteria.needs_churn
    assert criteria.reasons() == ["quadrant=loyal", "churn_risk>=0.3"]
    assert SegmentCriteria().reasons() == ["all_customers"]
    with pytest.raises(ValidationError):
        SegmentCriteria(churn_risk_min=0.8, churn_risk_max=0.2)
    with pytest.raises(ValidationError):
        SegmentCriteria.model_validate({"quadrant": ["loyal"]})
