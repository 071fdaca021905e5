"""The pipeline's pure rules: every allowed and every refused stage move, the fee-based
business flow, and the funnel's counts and rates."""

from __future__ import annotations

import pytest

from bankcrm.campaigns.prospects import pipeline
from bankcrm.core.enums import FeeStage, ProspectStage
from bankcrm.core.exceptions import Conflict, ValidationFailed

S = ProspectStage
ALLOWED = {
    S.IDENTIFY: {S.NEEDS, S.LOST},
    S.NEEDS: {S.IDENTIFY, S.PRESENTATION, S.LOST},
    S.PRESENTATION: {S.NEEDS, S.NEGOTIATION, S.LOST},
    S.NEGOTIATION: {S.PRESENTATION, S.DEAL, S.LOST},
    S.DEAL: set(),
    S.LOST: set(),
}
PAIRS = [(before, after) for before in S for after in S]


@pytest.mark.parametrize(("before", "after"), PAIRS, ids=lambda stage: stage.value)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    before: ProspectStage, after: ProspectStage
) -> None:
    if after in ALLOWED[before]:
        assert pipeline.move(before, after, analysed=True, reason="预算被砍") is after
    else:
        with pytest.raises(Conflict):
            pipeline.move(before, after, analysed=True, reason="预算被砍")


def test_the_allowed_moves_are_listed_in_pipeline_order_with_lost_last() -> None:
    assert pipeline.allowed_moves(S.NEEDS) == [S.IDENTIFY, S.PRESENTATION, S.LOST]
    assert pipeline.allowed_moves(S.DEAL) == []


@pytest.mark.parametrize("stage", sorted(pipeline.OPEN), ids=lambda stage: stage.value)
def test_a_prospect_is_lost_from_any_open_stage_only_with_a_reason(stage: ProspectStage) -> None:
    with pytest.raises(ValidationFailed) as refused:
        pipeline.move(stage, S.LOST, analysed=True, reason="  ")
    assert refused.value.field == "reason"
    assert pipeline.move(stage, S.LOST, analysed=True, reason="选了他行") is S.LOST


def test_the_presentation_needs_the_needs_and_decision_analysis() -> None:
    with pytest.raises(ValidationFailed) as refused:
        pipeline.move(S.NEEDS, S.PRESENTATION, analysed=False)
    assert refused.value.field == "needs"
    # going back to identification needs no analysis
    assert pipeline.move(S.NEEDS, S.IDENTIFY, analysed=False) is S.IDENTIFY


def test_the_furthest_stage_reached_never_goes_back() -> None:
    assert pipeline.furthest(S.PRESENTATION, S.NEEDS) is S.PRESENTATION
    assert pipeline.furthest(S.PRESENTATION, S.NEGOTIATION) is S.NEGOTIATION
    assert pipeline.furthest(S.NEGOTIATION, S.LOST) is S.NEGOTIATION


def test_the_fee_flow_goes_step_by_step_and_delivers_only_a_quoted_fee() -> None:
    F = FeeStage
    assert pipeline.fee_advance(F.NEGOTIATION, fee_quoted_cents=None) is F.QUOTATION
    with pytest.raises(ValidationFailed) as refused:
        pipeline.fee_advance(F.QUOTATION, fee_quoted_cents=None)
    assert refused.value.field == "fee_quoted"
    assert pipeline.fee_advance(F.QUOTATION, fee_quoted_cents=50_000) is F.DELIVERY
    assert pipeline.fee_advance(F.DELIVERY, fee_quoted_cents=50_000) is F.FOLLOW_UP
    assert pipeline.fee_advance(F.FOLLOW_UP, fee_quoted_cents=50_000) is F.COMPLETED
    with pytest.raises(Conflict):
        pipeline.fee_advance(F.COMPLETED, fee_quoted_cents=50_000)


def test_the_funnel_counts_every_stage_a_prospect_got_through() -> None:
    reached = [S.IDENTIFY] * 4 + [S.NEEDS] * 3 + [S.PRESENTATION, S.DEAL, S.DEAL]
    steps = {step.stage: step for step in pipeline.funnel(reached)}
    assert [steps[stage].reached for stage in pipeline.PATH] == [10, 6, 3, 2, 2]
    assert steps[S.IDENTIFY].rate is None
    assert steps[S.NEEDS].rate == pytest.approx(0.6)
    assert steps[S.PRESENTATION].rate == pytest.approx(0.5)
    assert steps[S.DEAL].rate == pytest.approx(1.0)


def test_an_empty_funnel_has_no_rates() -> None:
    assert all(step.reached == 0 and step.rate is None for step in pipeline.funnel([]))
