"""The complaint desk: intake, the regulated workflow, recovery with maker–checker, the sweep."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.complaints import workflow
from bankcrm.complaints.classify import ComplaintClassifier, evaluate, held_out_split
from bankcrm.complaints.deadlines import DeadlineRule
from bankcrm.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintModel,
    ComplaintRecovery,
)
from bankcrm.complaints.repository import (
    REMINDER_SOURCE,
    ComplaintRepository,
    ComplaintSystemRepository,
    ComplaintWithNames,
)
from bankcrm.complaints.schemas import (
    ClassifierRead,
    ComplaintDetail,
    ComplaintEventRead,
    ComplaintPage,
    ComplaintRead,
    RecoveryRead,
    SuggestionRead,
    SweepRead,
)
from bankcrm.complaints.starting_model import load_starting_model
from bankcrm.complaints.taxonomy import Taxonomy, load_taxonomy
from bankcrm.core.clock import as_utc, bank_day, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import (
    AuditAction,
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    RecoveryKind,
    RecoveryStatus,
    Severity,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.pagination import PageParams
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

EXPORT_LIMIT = 10_000
"""The most cases one export writes."""
OVERDUE_RULE = "overdue"
"""The sweep's reason for escalating a case whose deadline passed without a reply."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a stated receipt time may lie (clocks of other systems)."""


def deadline_rule() -> DeadlineRule:
    settings = get_settings()
    complaints = settings.complaints
    return DeadlineRule(
        days=complaints.deadline_days,
        extension_days=complaints.extension_days,
        working_days=complaints.working_days,
        holidays=frozenset(complaints.holidays),
        extra_working_days=frozenset(complaints.extra_working_days),
        timezone=settings.timezone,
    )


def taxonomy() -> Taxonomy:
    return load_taxonomy(get_settings().complaints.taxonomy)


def _handling_branch(
    repository: ComplaintRepository,
    user: StaffUser,
    *,
    customer_id: int | None,
    branch_id: int | None,
) -> int | None:
    """The branch that handles a new case. A customer's case goes to the customer's branch,
    so it never lands where the customer cannot be seen; a case without a customer goes to a
    branch within the registering user's scope (their own, unless they see every branch)."""
    if customer_id is not None:
        customer = repository.customer(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id}")
        if branch_id is not None and branch_id != customer.branch_id:
            raise ValidationFailed(
                "a customer's complaint is handled by the customer's branch; leave the branch out",
                field="branch_id",
            )
        return customer.branch_id
    if branch_id is None:
        return user.branch_id
    if not repository.branch_exists(branch_id):
        raise ValidationFailed(f"no branch {branch_id}", field="branch_id")
    if ROLE_SCOPE[user.role] is not Scope.ALL and branch_id != user.branch_id:
        raise ValidationFailed(
            "a case without a customer goes to your own branch", field="branch_id"
        )
    return branch_id


def create_complaint(
    session: Session,
    *,
    user: StaffUser,
    channel: ComplaintChannel,
    text: str,
    customer_id: int | None = None,
    branch_id: int | None = None,
    severity: Severity = Severity.MEDIUM,
    product_line: str | None = None,
    issue: str | None = None,
    received_at: datetime | None = None,
) -> ComplaintDetail:
    """Register a case; labels left out are the classifier's suggestion, kept for learning."""
    repository = ComplaintRepository(session, user)
    now = utcnow()
    received = as_utc(received_at).astimezone(UTC) if received_at is not None else now
    if received > now + CLOCK_SKEW:
        raise ValidationFailed("the receipt time lies in the future", field="received_at")
    branch_id = _handling_branch(repository, user, customer_id=customer_id, branch_id=branch_id)
    text = text.strip()
    if not text:
        raise ValidationFailed("describe the complaint", field="text")
    labels = taxonomy()
    _check_code(labels.product_lines, product_line, "product_line")
    _check_code(labels.issues, issue, "issue")
    suggestion = suggest(session, text=text)
    complaint = Complaint(
        external_id=f"TS{bank_day(received):%Y%m%d}{secrets.token_hex(3).upper()}",
        customer_id=customer_id,
        branch_id=branch_id,
        owner_id=user.id,
        channel=channel,
        product_line=product_line or suggestion.product_line,
        issue=issue or suggestion.issue,
        suggested_product_line=suggestion.product_line,
        suggested_issue=suggestion.issue,
        severity=severity,
        text=text,
        status=ComplaintStatus.RECEIVED,
        received_at=received,
        deadline_at=deadline_rule().deadline(received),
        reopen_count=0,
    )
    session.add(complaint)
    session.flush()
    _event(
        session,
        complaint,
        actor=user,
        kind=ComplaintEventKind.TRANSITION,
        to_status=ComplaintStatus.RECEIVED,
        detail={"channel": channel.value},
    )
    session.flush()
    return get_complaint(session, user=user, complaint_id=complaint.id)


def _check_code(known: Mapping[str, object], code: str | None, field: str) -> None:
    if code is not None and code not in known:
        raise ValidationFailed(f"not a code of the taxonomy: {code}", field=field)


def get_complaint(session: Session, *, user: StaffUser, complaint_id: int) -> ComplaintDetail:
    repository = ComplaintRepository(session, user)
    found = repository.get(complaint_id)
    if found is None:
        raise NotFound(f"no complaint {complaint_id}")
    read = _read(found, now=utcnow())
    events = [
        ComplaintEventRead(
            id=event.id,
            at=event.at,
            actor=actor,
            kind=event.kind,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            text=event.text,
            detail=event.detail,
        )
        for event, actor in repository.events(complaint_id)
    ]
    recoveries = [
        _recovery_read(recovery, maker, checker)
        for recovery, maker, checker in repository.recoveries(complaint_id)
    ]
    return ComplaintDetail(**read.model_dump(), events=events, recoveries=recoveries)


def list_complaints(
    session: Session,
    *,
    user: StaffUser,
    status: ComplaintStatus | None = None,
    open_only: bool = False,
    overdue: bool = False,
    due_soon: bool = False,
    mine: bool = False,
    customer_id: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> ComplaintPage:
    """The queue: cases the user may see, open ones first, earliest deadline first."""
    now = utcnow()
    params = PageParams(page=page, page_size=page_size)
    conditions = _queue_conditions(
        user,
        now=now,
        status=status,
        open_only=open_only,
        overdue=overdue,
        due_soon=due_soon,
        mine=mine,
        customer_id=customer_id,
    )
    rows, total = ComplaintRepository(session, user).page(
        conditions=conditions, offset=params.offset, limit=params.page_size
    )
    return ComplaintPage(
        items=[_read(row, now=now) for row in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


def exported_complaints(
    session: Session,
    *,
    user: StaffUser,
    status: ComplaintStatus | None = None,
    open_only: bool = False,
    overdue: bool = False,
    due_soon: bool = False,
    mine: bool = False,
) -> list[ComplaintRead]:
    """The queue's cases (up to ``EXPORT_LIMIT``, in the queue's order) for its export, which
    is audited: it names the customers."""
    now = utcnow()
    conditions = _queue_conditions(
        user,
        now=now,
        status=status,
        open_only=open_only,
        overdue=overdue,
        due_soon=due_soon,
        mine=mine,
    )
    rows, _total = ComplaintRepository(session, user).page(
        conditions=conditions, offset=0, limit=EXPORT_LIMIT
    )
    items = [_read(row, now=now) for row in rows]
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="complaints",
        after={
            "format": "xlsx",
            "status": status.value if status else None,
            "open_only": open_only,
            "overdue": overdue,
            "due_soon": due_soon,
            "mine": mine,
            "complaints": [item.id for item in items],
            "customers": sorted({item.customer_id for item in items} - {None}),
        },
    )
    return items


def _queue_conditions(
    user: StaffUser,
    *,
    now: datetime,
    status: ComplaintStatus | None,
    overdue: bool,
    due_soon: bool,
    mine: bool,
    open_only: bool = False,
    customer_id: int | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(Complaint.status == status)
    if open_only:
        conditions.append(Complaint.status.not_in(workflow.FINISHED))
    if overdue or due_soon:
        conditions.append(Complaint.status.in_(workflow.AWAITING_REPLY))
    if overdue:
        conditions.append(Complaint.deadline_at < now)
    if due_soon:
        conditions.append(Complaint.deadline_at >= now)
        conditions.append(Complaint.deadline_at < _due_soon_bound(now))
    if mine:
        conditions.append(Complaint.owner_id == user.id)
    if customer_id is not None:
        conditions.append(Complaint.customer_id == customer_id)
    return conditions


def _due_soon_bound(now: datetime) -> datetime:
    return now + timedelta(days=get_settings().complaints.reminder_days)


def _read(found: ComplaintWithNames, *, now: datetime) -> ComplaintRead:
    complaint, customer_name, branch_name, owner_name = found
    awaiting = complaint.status in workflow.AWAITING_REPLY
    deadline = as_utc(complaint.deadline_at)
    return ComplaintRead(
        id=complaint.id,
        external_id=complaint.external_id,
        customer_id=complaint.customer_id,
        customer_name=customer_name,
        branch_id=complaint.branch_id,
        branch_name=branch_name,
        owner_id=complaint.owner_id,
        owner_name=owner_name,
        channel=complaint.channel,
        product_line=complaint.product_line,
        issue=complaint.issue,
        suggested_product_line=complaint.suggested_product_line,
        suggested_issue=complaint.suggested_issue,
        severity=complaint.severity,
        text=complaint.text,
        status=complaint.status,
        received_at=complaint.received_at,
        deadline_at=complaint.deadline_at,
        extended_at=complaint.extended_at,
        extension_reason=complaint.extension_reason,
        first_replied_at=complaint.first_replied_at,
        replied_at=complaint.replied_at,
        reply=complaint.reply,
        confirmation=complaint.confirmation,
        closed_at=complaint.closed_at,
        escalated_at=complaint.escalated_at,
        reopen_count=complaint.reopen_count,
        root_cause=complaint.root_cause,
        service_gap=taxonomy().gap_of(complaint.root_cause),
        overdue=awaiting and deadline < now,
        due_soon=awaiting and now <= deadline < _due_soon_bound(now),
        allowed_actions=workflow.allowed_actions(
            complaint.status, extended=complaint.extended_at is not None
        ),
        version=complaint.version,
    )


def _recovery_read(recovery: ComplaintRecovery, maker: str, checker: str | None) -> RecoveryRead:
    return RecoveryRead(
        id=recovery.id,
        complaint_id=recovery.complaint_id,
        kind=recovery.kind,
        amount=recovery.amount,
        note=recovery.note,
        status=recovery.status,
        maker_id=recovery.maker_id,
        maker=maker,
        checker=checker,
        created_at=recovery.created_at,
        decided_at=recovery.decided_at,
        version=recovery.version,
    )


def _open_case(session: Session, user: StaffUser, complaint_id: int, version: int) -> Complaint:
    found = ComplaintRepository(session, user).get(complaint_id)
    if found is None:
        raise NotFound(f"no complaint {complaint_id}")
    complaint = found[0]
    if complaint.version != version:
        raise Conflict(
            f"complaint {complaint.external_id} was changed by someone else (now version "
            f"{complaint.version}, you saw {version}); reload it and try again"
        )
    return complaint


def transition(
    session: Session,
    *,
    user: StaffUser,
    complaint_id: int,
    action: ComplaintAction,
    version: int,
    reason: str | None = None,
    reply: str | None = None,
    confirmation: CustomerConfirmation | None = None,
) -> ComplaintDetail:
    """Carry out one workflow action; an action the case's status does not allow is a 409."""
    complaint = _open_case(session, user, complaint_id, version)
    _apply(
        session,
        complaint,
        actor=user,
        action=action,
        now=utcnow(),
        reason=reason,
        reply=reply,
        confirmation=confirmation,
    )
    session.flush()
    return get_complaint(session, user=user, complaint_id=complaint_id)


def _apply(
    session: Session,
    complaint: Complaint,
    *,
    actor: StaffUser | None,
    action: ComplaintAction,
    now: datetime,
    reason: str | None = None,
    reply: str | None = None,
    confirmation: CustomerConfirmation | None = None,
) -> None:
    reason = (reason or "").strip() or None
    reply = (reply or "").strip() or None
    step = workflow.step(
        complaint.status,
        action,
        extended=complaint.extended_at is not None,
        reason=reason,
        reply=reply,
        confirmation=confirmation,
    )
    rule = deadline_rule()
    # one UPDATE per action: the lookups below must not flush half the change (each flush
    # would count a version)
    with session.no_autoflush:
        match action:
            case ComplaintAction.EXTEND:
                if as_utc(complaint.deadline_at) < now:
                    raise Conflict(
                        "the deadline has passed; an extension must be decided before it"
                    )
                complaint.extended_at = now
                complaint.extension_reason = reason
                complaint.deadline_at = rule.after(
                    as_utc(complaint.deadline_at), rule.extension_days
                )
                _close_reminders(session, complaint)
            case ComplaintAction.ACCEPT:
                complaint.owner_id = complaint.owner_id or (actor.id if actor else None)
            case ComplaintAction.REPLY:
                complaint.reply = reply
                complaint.replied_at = now
                complaint.first_replied_at = complaint.first_replied_at or now
                _close_reminders(session, complaint)
            case ComplaintAction.CLOSE:
                complaint.confirmation = confirmation
                complaint.closed_at = now
            case ComplaintAction.REOPEN:
                complaint.reopen_count += 1
                complaint.closed_at = None
                complaint.confirmation = None
                complaint.deadline_at = rule.deadline(now)
            case ComplaintAction.ESCALATE:
                complaint.escalated_at = now
                manager = (
                    staff_service.branch_manager(session, branch_id=complaint.branch_id)
                    if complaint.branch_id is not None
                    else None
                )
                if manager is not None:
                    complaint.owner_id = manager.id
            case ComplaintAction.WITHDRAW:
                complaint.closed_at = now
                _close_reminders(session, complaint)
    complaint.status = step.after
    detail: dict[str, Any] | None
    if actor is None:
        # the system acts by a rule, which the timeline names in the reader's language
        text, detail = None, {"rule": reason}
    else:
        text = reply if action is ComplaintAction.REPLY else reason
        detail = {"confirmation": confirmation.value} if confirmation is not None else None
    _event(
        session,
        complaint,
        actor=actor,
        kind=ComplaintEventKind.TRANSITION,
        action=action,
        from_status=step.before,
        to_status=step.after,
        text=text,
        detail=detail,
        at=now,
    )


def _event(
    session: Session,
    complaint: Complaint,
    *,
    actor: StaffUser | None,
    kind: ComplaintEventKind,
    action: ComplaintAction | None = None,
    from_status: ComplaintStatus | None = None,
    to_status: ComplaintStatus | None = None,
    text: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            at=at or utcnow(),
            actor_id=actor.id if actor else None,
            kind=kind,
            action=action,
            from_status=from_status,
            to_status=to_status,
            text=text,
            detail=detail,
        )
    )


def _close_reminders(session: Session, complaint: Complaint) -> None:
    """A reminder whose deadline moved or was met has nothing left to remind of."""
    for task in ComplaintSystemRepository(session).open_reminders(complaint.id):
        task.status = TaskStatus.DONE
        task.completed_at = utcnow()


def update_labels(
    session: Session,
    *,
    user: StaffUser,
    complaint_id: int,
    version: int,
    product_line: str | None = None,
    issue: str | None = None,
    root_cause: str | None = None,
    severity: Severity | None = None,
) -> ComplaintDetail:
    """Accept or correct the labels, set the root cause; corrections become training data."""
    complaint = _open_case(session, user, complaint_id, version)
    if complaint.status is ComplaintStatus.WITHDRAWN:
        raise Conflict("a withdrawn case is not relabelled")
    labels = taxonomy()
    _check_code(labels.product_lines, product_line, "product_line")
    _check_code(labels.issues, issue, "issue")
    _check_code(labels.root_causes, root_cause, "root_cause")
    changes: list[dict[str, str | None]] = []
    for field, value in (
        ("product_line", product_line),
        ("issue", issue),
        ("root_cause", root_cause),
        ("severity", severity),
    ):
        if value is not None and getattr(complaint, field) != value:
            before = getattr(complaint, field)
            changes.append({"field": field, "from": before, "to": value})
            setattr(complaint, field, value)
    if not changes:
        raise ValidationFailed("nothing to change", field="version")
    _event(
        session,
        complaint,
        actor=user,
        kind=ComplaintEventKind.CLASSIFICATION,
        detail={"changes": changes},
    )
    session.flush()
    return get_complaint(session, user=user, complaint_id=complaint_id)


def add_note(session: Session, *, user: StaffUser, complaint_id: int, text: str) -> ComplaintDetail:
    """An investigation note on the timeline."""
    found = ComplaintRepository(session, user).get(complaint_id)
    if found is None:
        raise NotFound(f"no complaint {complaint_id}")
    text = text.strip()
    if not text:
        raise ValidationFailed("the note is empty", field="text")
    _event(session, found[0], actor=user, kind=ComplaintEventKind.NOTE, text=text)
    session.flush()
    return get_complaint(session, user=user, complaint_id=complaint_id)


def propose_recovery(
    session: Session,
    *,
    user: StaffUser,
    complaint_id: int,
    kind: RecoveryKind,
    amount: Decimal | None = None,
    note: str | None = None,
) -> ComplaintDetail:
    """An apology, refund or compensation; above the approval limit it waits for a checker."""
    found = ComplaintRepository(session, user).get(complaint_id)
    if found is None:
        raise NotFound(f"no complaint {complaint_id}")
    complaint = found[0]
    if complaint.status is ComplaintStatus.WITHDRAWN:
        raise Conflict("the customer withdrew this complaint")
    if kind is RecoveryKind.APOLOGY:
        if amount:
            raise ValidationFailed("an apology carries no amount", field="amount")
        amount = None
    elif amount is None or amount <= 0:
        raise ValidationFailed(f"a {kind.value} needs an amount in yuan", field="amount")
    limit = get_settings().complaints.approval_limit
    needs_checker = amount is not None and amount > limit
    now = utcnow()
    recovery = ComplaintRecovery(
        complaint_id=complaint.id,
        kind=kind,
        amount=amount,
        note=(note or "").strip() or None,
        status=RecoveryStatus.PENDING if needs_checker else RecoveryStatus.APPROVED,
        maker_id=user.id,
        decided_at=None if needs_checker else now,
    )
    session.add(recovery)
    _event(
        session,
        complaint,
        actor=user,
        kind=ComplaintEventKind.RECOVERY,
        text=recovery.note,
        detail=_recovery_detail(recovery),
        at=now,
    )
    session.flush()
    return get_complaint(session, user=user, complaint_id=complaint_id)


def _recovery_detail(recovery: ComplaintRecovery) -> dict[str, Any]:
    return {
        "kind": recovery.kind.value,
        "amount": None if recovery.amount is None else str(recovery.amount),
        "status": recovery.status.value,
    }


def decide_recovery(
    session: Session, *, user: StaffUser, recovery_id: int, version: int, approve: bool
) -> ComplaintDetail:
    """The checker's decision; the maker of a recovery can never be its checker."""
    repository = ComplaintRepository(session, user)
    recovery = repository.recovery(recovery_id)
    if recovery is None:
        raise NotFound(f"no recovery action {recovery_id}")
    if recovery.status is not RecoveryStatus.PENDING:
        raise Conflict(f"recovery action {recovery_id} was already {recovery.status.value}")
    if recovery.version != version:
        raise Conflict(
            f"recovery action {recovery_id} was changed by someone else; reload it and try again"
        )
    if recovery.maker_id == user.id:
        raise PermissionDenied(
            "you proposed this recovery: a second person must approve it (maker–checker)"
        )
    now = utcnow()
    recovery.status = RecoveryStatus.APPROVED if approve else RecoveryStatus.REJECTED
    recovery.checker_id = user.id
    recovery.decided_at = now
    found = repository.get(recovery.complaint_id)
    if found is None:
        raise NotFound(f"no complaint {recovery.complaint_id}")
    _event(
        session,
        found[0],
        actor=user,
        kind=ComplaintEventKind.RECOVERY,
        detail=_recovery_detail(recovery),
        at=now,
    )
    session.flush()
    return get_complaint(session, user=user, complaint_id=recovery.complaint_id)


def suggest(session: Session, *, text: str) -> SuggestionRead:
    """Product line and issue for ``text``: the bank's own model once trained, else the
    shipped starting model."""
    model, source = _active_model(session)
    suggestion = model.predict([text])[0]
    return SuggestionRead(
        product_line=suggestion.product_line,
        product_line_confidence=suggestion.product_line_confidence,
        issue=suggestion.issue,
        issue_confidence=suggestion.issue_confidence,
        model=source,
    )


def train_classifier(session: Session, *, user: StaffUser | None) -> ClassifierRead:
    """Learn the bank's own model from its closed cases, officers' corrections included.

    A fifth of the cases (stratified by issue) is held out to measure the model; the stored
    model is then fitted on all of them."""
    desk = ComplaintSystemRepository(session)
    cases = desk.training_cases()
    minimum = get_settings().complaints.min_training_cases
    if len(cases) < minimum:
        raise Conflict(
            f"{len(cases)} closed cases so far; the bank's own model needs at least {minimum}"
        )
    texts = [case[0] for case in cases]
    product_lines = [case[1] for case in cases]
    issues = [case[2] for case in cases]
    training, held_out = held_out_split(issues)
    for labels in (product_lines, issues):
        if len({labels[row] for row in training}) < 2:
            raise Conflict("the closed cases need at least two product lines and two issues")
    trial = ComplaintClassifier().fit(
        [texts[i] for i in training],
        [product_lines[i] for i in training],
        [issues[i] for i in training],
    )
    evaluation = evaluate(
        trial,
        [texts[i] for i in held_out],
        [product_lines[i] for i in held_out],
        [issues[i] for i in held_out],
    )
    model = ComplaintClassifier().fit(texts, product_lines, issues)
    stored = ComplaintModel(
        trained_at=utcnow(),
        trained_by_id=user.id if user else None,
        cases=len(cases),
        corrections=sum(case[3] for case in cases),
        macro_f1_product_line=evaluation.product_line.macro_f1,
        macro_f1_issue=evaluation.issue.macro_f1,
        evaluation=dataclasses.asdict(evaluation),
        artifact=model.to_bytes(),
    )
    session.add(stored)
    session.flush()
    return ClassifierRead(
        trained_at=stored.trained_at,
        cases=stored.cases,
        corrections=stored.corrections,
        macro_f1_product_line=stored.macro_f1_product_line,
        macro_f1_issue=stored.macro_f1_issue,
        held_out_cases=evaluation.issue.cases,
        baseline_macro_f1_issue=evaluation.issue.baseline_macro_f1,
    )


_loaded_bank_model: dict[int, ComplaintClassifier] = {}


def _active_model(session: Session) -> tuple[ComplaintClassifier, str]:
    desk = ComplaintSystemRepository(session)
    model_id = desk.latest_model_id()
    if model_id is None:
        return load_starting_model(), "starting"
    model = _loaded_bank_model.get(model_id)
    if model is None:
        # Only the newest model is ever used: keep one, load it once per process.
        model = ComplaintClassifier.from_bytes(desk.model_artifact(model_id))
        _loaded_bank_model.clear()
        _loaded_bank_model[model_id] = model
    return model, "bank"


def sweep(session: Session) -> SweepRead:
    """Remind owners of deadlines within the reminder window and escalate overdue cases to
    their branch manager; safe to run as often as wanted (a cron job, the demo)."""
    now = utcnow()
    settings = get_settings().complaints
    desk = ComplaintSystemRepository(session)
    known = desk.reminder_refs()
    reminders = escalated = 0
    window_end = now + timedelta(days=settings.reminder_days)
    for complaint in desk.awaiting_reply(deadline_before=window_end):
        deadline = as_utc(complaint.deadline_at)
        if deadline < now:
            if ComplaintAction.ESCALATE in workflow.TRANSITIONS[complaint.status]:
                _apply(
                    session,
                    complaint,
                    actor=None,
                    action=ComplaintAction.ESCALATE,
                    now=now,
                    reason=OVERDUE_RULE,
                )
                escalated += 1
            continue
        reference = f"{complaint.id}:{deadline.isoformat()}"
        if reference in known or complaint.owner_id is None:
            continue
        session.add(
            Task(
                customer_id=complaint.customer_id,
                assignee_id=complaint.owner_id,
                kind="complaint_deadline",
                source=REMINDER_SOURCE,
                source_ref=reference,
                title=f"Complaint {complaint.external_id} is due {bank_day(deadline):%Y-%m-%d}",
                priority=TaskPriority.HIGH,
                due_on=bank_day(deadline),
            )
        )
        _event(
            session,
            complaint,
            actor=None,
            kind=ComplaintEventKind.REMINDER,
            detail={"due": bank_day(deadline).isoformat()},
            at=now,
        )
        reminders += 1
    session.flush()
    return SweepRead(reminders=reminders, escalated=escalated)
