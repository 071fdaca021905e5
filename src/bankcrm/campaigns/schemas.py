"""Request and answer bodies of the campaign endpoints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import (
    CampaignChannel,
    CampaignObjective,
    CampaignStatus,
    CustomerType,
    LifecycleStage,
    Quadrant,
    ValueTier,
)
from bankcrm.core.inputs import Choice, Day, Input, Name, OptionalText, Text
from bankcrm.core.pagination import MAX_ID

MAX_AMOUNT = Decimal("100000000000")
"""The largest amount in yuan a campaign budget or outcome may have (a hundred billion)."""
MAX_LIST = 200
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class CriteriaInput(Input):
    """A segment query; an empty list sets no condition."""

    quadrants: list[Choice[Quadrant]] = Field(default_factory=list, max_length=MAX_LIST)
    value_tiers: list[Choice[ValueTier]] = Field(default_factory=list, max_length=MAX_LIST)
    lifecycle_stages: list[Choice[LifecycleStage]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    customer_types: list[Choice[CustomerType]] = Field(default_factory=list, max_length=MAX_LIST)
    branch_ids: list[RowId] = Field(default_factory=list, max_length=MAX_LIST)
    churn_risk_min: float | None = Field(default=None, ge=0, le=1)
    churn_risk_max: float | None = Field(default=None, ge=0, le=1)
    holds_products: list[RowId] = Field(default_factory=list, max_length=MAX_LIST)
    lacks_products: list[RowId] = Field(default_factory=list, max_length=MAX_LIST)


class SegmentCreate(Input):
    name: Name = Field(max_length=200)
    description: OptionalText = Field(default=None, max_length=2_000)
    criteria: CriteriaInput


class SegmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    criteria: dict[str, object]
    customers: int | None = None
    """How many active customers meet it today (when counted)."""


class SegmentCount(BaseModel):
    customers: int


class HoldoutCreate(Input):
    name: Name = Field(max_length=200)
    share: float = Field(gt=0, lt=1)
    """The share of the bank's active customers held out, stratified by branch."""
    starts_on: Day
    ends_on: Day
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class HoldoutRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    share: float
    seed: int
    starts_on: date
    ends_on: date
    customers: int


class CampaignCreate(Input):
    name: Name = Field(max_length=200)
    objective: Choice[CampaignObjective]
    channel: Choice[CampaignChannel]
    segment_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """A saved segment; its query is copied into the campaign. Else ``criteria``."""
    criteria: CriteriaInput | None = None
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    starts_on: Day
    ends_on: Day
    control_share: float | None = Field(default=None, ge=0, lt=1)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    budget: Choice[Decimal] = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2)
    cost_per_contact: Choice[Decimal] = Field(
        default=Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2
    )
    fixed_cost: Choice[Decimal] = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2)
    subject: OptionalText = Field(default=None, max_length=200)
    message: OptionalText = Field(default=None, max_length=2_000)


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    objective: CampaignObjective
    channel: CampaignChannel
    status: CampaignStatus
    criteria: dict[str, object]
    product_id: int | None
    branch_id: int | None
    starts_on: date
    ends_on: date
    control_share: float
    seed: int
    budget_cents: int
    cost_per_contact_cents: int
    fixed_cost_cents: int
    members: int
    treatment: int
    control: int
    excluded: int
    launched_at: UtcDatetime | None
    version: int


class VersionBody(Input):
    version: int = Field(ge=1, le=MAX_ID)
    """The version of the campaign the user saw; a stale one is refused (409)."""


class OutcomeCreate(Input):
    customer_id: int = Field(ge=1, le=MAX_ID)
    contacted: bool
    responded: bool
    converted: bool = False
    amount: Choice[Decimal] = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2)


class OutcomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    campaign_id: int
    customer_id: int
    group: str
    contacted_at: UtcDatetime | None
    responded: bool
    converted: bool
    amount_cents: int


class GroupRead(BaseModel):
    n: int
    responses: int
    rate: float
    revenue: float | None


class ComparisonRead(BaseModel):
    """Treatment against control: ``uplift`` is the difference of the rates, its interval
    Newcombe's hybrid score interval, the p-value the pooled two-proportion z-test's."""

    treatment: GroupRead
    control: GroupRead
    uplift: float
    ci_low: float
    ci_high: float
    p_value: float
    confidence: float
    interval: str = "newcombe"
    incremental_responses: float | None
    incremental_revenue: float | None
    roi: float | None
    cost_per_acquisition: float | None


class EvaluationRead(BaseModel):
    response: ComparisonRead | None
    conversion: ComparisonRead | None
    by_branch: dict[str, ComparisonRead]
    funnel: dict[str, int]
    cost: float
    budget: float
    refusal: str | None


class ConsentCreate(Input):
    channel: Choice[CampaignChannel]
    granted: bool
    source: Text = Field(max_length=64)
    given_on: Day | None = None


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    channel: CampaignChannel
    granted: bool
    source: str
    given_on: date
    recorded_at: UtcDatetime
