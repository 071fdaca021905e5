from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from bankcrm.core.enums import (
    InvestmentGoal,
    ProductCategory,
    ProductRisk,
    RiskLevel,
    SaleStatus,
    SuitabilityReason,
)
from bankcrm.core.inputs import Choice, Input, OptionalText, Text
from bankcrm.core.pagination import MAX_ID, Page

Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class OptionRead(BaseModel):
    code: str
    text: str
    points: int


class QuestionRead(BaseModel):
    code: str
    dimension: str
    text: str
    options: list[OptionRead]


class QuestionnaireRead(BaseModel):
    """The risk questionnaire in the reader's language."""

    version: str
    title: str
    questions: list[QuestionRead]


class AssessmentCreate(Input):
    answers: dict[Code, Code] = Field(max_length=100)
    """Question code → option code, every question answered."""
    vulnerable: bool = False
    """The customer needs extra care (an illness, a guardian, a recent bereavement)."""


class AssessmentRead(BaseModel):
    id: int
    customer_id: int
    questionnaire_version: str
    level: RiskLevel
    score: int
    score_level: RiskLevel
    capped_by: str | None
    goal: InvestmentGoal
    horizon_months: int
    vulnerable: bool
    answers: dict[str, str]
    dimension_scores: dict[str, int]
    assessed_on: date
    valid_until: date
    is_valid: bool
    assessed_by: str | None


class RefusalRead(BaseModel):
    """One reason the product does not suit: the rule and the two values it compared."""

    reason: SuitabilityReason
    product: str
    customer: str


class SaleCreate(Input):
    customer_id: int = Field(ge=1, le=MAX_ID)
    product_id: int = Field(ge=1, le=MAX_ID)
    amount: Choice[Decimal] = Field(gt=0, le=Decimal("10000000000"), decimal_places=2)
    """Yuan."""
    override_reason: OptionalText = Field(default=None, max_length=2_000)
    """Why the sale should go ahead although the product does not suit the customer; it then
    waits for a branch manager's approval."""
    disclosure_confirmed: bool = True
    """The seller attests that the product's risk disclosure was shown to the customer and
    confirmed by them; false refuses the sale."""
    customer_confirmed: bool = True
    """With an override: the customer signed that they buy against the assessment's
    advice; false refuses the override."""


class SaleDecision(Input):
    note: OptionalText = Field(default=None, max_length=2_000)


class SaleCancel(Input):
    reason: Text = Field(max_length=2_000)


class SaleRead(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    product_id: int
    product_name: str
    amount: Decimal
    """Yuan."""
    status: SaleStatus
    customer_level: RiskLevel | None
    product_risk: ProductRisk
    mismatch: list[RefusalRead]
    override_reason: str | None
    sold_by: str | None
    sold_at: datetime
    disclosure_confirmed_at: datetime
    customer_confirmed_mismatch_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    cooling_off_until: datetime | None
    cancellable: bool
    cancelled_at: datetime | None
    cancel_reason: str | None


SalePage = Page[SaleRead]


class FabText(BaseModel):
    """The talking points in the reader's language."""

    feature: str | None
    advantage: str | None
    benefit: str | None


class ObjectionRead(BaseModel):
    kind: str
    objection: str
    response: str


class OfferRead(BaseModel):
    product_id: int
    code: str
    name: str
    category: ProductCategory
    risk_level: ProductRisk
    score: float
    """The propensity to take the product up within the model's window, 0–1."""
    reasons: list[str]
    fab: FabText
    objections: list[ObjectionRead]


class SummaryRow(BaseModel):
    product_code: str
    risk_level: ProductRisk
    status: SaleStatus
    sales: int
    amount: Decimal
    """Yuan."""


class SalesSummary(BaseModel):
    start: date
    end: date
    rows: list[SummaryRow]
    refused: int
    """Sales the suitability gate refused in the period (no sale row was written)."""
