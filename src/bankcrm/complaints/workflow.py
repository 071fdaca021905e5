"""The complaint state machine: which action is allowed in which status, and what it needs.

received → accepted → investigating → replied → closed is the regular path; a case may be
escalated (to the branch manager) while it is being handled, reopened after a reply or
closure, and withdrawn by the customer at any time before it is closed. The one deadline
extension keeps the status.
"""

from __future__ import annotations

from dataclasses import dataclass

from bankcrm.core.enums import ComplaintAction, ComplaintStatus, CustomerConfirmation
from bankcrm.core.exceptions import Conflict, ValidationFailed

A = ComplaintAction
S = ComplaintStatus

TRANSITIONS: dict[ComplaintStatus, dict[ComplaintAction, ComplaintStatus]] = {
    S.RECEIVED: {A.ACCEPT: S.ACCEPTED, A.ESCALATE: S.ESCALATED, A.WITHDRAW: S.WITHDRAWN},
    S.ACCEPTED: {A.INVESTIGATE: S.INVESTIGATING, A.ESCALATE: S.ESCALATED, A.WITHDRAW: S.WITHDRAWN},
    S.INVESTIGATING: {A.REPLY: S.REPLIED, A.ESCALATE: S.ESCALATED, A.WITHDRAW: S.WITHDRAWN},
    S.ESCALATED: {A.INVESTIGATE: S.INVESTIGATING, A.REPLY: S.REPLIED, A.WITHDRAW: S.WITHDRAWN},
    S.REOPENED: {A.INVESTIGATE: S.INVESTIGATING, A.ESCALATE: S.ESCALATED, A.WITHDRAW: S.WITHDRAWN},
    S.REPLIED: {A.CLOSE: S.CLOSED, A.REOPEN: S.REOPENED, A.WITHDRAW: S.WITHDRAWN},
    S.CLOSED: {A.REOPEN: S.REOPENED},
    S.WITHDRAWN: {},
}
"""For each status, the actions that move the case on and the status they lead to."""

AWAITING_REPLY = frozenset({S.RECEIVED, S.ACCEPTED, S.INVESTIGATING, S.ESCALATED, S.REOPENED})
"""Statuses in which the bank owes the customer a reply: the deadline runs, the case can
be extended and it is overdue once the deadline has passed."""

FINISHED = frozenset({S.CLOSED, S.WITHDRAWN})

NEEDS_REASON = frozenset({A.EXTEND, A.ESCALATE, A.REOPEN, A.WITHDRAW})


@dataclass(frozen=True)
class Step:
    """What an allowed action does: the status after it (the same one for an extension)."""

    action: ComplaintAction
    before: ComplaintStatus
    after: ComplaintStatus


def allowed_actions(status: ComplaintStatus, *, extended: bool) -> list[ComplaintAction]:
    """The actions a case in ``status`` accepts, in the order a page offers them."""
    actions = list(TRANSITIONS[status])
    if status in AWAITING_REPLY and not extended:
        actions.append(A.EXTEND)
    return actions


def step(
    status: ComplaintStatus,
    action: ComplaintAction,
    *,
    extended: bool,
    reason: str | None = None,
    reply: str | None = None,
    confirmation: CustomerConfirmation | None = None,
) -> Step:
    """Check ``action`` on a case in ``status`` and say where it leads.

    Raises
    ------
    Conflict
        The action is not allowed in this status (or the one extension was used).
    ValidationFailed
        The action is allowed but lacks its reason, reply or the customer's confirmation.
    """
    if action is A.EXTEND:
        if extended:
            raise Conflict("the deadline was already extended once; a second extension is refused")
        if status not in AWAITING_REPLY:
            raise Conflict(
                f"a {status.value} case cannot be extended: it is no longer awaiting a reply"
            )
        after = status
    else:
        after_or_none = TRANSITIONS[status].get(action)
        if after_or_none is None:
            possible = ", ".join(a.value for a in allowed_actions(status, extended=extended))
            raise Conflict(
                f"cannot {action.value} a {status.value} case"
                + (f"; possible now: {possible}" if possible else "; it is finished")
            )
        after = after_or_none
    if action in NEEDS_REASON and not (reason or "").strip():
        raise ValidationFailed(f"say why ({action.value} needs a reason)", field="reason")
    if action is A.REPLY and not (reply or "").strip():
        raise ValidationFailed("write the reply sent to the customer", field="reply")
    if action is A.CLOSE and confirmation is None:
        raise ValidationFailed(
            "record the customer's answer to the reply (satisfied, unsatisfied or no response)",
            field="confirmation",
        )
    return Step(action=action, before=status, after=after)
