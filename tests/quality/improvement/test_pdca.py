"""The PDCA stage machine and the effectiveness judgement, move by move."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bankcrm.core.enums import ActionStage
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.quality.improvement.pdca import MoveRefused, judge, move, next_stages

PLAN, DO, CHECK, ACT, CLOSED = (
    ActionStage.PLAN,
    ActionStage.DO,
    ActionStage.CHECK,
    ActionStage.ACT,
    ActionStage.CLOSED,
)

# (from, to, effective the action carries) → allowed
ALLOWED = {
    (PLAN, DO, None),
    (DO, CHECK, None),
    (CHECK, ACT, True),
    (CHECK, ACT, False),
    (ACT, CLOSED, True),
    (ACT, PLAN, False),
}


def _verdicts(stage: ActionStage) -> tuple[bool | None, ...]:
    return (True, False) if stage in (CHECK, ACT, CLOSED) else (None,)


CASES = [
    (current, target, verdict)
    for current in ActionStage
    for target in ActionStage
    for verdict in _verdicts(current)
]


@pytest.mark.parametrize(("current", "target", "effective"), CASES)
def test_every_move_from_every_stage(
    current: ActionStage, target: ActionStage, effective: bool | None
) -> None:
    arguments: dict[str, Any] = {
        "metric_before": 10.0,
        "metric_after": 12.0,
        "higher_is_better": True,
        "effective": effective,
    }
    if (current, target, effective) in ALLOWED:
        step = move(current, target, **arguments)
        assert step.stage is target
    else:
        with pytest.raises(MoveRefused):
            move(current, target, **arguments)


def test_refusals_say_why() -> None:
    with pytest.raises(MoveRefused, match="closed action is final"):
        move(CLOSED, PLAN, metric_before=1, metric_after=2, higher_is_better=True, effective=True)
    with pytest.raises(MoveRefused, match="backwards to plan"):
        move(CHECK, PLAN, metric_before=1, metric_after=2, higher_is_better=True, effective=True)
    with pytest.raises(MoveRefused, match="past a stage to check"):
        move(PLAN, CHECK, metric_before=1, metric_after=2, higher_is_better=True, effective=None)
    with pytest.raises(MoveRefused, match="only an action the check found effective"):
        move(ACT, CLOSED, metric_before=1, metric_after=0, higher_is_better=True, effective=False)
    with pytest.raises(MoveRefused, match="close it"):
        move(ACT, PLAN, metric_before=1, metric_after=2, higher_is_better=True, effective=True)
    with pytest.raises(MoveRefused, match="already in do"):
        move(DO, DO, metric_before=1, metric_after=2, higher_is_better=True, effective=None)


@pytest.mark.parametrize(
    ("before", "after", "higher_is_better", "expected"),
    [
        (0.62, 0.81, True, True),  # a pass rate went up
        (0.62, 0.55, True, False),
        (0.62, 0.62, True, False),  # unchanged is not an improvement
        (19.5, 14.0, False, True),  # a wait went down
        (19.5, 21.0, False, False),
        (19.5, 19.5, False, False),
        (-1.2, -0.4, True, True),  # a negative gap P − E narrowed
        (-1.2, -1.5, True, False),
    ],
)
def test_judge_follows_the_direction(
    before: float, after: float, higher_is_better: bool, expected: bool
) -> None:
    assert judge(before, after, higher_is_better=higher_is_better) is expected


def test_check_records_the_verdict_and_the_value() -> None:
    better = move(
        DO, CHECK, metric_before=19.5, metric_after=14.0, higher_is_better=False, effective=None
    )
    assert (better.stage, better.effective, better.metric_after) == (CHECK, True, 14.0)
    tie = move(
        DO, CHECK, metric_before=0.7, metric_after=0.7, higher_is_better=True, effective=None
    )
    assert tie.effective is False


def test_check_needs_both_measurements() -> None:
    with pytest.raises(ValidationFailed) as missing_after:
        move(DO, CHECK, metric_before=1.0, metric_after=None, higher_is_better=True, effective=None)
    assert missing_after.value.field == "metric_after"
    with pytest.raises(ValidationFailed) as missing_before:
        move(DO, CHECK, metric_before=None, metric_after=1.0, higher_is_better=True, effective=None)
    assert missing_before.value.field == "metric_before"
    with pytest.raises(ValidationFailed):
        move(
            DO,
            CHECK,
            metric_before=1.0,
            metric_after=math.nan,
            higher_is_better=True,
            effective=None,
        )


def test_a_new_cycle_forgets_the_last_check_but_keeps_the_baseline() -> None:
    step = move(
        ACT, PLAN, metric_before=0.6, metric_after=0.5, higher_is_better=True, effective=False
    )
    assert (step.stage, step.effective, step.metric_after) == (PLAN, None, None)


def test_closing_keeps_the_verdict() -> None:
    step = move(
        ACT, CLOSED, metric_before=0.6, metric_after=0.8, higher_is_better=True, effective=True
    )
    assert (step.stage, step.effective, step.metric_after) == (CLOSED, True, 0.8)


@pytest.mark.parametrize(
    ("stage", "effective", "expected"),
    [
        (PLAN, None, (DO,)),
        (DO, None, (CHECK,)),
        (CHECK, True, (ACT,)),
        (ACT, True, (CLOSED,)),
        (ACT, False, (PLAN,)),
        (CLOSED, True, ()),
    ],
)
def test_next_stages(
    stage: ActionStage, effective: bool | None, expected: tuple[ActionStage, ...]
) -> None:
    assert next_stages(stage, effective=effective) == expected
