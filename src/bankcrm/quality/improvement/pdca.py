"""The PDCA cycle of an improvement action: which stage moves are allowed, and whether it worked.

Plan → do → check → act, one stage at a time. The check measures the action's metric again
and judges it effective when it moved the right way (an unchanged metric did not improve).
From act an effective action is closed (its new way of working becomes the standard); an
ineffective one goes back to plan for another cycle. Closed is final; any other backward
move is refused, because the board's history would otherwise lose what was done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bankcrm.core.enums import ActionStage
from bankcrm.core.exceptions import Conflict, ValidationFailed

CYCLE = (ActionStage.PLAN, ActionStage.DO, ActionStage.CHECK, ActionStage.ACT)
"""The working stages in order; ``closed`` follows ``act``."""


class MoveRefused(Conflict):
    """The stage move is not possible from where the action stands."""


def judge(before: float, after: float, *, higher_is_better: bool) -> bool:
    """Whether the metric moved the right way from ``before`` to ``after`` (a tie did not)."""
    return after > before if higher_is_better else after < before


@dataclass(frozen=True)
class Step:
    """Where a move leads: the new stage and the check's verdict after it."""

    stage: ActionStage
    effective: bool | None
    metric_after: float | None


def next_stages(stage: ActionStage, *, effective: bool | None) -> tuple[ActionStage, ...]:
    """The stages an action may move to now (empty once closed)."""
    if stage is ActionStage.CLOSED:
        return ()
    if stage is ActionStage.ACT:
        return (ActionStage.CLOSED,) if effective else (ActionStage.PLAN,)
    return (CYCLE[CYCLE.index(stage) + 1],)


def move(
    stage: ActionStage,
    target: ActionStage,
    *,
    metric_before: float | None,
    metric_after: float | None,
    higher_is_better: bool,
    effective: bool | None,
) -> Step:
    """Check a move from ``stage`` to ``target`` and return the action's state after it.

    ``metric_after`` is the measurement taken for the check (only used when moving to
    ``check``); ``effective`` is the verdict the action already carries.
    """
    if stage is ActionStage.CLOSED:
        raise MoveRefused("the action is closed; a closed action is final")
    if target is stage:
        raise MoveRefused(f"the action is already in {stage.value}")
    if stage is ActionStage.ACT:
        if target is ActionStage.CLOSED and not effective:
            raise MoveRefused(
                "only an action the check found effective can be closed; "
                "start a new cycle (back to plan) instead"
            )
        if target is ActionStage.PLAN and effective:
            raise MoveRefused(
                "the check found the action effective; close it to make the change the standard"
            )
        if target not in (ActionStage.CLOSED, ActionStage.PLAN):
            raise MoveRefused(f"from act the action goes to closed or back to plan, not {target}")
        if target is ActionStage.PLAN:
            # a new cycle is measured afresh against the same baseline
            return Step(stage=ActionStage.PLAN, effective=None, metric_after=None)
        return Step(stage=ActionStage.CLOSED, effective=effective, metric_after=metric_after)
    expected = CYCLE[CYCLE.index(stage) + 1]
    if target is not expected:
        direction = (
            "backwards"
            if target in CYCLE and CYCLE.index(target) < CYCLE.index(stage)
            else "past a stage"
        )
        raise MoveRefused(
            f"an action in {stage.value} moves on to {expected.value} only; "
            f"moving {direction} to {target.value} is not allowed"
        )
    if target is not ActionStage.CHECK:
        return Step(stage=target, effective=effective, metric_after=metric_after)
    if metric_before is None:
        raise ValidationFailed(
            "the check compares the metric before and after: record the value before first",
            field="metric_before",
        )
    if metric_after is None:
        raise ValidationFailed(
            "the check needs the metric measured after the action", field="metric_after"
        )
    if not math.isfinite(metric_after):
        raise ValidationFailed("the metric after must be a finite number", field="metric_after")
    verdict = judge(metric_before, metric_after, higher_is_better=higher_is_better)
    return Step(stage=ActionStage.CHECK, effective=verdict, metric_after=metric_after)
