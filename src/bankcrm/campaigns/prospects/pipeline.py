"""The pipeline's rules as small pure state machines: the stages a prospect moves through
(identify → needs and decision analysis → presentation → negotiation → deal, or lost) and
the fee-based business flow (negotiation → quotation → delivery → follow-up), and the
conversion funnel counted from the stages prospects reached.

A card moves one stage forward, or one back when the manager finds an earlier step was not
really done; it is lost from any open stage with the reason. A deal and a lost prospect are
finished.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bankcrm.core.enums import FeeStage, ProspectStage
from bankcrm.core.exceptions import Conflict, ValidationFailed

S = ProspectStage
F = FeeStage

PATH: tuple[ProspectStage, ...] = (S.IDENTIFY, S.NEEDS, S.PRESENTATION, S.NEGOTIATION, S.DEAL)
"""The stages of a sale in order; the funnel's steps."""
OPEN = frozenset(PATH[:-1])
FINISHED = frozenset({S.DEAL, S.LOST})


def _neighbours(stage: ProspectStage) -> set[ProspectStage]:
    index = PATH.index(stage)
    following = {PATH[index + 1]}
    earlier = {PATH[index - 1]} if index > 0 else set()
    return following | earlier | {S.LOST}


TRANSITIONS: dict[ProspectStage, frozenset[ProspectStage]] = {
    **{stage: frozenset(_neighbours(stage)) for stage in OPEN},
    S.DEAL: frozenset(),
    S.LOST: frozenset(),
}
"""For each stage, the stages a prospect may move to from it."""


def allowed_moves(stage: ProspectStage) -> list[ProspectStage]:
    """The stages a card in ``stage`` may move to, in pipeline order (lost last)."""
    return [target for target in (*PATH, S.LOST) if target in TRANSITIONS[stage]]


def move(
    stage: ProspectStage,
    target: ProspectStage,
    *,
    analysed: bool,
    reason: str | None = None,
) -> ProspectStage:
    """Check a move of a prospect in ``stage`` to ``target`` and return ``target``.

    ``analysed`` says whether the needs and decision analysis is written down (who decides
    and what they need): a presentation without it is aimed at nobody.

    Raises
    ------
    Conflict
        The move is not allowed from this stage.
    ValidationFailed
        The move is allowed but lacks the loss's reason or the analysis.
    """
    if target not in TRANSITIONS[stage]:
        possible = ", ".join(candidate.value for candidate in allowed_moves(stage))
        raise Conflict(
            f"cannot move a prospect from {stage.value} to {target.value}"
            + (f"; possible now: {possible}" if possible else "; it is finished")
        )
    if target is S.LOST and not (reason or "").strip():
        raise ValidationFailed("say why the prospect was lost", field="reason")
    if stage is S.NEEDS and target is S.PRESENTATION and not analysed:
        raise ValidationFailed(
            "write down who decides and what they need before the presentation",
            field="needs",
        )
    return target


def furthest(reached: ProspectStage, target: ProspectStage) -> ProspectStage:
    """The furthest stage of the sale after a move to ``target``."""
    if target is S.LOST:
        return reached
    return max(reached, target, key=PATH.index)


# --- the fee-based business flow --------------------------------------------------------

FEE_PATH: tuple[FeeStage, ...] = (
    F.NEGOTIATION,
    F.QUOTATION,
    F.DELIVERY,
    F.FOLLOW_UP,
    F.COMPLETED,
)


def fee_advance(stage: FeeStage, *, fee_quoted_cents: int | None) -> FeeStage:
    """The step after ``stage``; the service is delivered only on a quoted fee.

    Raises
    ------
    Conflict
        The flow is completed.
    ValidationFailed
        Leaving the quotation without a fee quoted.
    """
    if stage is F.COMPLETED:
        raise Conflict("the fee-based business flow is completed")
    if stage is F.QUOTATION and not fee_quoted_cents:
        raise ValidationFailed("quote the fee before the delivery", field="fee_quoted")
    return FEE_PATH[FEE_PATH.index(stage) + 1]


# --- the conversion funnel ---------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: ProspectStage
    reached: int
    """Prospects that got at least this far."""
    rate: float | None
    """Share of those that reached the previous stage; none for the first or after zero."""


def funnel(reached: Iterable[ProspectStage]) -> list[FunnelStep]:
    """Prospects per stage reached and the conversion from each stage to the next, from the
    furthest stage each prospect reached."""
    counts = dict.fromkeys(PATH, 0)
    for stage in reached:
        for step in PATH[: PATH.index(stage) + 1]:
            counts[step] += 1
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in PATH:
        rate = counts[stage] / previous if previous else None
        steps.append(FunnelStep(stage=stage, reached=counts[stage], rate=rate))
        previous = counts[stage]
    return steps
