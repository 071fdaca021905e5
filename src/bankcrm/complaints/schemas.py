from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import (
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    RecoveryKind,
    RecoveryStatus,
    Severity,
)
from bankcrm.core.inputs import Choice, Input, Moment, OptionalText, Text
from bankcrm.core.pagination import MAX_ID, Page

CODE = r"^[a-z0-9_]{1,64}$"
Reason = Field(default=None, max_length=2000, pattern=STORABLE_TEXT)


class ComplaintCreate(Input):
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """The branch that handles the case; the customer's branch when left out."""
    channel: Choice[ComplaintChannel]
    text: Text = Field(min_length=1, max_length=5000, pattern=STORABLE_TEXT)
    severity: Choice[Severity] = Severity.MEDIUM
    product_line: str | None = Field(default=None, pattern=CODE)
    """A taxonomy code; the classifier's suggestion when left out."""
    issue: str | None = Field(default=None, pattern=CODE)
    received_at: Moment | None = None
    """When the bank received the complaint (a letter may arrive before it is keyed in);
    now when left out."""


class ComplaintUpdate(Input):
    """Labels an officer sets or corrects; every field left out stays as it is."""

    version: int = Field(ge=1)
    product_line: str | None = Field(default=None, pattern=CODE)
    issue: str | None = Field(default=None, pattern=CODE)
    root_cause: str | None = Field(default=None, pattern=CODE)
    severity: Choice[Severity | None] = None


class TransitionCreate(Input):
    action: Choice[ComplaintAction]
    version: int = Field(ge=1)
    """The version the officer saw; someone else's change in between is a 409."""
    reason: OptionalText = Reason
    reply: OptionalText = Field(default=None, max_length=5000, pattern=STORABLE_TEXT)
    """The reply sent to the customer (action ``reply``)."""
    confirmation: Choice[CustomerConfirmation | None] = None
    """The customer's answer to the reply (action ``close``)."""


class NoteCreate(Input):
    text: Text = Field(min_length=1, max_length=5000, pattern=STORABLE_TEXT)


class RecoveryCreate(Input):
    kind: Choice[RecoveryKind]
    amount: Choice[Decimal | None] = Field(
        default=None, ge=0, le=Decimal("100000000"), decimal_places=2
    )
    """Yuan refunded or paid; none for an apology."""
    note: OptionalText = Reason


class RecoveryDecision(Input):
    version: int = Field(ge=1)
    approve: bool


class SuggestionRequest(Input):
    text: Text = Field(min_length=1, max_length=5000, pattern=STORABLE_TEXT)


class SuggestionRead(BaseModel):
    product_line: str
    product_line_confidence: float
    issue: str
    issue_confidence: float
    model: str
    """``bank`` (trained on this bank's closed cases) or ``starting`` (the shipped one)."""


class ComplaintEventRead(BaseModel):
    id: int
    at: UtcDatetime
    actor: str | None
    kind: ComplaintEventKind
    action: ComplaintAction | None
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus | None
    text: str | None
    detail: dict[str, Any] | None


class RecoveryRead(BaseModel):
    id: int
    complaint_id: int
    kind: RecoveryKind
    amount: Decimal | None
    note: str | None
    status: RecoveryStatus
    maker_id: int
    maker: str
    """The maker's full name, as is ``checker``."""
    checker: str | None
    created_at: UtcDatetime
    decided_at: UtcDatetime | None
    version: int


class ComplaintRead(BaseModel):
    id: int
    external_id: str
    customer_id: int | None
    customer_name: str | None
    branch_id: int | None
    branch_name: str | None
    owner_id: int | None
    owner_name: str | None
    channel: ComplaintChannel
    product_line: str
    issue: str
    suggested_product_line: str | None
    suggested_issue: str | None
    severity: Severity
    text: str
    status: ComplaintStatus
    received_at: UtcDatetime
    deadline_at: UtcDatetime
    extended_at: UtcDatetime | None
    extension_reason: str | None
    first_replied_at: UtcDatetime | None
    replied_at: UtcDatetime | None
    reply: str | None
    confirmation: CustomerConfirmation | None
    closed_at: UtcDatetime | None
    escalated_at: UtcDatetime | None
    reopen_count: int
    root_cause: str | None
    service_gap: int | None
    """The service-quality gap (1–5) the root cause reveals."""
    overdue: bool
    due_soon: bool
    allowed_actions: list[ComplaintAction]
    version: int


class ComplaintDetail(ComplaintRead):
    events: list[ComplaintEventRead]
    recoveries: list[RecoveryRead]


class ComplaintPage(Page[ComplaintRead]):
    """One page of a queue, earliest deadline first."""


class ClassifierRead(BaseModel):
    trained_at: UtcDatetime
    cases: int
    corrections: int
    macro_f1_product_line: float | None
    macro_f1_issue: float | None
    """Macro-F1 on the held-out fifth of the cases."""
    held_out_cases: int
    baseline_macro_f1_issue: float
    """Always suggesting the most common issue, for comparison."""


class SweepRead(BaseModel):
    reminders: int
    """Tasks created for owners whose case is due within the reminder window."""
    escalated: int
    """Overdue cases escalated to their branch manager."""
