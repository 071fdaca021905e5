"""The state machine, checked against the regulated path written out by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.complaints import workflow
from bankcrm.core.enums import ComplaintAction, ComplaintStatus, CustomerConfirmation
from bankcrm.core.exceptions import Conflict, ValidationFailed

A = ComplaintAction
S = ComplaintStatus

# The allowed moves, written independently of workflow.TRANSITIONS: the regular path, then
# escalation while handling, reopening after a reply or closure, withdrawal before closure.
EXPECTED = {
    (S.RECEIVED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.INVESTIGATE): S.INVESTIGATING,
    (S.INVESTIGATING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.CLOSE): S.CLOSED,
    (S.RECEIVED, A.ESCALATE): S.ESCALATED,
    (S.ACCEPTED, A.ESCALATE): S.ESCALATED,
    (S.INVESTIGATING, A.ESCALATE): S.ESCALATED,
    (S.REOPENED, A.ESCALATE): S.ESCALATED,
    (S.ESCALATED, A.INVESTIGATE): S.INVESTIGATING,
    (S.ESCALATED, A.REPLY): S.REPLIED,
    (S.REPLIED, A.REOPEN): S.REOPENED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.INVESTIGATE): S.INVESTIGATING,
    **{(status, A.WITHDRAW): S.WITHDRAWN for status in S if status not in (S.CLOSED, S.WITHDRAWN)},
}
AWAITING = {S.RECEIVED, S.ACCEPTED, S.INVESTIGATING, S.ESCALATED, S.REOPENED}


def _complete(action: ComplaintAction) -> dict[str, object]:
    """Everything an action may need, so only the status decides."""
    return {
        "reason": "客户要求",
        "reply": "经核查，已为您退还费用。",
        "confirmation": CustomerConfirmation.SATISFIED,
    }


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", [a for a in A if a is not A.EXTEND])
def test_every_status_and_action_pair_is_allowed_exactly_as_written(
    status: ComplaintStatus, action: ComplaintAction
) -> None:
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(Conflict, match=f"cannot {action.value} a {status.value} case"):
            workflow.step(status, action, extended=False, **_complete(action))
    else:
        assert workflow.step(status, action, extended=False, **_complete(action)).after is expected


def test_one_extension_while_awaiting_a_reply_and_never_a_second() -> None:
    for status in S:
        if status in AWAITING:
            assert (
                workflow.step(status, A.EXTEND, extended=False, reason="调取凭证").after is status
            )
            with pytest.raises(Conflict, match="second extension is refused"):
                workflow.step(status, A.EXTEND, extended=True, reason="再延一次")
        else:
            with pytest.raises(Conflict):
                workflow.step(status, A.EXTEND, extended=False, reason="调取凭证")


@pytest.mark.parametrize("action", [A.EXTEND, A.ESCALATE, A.WITHDRAW])
def test_actions_that_need_a_reason_refuse_without_one(action: ComplaintAction) -> None:
    with pytest.raises(ValidationFailed) as refused:
        workflow.step(S.INVESTIGATING, action, extended=False, reason="  ")
    assert refused.value.field == "reason"


def test_a_reply_needs_its_text_and_a_closure_the_customers_answer() -> None:
    with pytest.raises(ValidationFailed, match="reply"):
        workflow.step(S.INVESTIGATING, A.REPLY, extended=False, reply="")
    with pytest.raises(ValidationFailed, match="customer's answer"):
        workflow.step(S.REPLIED, A.CLOSE, extended=False)
    with pytest.raises(ValidationFailed, match="reason"):
        workflow.step(S.CLOSED, A.REOPEN, extended=False)


def test_allowed_actions_are_exactly_those_step_accepts() -> None:
    for status in S:
        for extended in (False, True):
            offered = set(workflow.allowed_actions(status, extended=extended))
            accepted = set()
            for action in A:
                try:
                    workflow.step(status, action, extended=extended, **_complete(action))
                except Conflict:
                    continue
                accepted.add(action)
            assert offered == accepted, status


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(A)), max_size=30))
def test_random_action_sequences_follow_the_written_rules(actions: list[ComplaintAction]) -> None:
    status, extended = S.RECEIVED, False
    for action in actions:
        if action is A.EXTEND:
            legal = status in AWAITING and not extended
        else:
            legal = (status, action) in EXPECTED
        if not legal:
            with pytest.raises(Conflict):
                workflow.step(status, action, extended=extended, **_complete(action))
            continue
        step = workflow.step(status, action, extended=extended, **_complete(action))
        assert step.before is status
        status = step.after
        extended = extended or action is A.EXTEND
    # withdrawn is final: nothing moves it again
    if status is S.WITHDRAWN:
        assert workflow.allowed_actions(status, extended=extended) == []
