"""Request and answer bodies of the prospect pipeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import (
    CultivationStep,
    CustomerType,
    FeeStage,
    FollowUpChannel,
    ProspectSource,
    ProspectStage,
)
from bankcrm.core.inputs import Choice, Day, Input, Name, OptionalName, OptionalText, Text
from bankcrm.core.pagination import MAX_ID
from bankcrm.offers.objections import ObjectionKind

MAX_AMOUNT = Decimal("100000000000")
"""The largest amount a prospect is expected to bring, yuan (a hundred billion)."""
Version = Field(ge=1, le=MAX_ID)

# --- prospects ------------------------------------------------------------------------------


class ProspectBase(Input):
    phone: OptionalText = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]*$")
    source_detail: OptionalText = Field(default=None, max_length=100)
    """The campaign code, the event or who referred them."""
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    expected_amount: Choice[Decimal] | None = Field(
        default=None, ge=0, le=MAX_AMOUNT, decimal_places=2
    )
    """Yuan."""
    growth_potential: bool = False
    """A company with growth potential, to be cultivated (成长型客户)."""


class ProspectCreate(ProspectBase):
    name: Name = Field(max_length=200)
    kind: Choice[CustomerType]
    source: Choice[ProspectSource]
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """The customer, when the prospect already is one (cross-sell)."""
    owner_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """The account manager; the creator when left out."""


class ProspectUpdate(Input):
    """The fields to change; those left out stay as they are."""

    version: int = Version
    name: OptionalName = Field(default=None, max_length=200)
    phone: OptionalText = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]*$")
    source_detail: OptionalText = Field(default=None, max_length=100)
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    expected_amount: Choice[Decimal] | None = Field(
        default=None, ge=0, le=MAX_AMOUNT, decimal_places=2
    )
    decision_maker: OptionalText = Field(default=None, max_length=200)
    needs: OptionalText = Field(default=None, max_length=4_000)
    budget: Choice[Decimal] | None = Field(default=None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    growth_potential: bool | None = None
    cultivation: list[Choice[CultivationStep]] | None = Field(default=None, max_length=4)


class StageMove(Input):
    version: int = Version
    stage: Choice[ProspectStage]
    reason: OptionalText = Field(default=None, max_length=2_000)
    """Why the prospect was lost (needed for ``lost``)."""


class FeeAdvance(Input):
    version: int = Version
    fee_quoted: Choice[Decimal] | None = Field(default=None, gt=0, le=MAX_AMOUNT, decimal_places=2)
    """The fee quoted, yuan; at the quotation step."""


class StageEventRead(BaseModel):
    from_stage: ProspectStage | None
    to_stage: ProspectStage | None
    from_fee_stage: FeeStage | None
    to_fee_stage: FeeStage | None
    reason: str | None
    actor: str | None
    """The full name of who moved it."""
    at: UtcDatetime


class ProspectRead(BaseModel):
    id: int
    version: int
    name: str
    kind: CustomerType
    phone: str | None
    """Masked for a role without ``personal_data:view``."""
    source: ProspectSource
    source_detail: str | None
    customer_id: int | None
    customer_name: str | None
    owner_id: int
    owner_name: str
    branch_id: int
    product_id: int | None
    product_name: str | None
    fee_based: bool
    expected_amount: Decimal | None
    stage: ProspectStage
    reached_stage: ProspectStage
    allowed_moves: list[ProspectStage]
    lost_reason: str | None
    decision_maker: str | None
    needs: str | None
    budget: Decimal | None
    growth_potential: bool
    cultivation: list[CultivationStep]
    fee_stage: FeeStage | None
    fee_quoted: Decimal | None
    next_follow_up_on: date | None
    overdue: bool
    """A planned follow-up is past its day and not done."""


# --- objections -----------------------------------------------------------------------------


class ObjectionCreate(Input):
    kind: Choice[ObjectionKind]
    said: Text = Field(max_length=2_000)
    """What the prospect said."""
    answer: OptionalText = Field(default=None, max_length=4_000)
    """How it was answered."""
    resolved: bool = False


class SuggestedResponse(BaseModel):
    objection: str
    response: str


class ObjectionRead(BaseModel):
    id: int
    kind: ObjectionKind
    said: str
    answer: str | None
    resolved: bool
    recorded_by: str | None
    recorded_at: UtcDatetime
    suggestions: list[SuggestedResponse]
    """The handbook's responses to objections of this kind to the product."""


# --- follow-ups -----------------------------------------------------------------------------


class FollowUpCreate(Input):
    planned_on: Day
    channel: Choice[FollowUpChannel]
    purpose: Text = Field(max_length=2_000)


class FollowUpComplete(Input):
    version: int = Version
    outcome: OptionalText = Field(default=None, max_length=2_000)


class FollowUpRead(BaseModel):
    id: int
    version: int
    planned_on: date
    channel: FollowUpChannel
    purpose: str
    task_id: int | None
    done_at: UtcDatetime | None
    outcome: str | None
    overdue: bool


class ProspectDetail(BaseModel):
    prospect: ProspectRead
    history: list[StageEventRead]
    objections: list[ObjectionRead]
    follow_ups: list[FollowUpRead]


# --- board and funnel -----------------------------------------------------------------------


class BoardColumn(BaseModel):
    stage: ProspectStage
    cards: list[ProspectRead]
    amount: Decimal
    """The expected amounts of the column's cards, yuan."""


class FunnelStepRead(BaseModel):
    stage: ProspectStage
    reached: int
    rate: float | None


class FunnelRead(BaseModel):
    branch_id: int | None
    prospects: int
    lost: int
    steps: list[FunnelStepRead]
