"""The pool split: the worked example of ``docs/staffing.md`` line by line, thresholds,
caps, the largest-remainder rounding, and the clawback rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.staff.incentives import allocation
from bankcrm.staff.incentives.allocation import Line, Person

RULES = allocation.load_shipped()


def _person(staff_id: int, score: float, volume: float | None) -> Person:
    return Person(staff_id=staff_id, score=score, attainment={"volume": volume})


WORKED_EXAMPLE = [
    _person(1, 1.20, 2.00),  # A: far over the volume target, capped
    _person(2, 1.00, 1.00),  # B: on target
    _person(3, 0.90, 0.60),  # C: below 70 % of the volume target, no volume pay
    _person(4, 0.90, 0.90),  # D
]


def test_the_worked_example_line_by_line() -> None:
    split = allocation.split_pool(10_000_000, WORKED_EXAMPLE, RULES)

    # The volume part, ¥60,000, by volume attainment 2.0 + 1.0 + 0.6 + 0.9 = 4.5: ¥13,333.33…
    # per unit; C's ¥8,000 stays unallocated; A's 26,666.666… and B's 13,333.333… round by
    # the largest remainder to 26,666.67 and 13,333.33. The quality part, ¥40,000, by score
    # 1.2 + 1.0 + 0.9 + 0.9 = 4.0: ¥10,000 per unit. The cap is 1.5 × ¥25,000 = ¥37,500.
    assert split.cap_cents == 3_750_000
    lines = {allocation_.staff_id: allocation_.lines for allocation_ in split.allocations}
    assert lines[1] == (
        Line("volume", 2_666_667, basis=2.0, threshold=0.7, paid=True),
        Line("quality", 1_200_000, basis=1.2, threshold=None, paid=True),
        Line("cap", -116_667),
    )
    assert lines[2] == (
        Line("volume", 1_333_333, basis=1.0, threshold=0.7, paid=True),
        Line("quality", 1_000_000, basis=1.0, threshold=None, paid=True),
    )
    assert lines[3] == (
        Line("volume", 0, basis=0.6, threshold=0.7, paid=False),
        Line("quality", 900_000, basis=0.9, threshold=None, paid=True),
    )
    assert lines[4] == (
        Line("volume", 1_200_000, basis=0.9, threshold=0.7, paid=True),
        Line("quality", 900_000, basis=0.9, threshold=None, paid=True),
    )
    gross = {allocation_.staff_id: allocation_.gross_cents for allocation_ in split.allocations}
    assert gross == {1: 3_750_000, 2: 2_333_333, 3: 900_000, 4: 2_100_000}
    # C's volume share and what the cap cut off A: 8,000 + 1,166.67.
    assert split.unallocated_cents == 916_667
    assert sum(gross.values()) + split.unallocated_cents == 10_000_000


def test_a_threshold_counts_on_its_boundary_and_a_missing_figure_does_not_pass() -> None:
    people = [_person(1, 1.0, 0.7), _person(2, 1.0, None)]
    split = allocation.split_pool(100_000, people, RULES)
    volume = {each.staff_id: each.lines[0] for each in split.allocations}
    assert volume[1].paid and volume[1].amount_cents == 60_000
    assert not volume[2].paid and volume[2].amount_cents == 0
    # Person 2 has no volume figure, so no basis: the whole volume part goes to person 1,
    # whose ¥600 + ¥200 is then cut to the cap, 1.5 × ¥500 = ¥750.
    assert split.cap_cents == 75_000
    assert [each.gross_cents for each in split.allocations] == [75_000, 20_000]
    assert split.unallocated_cents == 5_000


def test_the_fixed_cap_binds_when_lower_than_the_multiple_of_the_equal_share() -> None:
    rules = RULES.model_copy(
        update={"cap": allocation.Cap(equal_share_multiple=Decimal(3), amount=Decimal(100))}
    )
    split = allocation.split_pool(50_000, [_person(1, 1.0, 1.0), _person(2, 3.0, 3.0)], rules)
    assert split.cap_cents == 10_000
    assert [each.gross_cents for each in split.allocations] == [10_000, 10_000]
    assert split.unallocated_cents == 30_000


def test_no_one_scored_leaves_the_whole_pool_unallocated() -> None:
    split = allocation.split_pool(123_456, [], RULES)
    assert split.allocations == ()
    assert split.unallocated_cents == 123_456


def test_largest_remainder_gives_the_spare_cents_to_the_largest_fractions() -> None:
    thirds = [Fraction(100, 3)] * 3
    assert allocation.largest_remainder(100, thirds) == [34, 33, 33]
    assert allocation.largest_remainder(10, [Fraction(13, 4), Fraction(27, 4)]) == [3, 7]


@given(
    pool=st.integers(min_value=0, max_value=10**10),
    people=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=3, allow_nan=False),
            st.one_of(st.none(), st.floats(min_value=0, max_value=3, allow_nan=False)),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_the_parts_and_the_unallocated_rest_add_up_to_the_pool(
    pool: int, people: list[tuple[float, float | None]]
) -> None:
    scored = [_person(index, score, volume) for index, (score, volume) in enumerate(people)]
    split = allocation.split_pool(pool, scored, RULES)
    total = sum(each.gross_cents for each in split.allocations) + split.unallocated_cents
    assert total == pool
    assert split.unallocated_cents >= 0
    for each in split.allocations:
        assert each.gross_cents >= 0
        assert split.cap_cents is None or each.gross_cents <= split.cap_cents


@pytest.mark.parametrize(
    ("issue", "root_cause", "mismatch", "expected"),
    [
        ("not_as_advertised", "overpromised", False, "unsuitable_issue"),
        ("not_as_advertised", "unfounded", False, None),
        ("not_as_advertised", "third_party", True, None),
        ("not_as_advertised", None, False, None),
        ("fees_and_interest", "staff_error", False, None),
        ("fees_and_interest", "staff_error", True, "suitability_mismatch"),
    ],
)
def test_the_clawback_rule(
    issue: str, root_cause: str | None, mismatch: bool, expected: str | None
) -> None:
    reason = allocation.clawback_reason(
        RULES.clawback, issue=issue, root_cause=root_cause, sale_had_mismatch=mismatch
    )
    assert reason == expected


def test_rules_whose_shares_do_not_make_the_pool_are_refused() -> None:
    text = """
roles = ["account_manager"]
[[components]]
code = "volume"
share = 0.5
basis = "score"
[clawback]
window_months = 12
unsuitable_issues = []
unfounded_root_causes = []
amount = 1.00
"""
    with pytest.raises(allocation.IncentiveRulesInvalid, match=r"add up to 0\.5"):
        allocation.parse_rules(text, origin="test.toml")


def test_the_net_never_goes_below_nothing() -> None:
    assert allocation.net_cents(100_000, 30_000) == 70_000
    assert allocation.net_cents(100_000, 250_000) == 0
