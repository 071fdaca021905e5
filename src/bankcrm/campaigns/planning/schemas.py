"""Request and answer bodies of the marketing plan endpoints. Amounts are yuan with at most
two decimals (stored as fen); shares and percentages are per cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import (
    BudgetMethod,
    CampaignChannel,
    ChecklistAnswer,
    PestFactor,
    PlanStatus,
)
from bankcrm.core.inputs import Choice, Day, Input, Name, OptionalText, Text
from bankcrm.core.pagination import MAX_ID

MAX_AMOUNT = Decimal("100000000000")
"""The largest amount taken, yuan (a hundred billion)."""
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]
PartText = Annotated[str, Field(max_length=10_000)]
StaffId = Annotated[int, Field(ge=1, le=MAX_ID)]


class BudgetInputsBase(Input):
    """The planner's figures for the four budget methods; any may be left out."""

    revenue: Choice[Amount] | None = None
    costs: Choice[Amount] | None = None
    target_profit: Choice[Amount] | None = None
    sales: Choice[Amount] | None = None
    """Last year's or the forecast revenue the percent-of-sales method takes a share of."""
    sales_percent: Choice[Percent] | None = None
    competitor_spend: Choice[Amount] | None = None
    competitor_share: Choice[Percent] | None = None
    own_share: Choice[Percent] | None = None
    sector_percent: Choice[Percent] | None = None
    """The sector's promotion spend over its sales, used when no competitor spend is given."""


class SectionUpdate(Input):
    parts: dict[str, PartText] = Field(default_factory=dict, max_length=16)
    """Text parts by name (``market``, ``strengths``, ``promotion`` …); an empty text clears
    a part."""
    owner_id: StaffId | None = None
    review_on: Day | None = None


class PlanCreate(Input):
    title: Name = Field(max_length=200)
    branch_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """None for a bank-wide plan."""
    period_start: Day
    period_end: Day
    target_new_customers: int | None = Field(default=None, ge=0, le=100_000_000)
    target_deposits: Choice[Amount] | None = None
    target_on: Day | None = None


class PlanUpdate(Input):
    """Changes to a plan; fields left out stay. An approved plan is not changed: the changes
    go into its next version, a new draft."""

    version: int = Field(ge=1, le=MAX_ID)
    """The version of the plan the editor saw; a stale one is refused (409)."""
    title: Name | None = Field(default=None, max_length=200)
    period_start: Day | None = None
    period_end: Day | None = None
    target_new_customers: int | None = Field(default=None, ge=0, le=100_000_000)
    target_deposits: Choice[Amount] | None = None
    target_on: Day | None = None
    sections: dict[str, SectionUpdate] = Field(default_factory=dict, max_length=8)
    budget_inputs: BudgetInputsBase | None = None
    budget_method: Choice[BudgetMethod] | None = None
    """Sets the plan's budget to this method's figure."""


class PlanDecision(Input):
    version: int = Field(ge=1, le=MAX_ID)
    reason: OptionalText = Field(default=None, max_length=2_000)
    """Why the plan goes back to its author; required to return one."""


class PlanVersionRef(Input):
    version: int = Field(ge=1, le=MAX_ID)


class CompetitorCreate(PlanVersionRef):
    name: Name = Field(max_length=200)
    products: OptionalText = Field(default=None, max_length=4_000)
    prices: OptionalText = Field(default=None, max_length=4_000)
    strengths: OptionalText = Field(default=None, max_length=4_000)
    weaknesses: OptionalText = Field(default=None, max_length=4_000)
    market_share: Choice[Percent] | None = None
    promotion_spend: Choice[Amount] | None = None


class PestCreate(PlanVersionRef):
    factor: Choice[PestFactor]
    description: Text = Field(max_length=4_000)
    impact: int = Field(ge=1, le=5)
    likelihood: int = Field(ge=1, le=5)


class ActionCreate(PlanVersionRef):
    what: Text = Field(max_length=4_000)
    owner_id: StaffId | None = None
    due_on: Day
    cost: Choice[Amount]


class BudgetLineCreate(PlanVersionRef):
    channel: Choice[CampaignChannel] | None = None
    activity: Name = Field(max_length=200)
    planned: Choice[Amount]


class ChecklistAnswerUpdate(Input):
    code: str = Field(min_length=1, max_length=64)
    answer: Choice[ChecklistAnswer]
    note: OptionalText = Field(default=None, max_length=2_000)


class ChecklistUpdate(PlanVersionRef):
    answers: list[ChecklistAnswerUpdate] = Field(max_length=100)


class CampaignLinkCreate(PlanVersionRef):
    campaign_id: int = Field(ge=1, le=MAX_ID)


# --- answers --------------------------------------------------------------------------------


class SectionRead(BaseModel):
    code: str
    parts: dict[str, str]
    owner_id: int | None
    owner: str | None
    """The owner's full name."""
    review_on: date | None
    complete: bool


class CompetitorRead(BaseModel):
    id: int
    name: str
    products: str | None
    prices: str | None
    strengths: str | None
    weaknesses: str | None
    market_share: float | None
    promotion_spend_cents: int | None


class PestRead(BaseModel):
    id: int
    factor: PestFactor
    description: str
    impact: int
    likelihood: int


class ActionRead(BaseModel):
    id: int
    what: str
    owner_id: int | None
    owner: str | None
    due_on: date
    cost_cents: int


class BudgetLineRead(BaseModel):
    id: int
    channel: CampaignChannel | None
    activity: str
    planned_cents: int


class ChecklistItemRead(BaseModel):
    code: str
    p: str
    question: str
    answer: ChecklistAnswer | None
    note: str | None


class BudgetMethodRead(BaseModel):
    method: BudgetMethod
    amount_cents: int | None
    """None when the method's inputs are missing."""


class CampaignSpendRead(BaseModel):
    campaign_id: int
    code: str
    name: str
    channel: CampaignChannel
    budget_cents: int
    contacted: int
    actual_cents: int


class ChannelSpendRead(BaseModel):
    channel: CampaignChannel | None
    planned_cents: int
    actual_cents: int


class PlanVersionRead(BaseModel):
    id: int
    revision: int
    status: PlanStatus
    edited_at: UtcDatetime
    decided_at: UtcDatetime | None


class PlanSummaryRead(BaseModel):
    id: int
    series_id: int
    revision: int
    title: str
    status: PlanStatus
    branch_id: int | None
    branch: str | None
    period_start: date
    period_end: date
    author: str | None
    budget_cents: int | None
    version: int


class PlanRead(PlanSummaryRead):
    author_id: int | None
    target_new_customers: int | None
    target_deposits_cents: int | None
    target_on: date | None
    budget_inputs: dict[str, str]
    budget_method: BudgetMethod | None
    submitted_at: UtcDatetime | None
    decided_by: str | None
    decided_at: UtcDatetime | None
    return_reason: str | None
    sections: list[SectionRead]
    competitors: list[CompetitorRead]
    pest: list[PestRead]
    actions: list[ActionRead]
    budget_lines: list[BudgetLineRead]
    checklist: list[ChecklistItemRead]
    budget_methods: list[BudgetMethodRead]
    business_volume_cents: int | None
    """The business volume of the plan's branch (or the bank) in the latest segmentation run,
    as far as the viewer sees it: the bank's own figure beside the planner's sales."""
    campaigns: list[CampaignSpendRead]
    spend_by_channel: list[ChannelSpendRead]
    planned_total_cents: int
    actual_total_cents: int
    versions: list[PlanVersionRead]
    latest: bool
    """Whether this is the newest version of the plan."""
