"""Campaign operations: segments, design and approval, the launch that freezes the members
and draws the control group, consent, contact tasks and lists, outcomes, sending, and the
evaluation against the control group."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.campaigns import evaluation, sending, targeting
from bankcrm.campaigns import repository as campaigns_repository
from bankcrm.campaigns.models import (
    Campaign,
    CampaignMember,
    MarketingConsent,
    MarketingHoldout,
    SavedSegment,
)
from bankcrm.campaigns.planning import budgets
from bankcrm.campaigns.repository import CampaignRepository, CampaignSystemRepository
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.churn.repository import ChurnRunRepository
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import CampaignSettings, OfferSettings, get_settings
from bankcrm.core.enums import (
    AuditAction,
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    SendStatus,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import (
    Conflict,
    ImportRejected,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from bankcrm.core.messages import _
from bankcrm.core.money import from_cents, to_cents
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.customers.models import Customer
from bankcrm.offers import service as offers_service
from bankcrm.privacy import fields as privacy_fields
from bankcrm.products import repository as products_repository
from bankcrm.scope import ROLE_SCOPE, Scope, sees_branch
from bankcrm.segmentation.repository import RunRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

CONTACT_TASK_KIND = "campaign_contact"
CONTACT_TASK_SOURCE = "campaign"


CONTACT_TASK_TITLE = _("Campaign %(code)s: contact the customer")
TASK_CHANNELS = frozenset({CampaignChannel.BRANCH, CampaignChannel.PHONE})
"""Channels worked by the account manager: each treated member becomes a contact task."""
ADDRESS_FIELD: dict[CampaignChannel, str] = {
    CampaignChannel.SMS: "mobile_phone",
    CampaignChannel.PHONE: "mobile_phone",
    CampaignChannel.EMAIL: "email",
}
"""The customer's field a channel reaches them at; channels missing here need no address of
ours (the branch, the app, WeChat reach the customer by their customer number)."""


def _address(channel: CampaignChannel, mobile: str | None, email: str | None) -> str | None:
    field = ADDRESS_FIELD.get(channel)
    if field is None:
        return None
    return mobile if field == "mobile_phone" else email


# --- segments -------------------------------------------------------------------------------


def criteria_of(raw: dict[str, Any]) -> SegmentCriteria:
    try:
        return SegmentCriteria.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "criteria"
        raise ValidationFailed(f"{where}: {first['msg']}", field=where) from None


def save_segment(
    session: Session,
    *,
    user: StaffUser,
    name: str,
    criteria: SegmentCriteria,
    description: str | None = None,
) -> SavedSegment:
    if not name.strip():
        raise ValidationFailed("a segment needs a name", field="name")
    row = SavedSegment(
        name=name.strip(),
        description=description,
        criteria=criteria.model_dump(mode="json"),
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    return row


def saved_segment(session: Session, segment_id: int) -> SavedSegment:
    row = campaigns_repository.saved_segment(session, segment_id)
    if row is None:
        raise ValidationFailed(f"no segment {segment_id}", field="segment_id")
    return row


def saved_segments(session: Session) -> list[SavedSegment]:
    return list(campaigns_repository.saved_segments(session))


def segment_size(session: Session, criteria: SegmentCriteria) -> int:
    """How many active customers the segment holds today (before any exclusion)."""
    return len(_segment(session, criteria, bank_today()))


def _segment(session: Session, criteria: SegmentCriteria, today: date) -> list[Any]:
    segment_run = churn_run = None
    if criteria.needs_segments:
        segment_run = RunRepository(session).latest()
        if segment_run is None:
            raise ValidationFailed(
                "quadrant, value tier and lifecycle need a segmentation run; none has run yet",
                field="criteria",
            )
    if criteria.needs_churn:
        churn_run = ChurnRunRepository(session).latest()
        if churn_run is None:
            raise ValidationFailed(
                "churn risk needs a churn run; none has run yet", field="criteria"
            )
    return CampaignSystemRepository(session).segment(
        criteria,
        segment_run_id=segment_run.id if segment_run else None,
        churn_run_id=churn_run.id if churn_run else None,
        today=today,
    )


# --- design and approval --------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDraft:
    """What the designer gives; money in yuan."""

    name: str
    objective: CampaignObjective
    channel: CampaignChannel
    criteria: SegmentCriteria
    starts_on: date
    ends_on: date
    segment_id: int | None = None
    product_id: int | None = None
    branch_id: int | None = None
    subject: str | None = None
    message: str | None = None
    control_share: float | None = None
    seed: int | None = None
    budget: Decimal = Decimal(0)
    cost_per_contact: Decimal = Decimal(0)
    fixed_cost: Decimal = Decimal(0)


def create_campaign(
    session: Session,
    *,
    user: StaffUser,
    draft: CampaignDraft,
    settings: CampaignSettings | None = None,
) -> Campaign:
    settings = settings or get_settings().campaigns
    _check_draft(session, user, draft)
    today = bank_today()
    prefix = f"CMP-{today.year}-"
    code = f"{prefix}{campaigns_repository.codes_starting(session, prefix) + 1:03d}"
    share = settings.control_share if draft.control_share is None else draft.control_share
    row = Campaign(
        code=code,
        name=draft.name.strip(),
        objective=draft.objective,
        channel=draft.channel,
        status=CampaignStatus.DRAFT,
        segment_id=draft.segment_id,
        criteria=draft.criteria.model_dump(mode="json"),
        product_id=draft.product_id,
        branch_id=draft.branch_id,
        subject=draft.subject,
        message=draft.message,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        control_share=share,
        seed=draft.seed
        if draft.seed is not None
        else int(np.random.default_rng().integers(1_000_000_000)),
        budget_cents=to_cents(draft.budget),
        cost_per_contact_cents=to_cents(draft.cost_per_contact),
        fixed_cost_cents=to_cents(draft.fixed_cost),
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    return row


def campaign_seed(given: int | None) -> int:
    # a seed of its own per campaign or holdout, kept with it, so the draw can be repeated
    return given if given is not None else int(np.random.default_rng().integers(1_000_000_000))


def _check_draft(session: Session, user: StaffUser, draft: CampaignDraft) -> None:
    if not draft.name.strip():
        raise ValidationFailed("a campaign needs a name", field="name")
    if draft.ends_on < draft.starts_on:
        raise ValidationFailed("the campaign ends before it starts", field="ends_on")
    if draft.control_share is not None and not 0 <= draft.control_share < 1:
        raise ValidationFailed("the control share lies in [0, 1)", field="control_share")
    for field, amount in (
        ("budget", draft.budget),
        ("cost_per_contact", draft.cost_per_contact),
        ("fixed_cost", draft.fixed_cost),
    ):
        if amount < 0:
            raise ValidationFailed(f"{field} cannot be negative", field=field)
    if draft.product_id is not None and products_repository.get(session, draft.product_id) is None:
        raise ValidationFailed(f"no product {draft.product_id}", field="product_id")
    if (
        draft.segment_id is not None
        and campaigns_repository.saved_segment(session, draft.segment_id) is None
    ):
        raise ValidationFailed(f"no segment {draft.segment_id}", field="segment_id")
    if draft.branch_id is not None and not sees_branch(user, draft.branch_id):
        raise PermissionDenied("a branch campaign is designed for one's own branch")


def visible_campaign(session: Session, user: StaffUser, campaign_id: int) -> Campaign:
    row = campaigns_repository.campaign(session, campaign_id)
    if row is None or not _sees(user, row):
        raise NotFound(f"no campaign {campaign_id}")
    return row


def _sees(user: StaffUser, row: Campaign) -> bool:
    return (
        ROLE_SCOPE[user.role] is Scope.ALL
        or row.branch_id is None
        or row.branch_id == user.branch_id
    )


def campaigns(session: Session, *, user: StaffUser) -> list[Campaign]:
    whole_bank = ROLE_SCOPE[user.role] is Scope.ALL
    return list(
        campaigns_repository.campaigns(session, branch_id=user.branch_id, whole_bank=whole_bank)
    )


def _expect(row: Campaign, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(f"campaign {row.code} was changed by someone else; reload it")


def approve(
    session: Session, *, user: StaffUser, campaign_id: int, version: int | None = None
) -> Campaign:
    """The branch manager's (or, for a bank-wide campaign, any approver's) yes: never the
    designer's own."""
    row = visible_campaign(session, user, campaign_id)
    _expect(row, version)
    if row.status is not CampaignStatus.DRAFT:
        raise Conflict(f"campaign {row.code} is {row.status.value}, not a draft")
    if row.created_by_id == user.id:
        raise PermissionDenied("a campaign is approved by someone other than its designer")
    if row.branch_id is not None and not sees_branch(user, row.branch_id):
        raise PermissionDenied("a branch campaign is approved by that branch's manager")
    row.status = CampaignStatus.APPROVED
    row.approved_by_id = user.id
    row.approved_at = utcnow()
    session.flush()
    return row


# --- the launch -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    members: int
    treatment: int
    control: int
    excluded: dict[str, int]
    tasks: int


def launch(
    session: Session,
    *,
    user: StaffUser,
    campaign_id: int,
    version: int | None = None,
    settings: CampaignSettings | None = None,
    offer_settings: OfferSettings | None = None,
) -> Launch:
    """Freeze the segment into members: the exclusions first, then the control group drawn
    among those the campaign may contact, then a contact task for each treated member on
    the channels account managers work."""
    settings = settings or get_settings().campaigns
    row = visible_campaign(session, user, campaign_id)
    _expect(row, version)
    if row.status is not CampaignStatus.APPROVED:
        raise Conflict(f"campaign {row.code} is {row.status.value}; only an approved one starts")
    today, now = bank_today(), utcnow()
    criteria = criteria_of(row.criteria)
    customers = _segment(session, criteria, today)
    if row.branch_id is not None:
        customers = [customer for customer in customers if customer[1] == row.branch_id]
    system = CampaignSystemRepository(session)
    ids = np.fromiter((customer[0] for customer in customers), dtype=np.int64, count=len(customers))
    branches = np.fromiter(
        (customer[1] for customer in customers), dtype=np.int64, count=len(customers)
    )
    consents = system.consents(row.channel)
    recent = system.recent_contacts(now - timedelta(days=settings.cap_window_days))
    reasons = targeting.exclusions(
        held_out=_in(ids, system.held_out(today)),
        control_elsewhere=_in(
            ids, system.controls_elsewhere(starts_on=row.starts_on, ends_on=row.ends_on)
        ),
        opted_out=_in(ids, {customer for customer, yes in consents.items() if not yes}),
        consented=_in(ids, {customer for customer, yes in consents.items() if yes}),
        addressable=np.array(
            [
                row.channel not in ADDRESS_FIELD or bool(_address(row.channel, c[3], c[4]))
                for c in customers
            ],
            dtype=bool,
        ),
        recent_contacts=np.array([recent.get(int(c), 0) for c in ids], dtype=np.int64),
        frequency_cap=settings.frequency_cap,
        suitable=_suitable(session, row, ids, offer_settings, today),
    )
    contactable = np.array([reason is None for reason in reasons], dtype=bool)
    control = np.zeros(len(ids), dtype=bool)
    control[contactable] = targeting.draw_control(
        branches[contactable], share=row.control_share, seed=row.seed
    )
    because = criteria.reasons()
    consent_reason = f"consent={row.channel.value}"
    excluded: dict[str, int] = {}
    members: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for index, customer in enumerate(customers):
        reason = reasons[index]
        if reason is not None:
            group, why = CampaignGroup.EXCLUDED, [reason.value]
            excluded[reason.value] = excluded.get(reason.value, 0) + 1
        elif control[index]:
            group, why = CampaignGroup.CONTROL, [*because, consent_reason, "control_draw"]
        else:
            group, why = CampaignGroup.TREATMENT, [*because, consent_reason]
        members.append(
            {
                "campaign_id": row.id,
                "customer_id": customer[0],
                "group": group,
                "branch_id": customer[1],
                "manager_id": customer[2],
                "reasons": why,
                "responded": False,
                "converted": False,
                "amount_cents": 0,
            }
        )
        if group is CampaignGroup.TREATMENT and row.channel in TASK_CHANNELS:
            tasks.append(_contact_task(row, customer[0], customer[2], user, today))
    system.add_members(members)
    # the members go to the driver directly, past the audit trail's hook on bulk statements
    audit_recorder.record(
        session,
        action=AuditAction.BULK_INSERT,
        entity="campaign_members",
        entity_id=row.id,
        after={"rows": len(members)},
    )
    system.add_tasks(tasks)
    row.members = len(members)
    row.treatment = int((contactable & ~control).sum())
    row.control = int(control.sum())
    row.excluded = len(members) - row.treatment - row.control
    row.status = CampaignStatus.RUNNING
    row.launched_by_id = user.id
    row.launched_at = now
    session.flush()
    return Launch(row.members, row.treatment, row.control, excluded, len(tasks))


def _in(ids: np.ndarray, chosen: set[int]) -> np.ndarray:
    if not chosen:
        return np.zeros(len(ids), dtype=bool)
    return np.isin(ids, np.fromiter(chosen, dtype=np.int64, count=len(chosen)))


def _suitable(
    session: Session,
    row: Campaign,
    ids: np.ndarray,
    settings: OfferSettings | None,
    today: date,
) -> np.ndarray:
    if row.product_id is None:
        return np.ones(len(ids), dtype=bool)
    product = products_repository.get(session, row.product_id)
    if product is None:
        raise ValidationFailed(f"no product {row.product_id}", field="product_id")
    allowed = offers_service.suitable_customers(
        session,
        [int(customer) for customer in ids],
        product,
        settings=settings or get_settings().offers,
        today=today,
    )
    return _in(ids, allowed)


def _contact_task(
    row: Campaign, customer_id: int, manager_id: int | None, user: StaffUser, today: date
) -> dict[str, Any]:
    now = utcnow()
    return {
        "customer_id": customer_id,
        "assignee_id": manager_id,
        "created_by_id": user.id,
        "kind": CONTACT_TASK_KIND,
        "source": CONTACT_TASK_SOURCE,
        "source_ref": row.code,
        "title": CONTACT_TASK_TITLE,
        "title_params": {"code": row.code},
        "description": row.message,
        "status": TaskStatus.OPEN,
        "priority": TaskPriority.NORMAL,
        "due_on": max(min(row.ends_on, today + timedelta(days=14)), today),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def stop(
    session: Session, *, user: StaffUser, campaign_id: int, version: int | None = None
) -> Campaign:
    """Stop a running campaign: sending stops before its next message, and the open
    contact tasks are cancelled."""
    row = visible_campaign(session, user, campaign_id)
    _expect(row, version)
    if row.status is not CampaignStatus.RUNNING:
        raise Conflict(f"campaign {row.code} is {row.status.value}, not running")
    row.status = CampaignStatus.STOPPED
    row.stopped_at = utcnow()
    for task in CampaignRepository(session, user).contact_tasks(row.code):
        if task.status is TaskStatus.OPEN:
            task.status = TaskStatus.CANCELLED
    session.flush()
    return row


# --- consent --------------------------------------------------------------------------------


def record_consent(
    session: Session,
    *,
    user: StaffUser,
    customer_id: int,
    channel: CampaignChannel,
    granted: bool,
    source: str,
    given_on: date | None = None,
) -> MarketingConsent:
    """A customer's yes or no to marketing on a channel; the newest answer is in force."""
    if CampaignRepository(session, user).customer(customer_id) is None:
        raise NotFound(f"no customer {customer_id} in your book")
    if not source.strip():
        raise ValidationFailed("say where the customer gave the answer", field="source")
    given = given_on or bank_today()
    if given > bank_today():
        raise ValidationFailed("consent cannot be given in the future", field="given_on")
    row = MarketingConsent(
        customer_id=customer_id,
        channel=channel,
        granted=granted,
        source=source.strip()[:64],
        given_on=given,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def consents_in_force(
    session: Session, *, user: StaffUser, customer_id: int
) -> dict[CampaignChannel, MarketingConsent]:
    repository = CampaignRepository(session, user)
    if repository.customer(customer_id) is None:
        raise NotFound(f"no customer {customer_id} in your book")
    in_force: dict[CampaignChannel, MarketingConsent] = {}
    for row in repository.consents(customer_id):
        in_force.setdefault(row.channel, row)
    return in_force


@dataclass(frozen=True)
class CustomerMarketing:
    """What the customer 360 shows of marketing: the consent in force on each channel and
    the campaigns the customer was a member of, newest first."""

    consents: dict[CampaignChannel, MarketingConsent]
    memberships: list[tuple[CampaignMember, str]]


def customer_marketing(
    session: Session, *, user: StaffUser, customer_id: int, campaigns: int = 5
) -> CustomerMarketing:
    memberships = CampaignRepository(session, user).campaign_memberships(customer_id)
    return CustomerMarketing(
        consents=consents_in_force(session, user=user, customer_id=customer_id),
        memberships=[(member, name) for member, name in memberships[:campaigns]],
    )


# --- contact lists, outcomes, responses ----------------------------------------------------


CONTACT_LIST_COLUMNS = ("customer_number", "name", "address", "manager_id", "reasons")


def contact_list(session: Session, *, user: StaffUser, campaign_id: int) -> list[dict[str, Any]]:
    """The treated members the viewer may see, with the address for the channel and why
    each is in the list. Control and excluded members are never in it. The address is
    masked for a role without ``personal_data:view``; an unmasked list is an audited read
    of personal data."""
    row = visible_campaign(session, user, campaign_id)
    if row.status is CampaignStatus.DRAFT or row.status is CampaignStatus.APPROVED:
        raise Conflict(f"campaign {row.code} has not started; it has no members yet")
    field = ADDRESS_FIELD.get(row.channel)
    unmasked = has_permission(user.role, Permission.PERSONAL_DATA_VIEW)
    listed = [
        {
            "customer_id": customer.id,
            "customer_number": customer.external_id,
            "name": customer.name,
            "address": _shown(field, customer, unmasked),
            "manager_id": member.manager_id,
            "reasons": ";".join(member.reasons),
        }
        for member, customer in CampaignRepository(session, user).members(
            campaign_id, group=CampaignGroup.TREATMENT
        )
    ]
    if field is not None and unmasked and listed:
        audit_recorder.record(
            session,
            action=AuditAction.READ_PERSONAL,
            entity="campaigns",
            entity_id=row.id,
            after={"contact_list": field, "customers": [entry["customer_id"] for entry in listed]},
        )
    return listed


def _shown(field: str | None, customer: Customer, unmasked: bool) -> str:
    if field is None:
        return customer.external_id
    value = getattr(customer, field)
    if value is None:
        return ""
    return str(value if unmasked else privacy_fields.mask(field, value))


def record_outcome(
    session: Session,
    *,
    user: StaffUser,
    campaign_id: int,
    customer_id: int,
    contacted: bool,
    responded: bool,
    converted: bool,
    amount: Decimal = Decimal(0),
) -> CampaignMember:
    """What came of one member: the account manager working a contact task, or a control
    member's own purchase recorded afterwards. Working the task closes it."""
    row = visible_campaign(session, user, campaign_id)
    repository = CampaignRepository(session, user)
    member = repository.member(campaign_id, customer_id)
    if member is None:
        raise NotFound(f"customer {customer_id} is not a member of campaign {row.code}")
    if member.group is CampaignGroup.EXCLUDED:
        raise Conflict("an excluded customer has no outcome in this campaign")
    if contacted and member.group is CampaignGroup.CONTROL:
        raise Conflict("a control member is not contacted by the campaign")
    if amount < 0:
        raise ValidationFailed("the amount cannot be negative", field="amount")
    now = utcnow()
    if contacted and member.contacted_at is None:
        member.contacted_at = now
    member.responded = responded or converted
    member.converted = converted
    member.amount_cents = to_cents(amount)
    member.outcome_recorded_at = now
    if contacted:
        for task in repository.contact_tasks(row.code):
            if task.customer_id == customer_id and task.status is TaskStatus.OPEN:
                task.status = TaskStatus.DONE
                task.completed_at = now
    session.flush()
    return member


RESPONSE_COLUMNS = ("customer_number", "contacted", "responded", "converted", "amount")
YES = frozenset({"1", "yes", "y", "true", "是"})
NO = frozenset({"0", "no", "n", "false", "否", ""})


def import_responses(
    session: Session, *, user: StaffUser, campaign_id: int, content: bytes, file_name: str
) -> int:
    """Outcomes from a CSV with the columns ``customer_number, contacted, responded,
    converted, amount`` (contacted and amount optional): all rows or none, a refusal names
    the row and column."""
    row = visible_campaign(session, user, campaign_id)
    if row.status in (CampaignStatus.DRAFT, CampaignStatus.APPROVED):
        raise Conflict(f"campaign {row.code} has not started; it has no members yet")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            "the file is not UTF-8 text", file=file_name, row=None, column=None
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    for required in ("customer_number", "responded"):
        if required not in header:
            raise ImportRejected(
                f"the file has no column {required!r}", file=file_name, row=1, column=required
            )
    members = CampaignRepository(session, user).members_by_number(campaign_id)
    parsed: list[tuple[CampaignMember, bool, bool, bool, int]] = []
    for line, raw in enumerate(reader, start=2):
        record = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        number = record.get("customer_number", "")
        member = members.get(number)
        if member is None:
            raise ImportRejected(
                f"{number!r} is not a member of campaign {row.code} you may see",
                file=file_name,
                row=line,
                column="customer_number",
            )
        flags = [_flag(record, name, file_name, line) for name in RESPONSE_COLUMNS[1:4]]
        contacted, responded, converted = flags
        if contacted and member.group is CampaignGroup.CONTROL:
            raise ImportRejected(
                f"{number} is in the control group and cannot have been contacted",
                file=file_name,
                row=line,
                column="contacted",
            )
        if member.group is CampaignGroup.EXCLUDED:
            raise ImportRejected(
                f"{number} was left out of the campaign", file=file_name, row=line, column=None
            )
        parsed.append((member, contacted, responded, converted, _amount(record, file_name, line)))
    now = utcnow()
    for member, contacted, responded, converted, cents in parsed:
        if contacted and member.contacted_at is None:
            member.contacted_at = now
        member.responded = responded or converted
        member.converted = converted
        member.amount_cents = cents
        member.outcome_recorded_at = now
    session.flush()
    return len(parsed)


def _flag(record: dict[str, str], column: str, file_name: str, line: int) -> bool:
    value = record.get(column, "").lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ImportRejected(f"{value!r} is not yes or no", file=file_name, row=line, column=column)


def _amount(record: dict[str, str], file_name: str, line: int) -> int:
    text = record.get("amount", "").replace(",", "")
    if not text:
        return 0
    try:
        amount = Decimal(text)
    except ArithmeticError:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise ImportRejected(
            f"{text!r} is not an amount in yuan", file=file_name, row=line, column="amount"
        )
    return to_cents(amount)


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignEvaluation:
    overall: evaluation.Evaluation | None
    conversion: evaluation.Evaluation | None
    by_branch: dict[int | None, evaluation.Evaluation]
    funnel: dict[str, int]
    cost: float
    budget: float
    refusal: str | None
    """Why there is no comparison yet (an empty group), in the service's words."""


def evaluate(session: Session, *, user: StaffUser, campaign_id: int) -> CampaignEvaluation:
    """Response and conversion of treatment against control among the members the viewer
    sees, uplift with its Newcombe interval and p-value, incremental revenue, ROI and cost
    per acquisition; the same by branch."""
    row = visible_campaign(session, user, campaign_id)
    outcomes = CampaignRepository(session, user).outcomes(campaign_id)
    treated = [o for o in outcomes if o[0] is CampaignGroup.TREATMENT]
    contacted = sum(1 for o in treated if o[2])
    cost = float(
        budgets.campaign_spend(
            fixed_cost=from_cents(row.fixed_cost_cents),
            cost_per_contact=from_cents(row.cost_per_contact_cents),
            contacted=contacted,
        )
    )
    funnel = {
        "members": len(treated),
        "contacted": contacted,
        "responded": sum(1 for o in treated if o[3]),
        "converted": sum(1 for o in treated if o[4]),
    }
    try:
        overall = _compare(outcomes, cost, response_index=3)
        conversion = _compare(outcomes, cost, response_index=4)
    except ValidationFailed as error:
        return CampaignEvaluation(
            None, None, {}, funnel, cost, row.budget_cents / 100, error.message
        )
    by_branch: dict[int | None, evaluation.Evaluation] = {}
    for branch in sorted({o[1] for o in outcomes}, key=lambda b: (b is None, b or 0)):
        mine = [o for o in outcomes if o[1] == branch]
        mine_contacted = sum(1 for o in mine if o[0] is CampaignGroup.TREATMENT and o[2])
        share = mine_contacted / contacted if contacted else 0
        try:
            by_branch[branch] = _compare(mine, cost * share, response_index=3)
        except ValidationFailed:
            continue
    return CampaignEvaluation(
        overall, conversion, by_branch, funnel, cost, row.budget_cents / 100, None
    )


@dataclass(frozen=True)
class ChannelResult:
    """What the launched campaigns of one channel brought, each judged against its own
    control group: the incremental responses and revenue add up across campaigns."""

    channel: CampaignChannel
    campaigns: int
    contacted: int
    incremental_responses: float
    incremental_revenue: float
    cost: float

    @property
    def roi(self) -> float | None:
        return (self.incremental_revenue - self.cost) / self.cost if self.cost else None

    @property
    def cost_per_acquisition(self) -> float | None:
        if self.incremental_responses <= 0:
            return None
        return self.cost / self.incremental_responses


def by_channel(session: Session, *, user: StaffUser) -> list[ChannelResult]:
    """The launched campaigns the viewer sees, summed by channel."""
    totals: dict[CampaignChannel, list[float]] = {}
    for row in campaigns(session, user=user):
        if row.status in (CampaignStatus.DRAFT, CampaignStatus.APPROVED):
            continue
        judged = evaluate(session, user=user, campaign_id=row.id)
        if judged.overall is None:
            continue
        total = totals.setdefault(row.channel, [0, 0, 0.0, 0.0, 0.0])
        total[0] += 1
        total[1] += judged.funnel["contacted"]
        total[2] += judged.overall.incremental_responses or 0.0
        total[3] += judged.overall.incremental_revenue or 0.0
        total[4] += judged.cost
    return [
        ChannelResult(channel, int(n), int(contacted), responses, revenue, cost)
        for channel, (n, contacted, responses, revenue, cost) in sorted(totals.items())
    ]


def _compare(outcomes: list[Any], cost: float, *, response_index: int) -> evaluation.Evaluation:
    def group(which: CampaignGroup, group_cost: float) -> evaluation.Group:
        rows = [o for o in outcomes if o[0] is which]
        return evaluation.Group(
            n=len(rows),
            responses=sum(1 for o in rows if o[response_index]),
            cost=group_cost,
            revenue=sum(o[5] for o in rows) / 100,
        )

    return evaluation.compare(
        group(CampaignGroup.TREATMENT, cost), group(CampaignGroup.CONTROL, 0.0)
    )


ANALYSIS_COLUMNS = (
    "group",
    "contacted",
    "responded",
    "converted",
    "amount",
    "customer_type",
    "branch_id",
    "age",
    "quadrant",
    "value_tier",
    "lifecycle_stage",
    "business_volume",
    "loyalty_index",
    "churn_probability",
)


def contacts_for_analysis(session: Session, *, campaign_id: int) -> pa.Table:
    """A launched campaign's treatment and control members with what came of them and their
    features at the latest runs, no personal data: the file ``campaigns evaluate``,
    ``uplift`` and ``response-model`` take, so the bank's own campaigns are judged and
    learnt from like any other. A job for the whole bank (``campaigns export-contacts``)."""
    row = campaigns_repository.campaign(session, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    if row.status in (CampaignStatus.DRAFT, CampaignStatus.APPROVED):
        raise Conflict(f"campaign {row.code} has not started; it has no members yet")
    segment_run = RunRepository(session).latest()
    churn_run = ChurnRunRepository(session).latest()
    rows = CampaignSystemRepository(session).analysis_rows(
        campaign_id,
        segment_run_id=segment_run.id if segment_run else None,
        churn_run_id=churn_run.id if churn_run else None,
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(ANALYSIS_COLUMNS)
    values = dict(zip(ANALYSIS_COLUMNS, columns, strict=True))
    return pa.table(
        {
            "group": [group.value for group in values["group"]],
            "contacted": [int(bool(flag)) for flag in values["contacted"]],
            "responded": [int(flag) for flag in values["responded"]],
            "converted": [int(flag) for flag in values["converted"]],
            "amount": [cents / 100 for cents in values["amount"]],
            "customer_type": [kind.value for kind in values["customer_type"]],
            "branch_id": list(values["branch_id"]),
            "age": [_age(born, row.starts_on) for born in values["age"]],
            "quadrant": [_value(item) for item in values["quadrant"]],
            "value_tier": [_value(item) for item in values["value_tier"]],
            "lifecycle_stage": [_value(item) for item in values["lifecycle_stage"]],
            "business_volume": [
                None if cents is None else cents / 100 for cents in values["business_volume"]
            ],
            "loyalty_index": list(values["loyalty_index"]),
            "churn_probability": list(values["churn_probability"]),
        }
    )


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _value(item: Any) -> str | None:
    return None if item is None else str(item.value)


# --- sending --------------------------------------------------------------------------------


def send(
    session: Session,
    *,
    campaign_id: int,
    export_dir: Path,
    settings: CampaignSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> sending.SendSummary:
    """Send the campaign's message to every treated member not yet sent to, on its
    channel; each outcome is logged, and a stop of the campaign stops the sending. A job
    for the whole bank (``bankcrm campaigns send``)."""
    settings = settings or get_settings().campaigns
    row = campaigns_repository.campaign(session, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    if row.status is not CampaignStatus.RUNNING:
        raise Conflict(f"campaign {row.code} is {row.status.value}, not running")
    if row.channel in TASK_CHANNELS:
        raise Conflict(f"campaign {row.code} is worked by account managers, not sent")
    system = CampaignSystemRepository(session)
    messages = [
        sending.Message(
            customer_id=customer_id,
            address=_address(row.channel, mobile, email) or str(customer_id),
            subject=row.subject if row.channel is CampaignChannel.EMAIL else None,
            body=row.message or row.name,
            reference=row.code,
        )
        for customer_id, mobile, email in system.to_send(campaign_id)
    ]
    code = row.code

    def should_stop() -> bool:
        session.refresh(row, ["status"])
        return row.status is not CampaignStatus.RUNNING

    def record(outcome: sending.SendOutcome) -> None:
        at = utcnow()
        system.add_send(
            {
                "campaign_id": campaign_id,
                "customer_id": outcome.customer_id,
                "channel": row.channel,
                "status": outcome.status,
                "attempts": outcome.attempts,
                "provider_ref": outcome.provider_ref,
                "error": (outcome.error or "")[:500] or None,
                "logged_at": at,
            }
        )
        if outcome.status is SendStatus.SENT:
            system.mark_contacted(campaign_id, [outcome.customer_id], at)
        session.commit()

    export_dir.mkdir(parents=True, exist_ok=True)
    channel = sending.channel_for(row.channel.value, settings.sending, export_dir / code)
    with channel:
        return sending.send_all(
            channel,
            messages,
            settings=settings.sending,
            should_stop=should_stop,
            record=record,
            sleep=sleep,
        )


# --- the bank-wide holdout ------------------------------------------------------------------


def holdouts(session: Session) -> list[MarketingHoldout]:
    return list(campaigns_repository.holdouts(session))


def draw_holdout(
    session: Session,
    *,
    user: StaffUser,
    name: str,
    share: float,
    starts_on: date,
    ends_on: date,
    seed: int,
) -> MarketingHoldout:
    """Customers drawn at random (stratified by branch) whom no campaign contacts between
    the two dates."""
    if ROLE_SCOPE[user.role] is not Scope.ALL:
        raise PermissionDenied("a bank-wide holdout is drawn by head office")
    if not 0 < share < 1:
        raise ValidationFailed("the holdout share lies in (0, 1)", field="share")
    if ends_on < starts_on:
        raise ValidationFailed("the holdout ends before it starts", field="ends_on")
    system = CampaignSystemRepository(session)
    customers = system.all_customers()
    branches = np.array([branch for _, branch in customers], dtype=np.int64)
    chosen = targeting.draw_control(branches, share=share, seed=seed)
    row = MarketingHoldout(
        name=name,
        share=share,
        seed=seed,
        starts_on=starts_on,
        ends_on=ends_on,
        customers=int(chosen.sum()),
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    system.add_holdout_members(
        {"holdout_id": row.id, "customer_id": customer}
        for (customer, _), taken in zip(customers, chosen, strict=True)
        if taken
    )
    session.flush()
    return row


# --- what the pages show --------------------------------------------------------------------


def exclusion_counts(
    session: Session, *, user: StaffUser, campaign_id: int
) -> dict[targeting.Exclusion, int]:
    """How many of the members the viewer sees were left out, by reason."""
    visible_campaign(session, user, campaign_id)
    counts: dict[targeting.Exclusion, int] = {}
    for reasons, count in CampaignRepository(session, user).exclusion_counts(campaign_id):
        for reason in reasons:
            key = targeting.Exclusion(reason)
            counts[key] = counts.get(key, 0) + count
    return counts


def customer_in_book(
    session: Session, *, user: StaffUser, customer_id: int | None = None, number: str = ""
) -> Customer:
    """A customer the viewer may see, by id or by customer number."""
    repository = CampaignRepository(session, user)
    row = (
        repository.customer(customer_id)
        if customer_id is not None
        else repository.customer_by_number(number.strip())
    )
    if row is None:
        raise NotFound(f"no customer {number or customer_id} in your book")
    return row


@dataclass(frozen=True)
class ContactTask:
    task: Task
    customer: Customer
    campaign: Campaign


def open_contact_tasks(session: Session, *, user: StaffUser, limit: int = 200) -> list[ContactTask]:
    """The open contact tasks of running campaigns that are the viewer's to work: their own
    for an account manager, the branch's for a branch manager; soonest due first."""
    repository = CampaignRepository(session, user)
    own_only = ROLE_SCOPE[user.role] is Scope.OWN_BOOK
    found: list[ContactTask] = []
    for row in campaigns(session, user=user):
        if row.status is not CampaignStatus.RUNNING:
            continue
        for task in repository.contact_tasks(row.code):
            if task.status is not TaskStatus.OPEN or task.customer_id is None:
                continue
            if own_only and task.assignee_id != user.id:
                continue
            customer = repository.customer(task.customer_id)
            if customer is not None:
                found.append(ContactTask(task, customer, row))
    found.sort(key=lambda item: (item.task.due_on or date.max, item.task.id))
    return found[:limit]
