"""Request and answer bodies of the credit endpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from bankcrm.core.enums import CreditGrade, CustomerType, QuoteStatus, RatingStatus
from bankcrm.core.inputs import Choice, Input, OptionalText
from bankcrm.core.pagination import MAX_ID
from bankcrm.credit.prequalification import DebtSource, IncomeProof, Outcome, Residence
from bankcrm.credit.pricing import Authority

# --- pricing quotes -------------------------------------------------------------------------

ProductCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_QUOTE_AMOUNT = Decimal("100000000000")
"""The largest amount quoted, yuan (a hundred billion)."""


class QuoteCreate(Input):
    customer_id: int = Field(ge=1, le=MAX_ID)
    amount: Choice[Decimal] = Field(gt=0, le=MAX_QUOTE_AMOUNT, decimal_places=2)
    """Yuan."""
    term_months: int = Field(ge=1, le=600)
    product: ProductCode | None = None
    """A loan product's code in the catalogue (its LGD and bounds)."""
    grade: Choice[CreditGrade] | None = None
    """The customer's credit grade when left out."""


class QuoteDecision(Input):
    version: int = Field(ge=1, le=MAX_ID)
    """The version of the quote the decider saw; a stale one is refused (409)."""
    note: OptionalText = Field(default=None, max_length=2_000)


class SpreadsRead(BaseModel):
    expected_loss: float
    capital: float
    funding: float
    operating: float


class QuoteRead(BaseModel):
    """A stored quote: the keys of ``bankcrm pricing quote --json`` and its record."""

    id: int
    customer_id: int
    status: QuoteStatus
    version: int
    rate: float
    """% a year."""
    floor: float
    ceiling: float
    base: float
    """The LPR of the term, % a year."""
    spreads: SpreadsRead
    discount: float
    raroc: float
    """%."""
    authority: Authority
    grade: CreditGrade
    probability_of_default: float
    amount: Decimal
    """Yuan."""
    term_months: int
    product: str | None
    rate_table_version: str
    """The day the LPR in force took effect."""
    hurdle_rate: float
    """The RAROC a quote is held to, % (the bank's setting today)."""
    quoted_by: str | None
    quoted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class SimulatedGrade(BaseModel):
    """The quote one grade would get."""

    grade: CreditGrade
    probability_of_default: float
    rate: float
    raroc: float
    authority: Authority


class SimulatedCell(BaseModel):
    grade: CreditGrade
    amount: Decimal
    rate: float
    raroc: float
    authority: Authority


class Simulation(BaseModel):
    """Quotes across the grades for one amount, and a table of grades × amounts."""

    amount: Decimal
    term_months: int
    product: str | None
    borrower: CustomerType
    base: float
    base_effective: date
    hurdle_rate: float
    grades: list[SimulatedGrade]
    amounts: list[Decimal]
    table: list[list[SimulatedCell]]
    """One row per grade, one cell per amount."""


# --- corporate ratings and pre-qualifications ----------------------------------------------

RatingCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RatingCreate(Input):
    answers: dict[RatingCode, RatingCode | float] = Field(max_length=100)
    """Factor code → the chosen option's code (a choice) or the figure (a ratio)."""


class RatingReview(Input):
    approve: bool
    version: int = Field(ge=1, le=MAX_ID)
    """The version of the rating the reviewer saw; a stale one is refused (409)."""
    note: OptionalText = Field(default=None, max_length=2_000)


class FactorPointsRead(BaseModel):
    code: str
    name: str
    weight: int
    answer: str | float
    answer_text: str
    """The chosen option's text, or the figure as given."""
    points: int


class RatingRead(BaseModel):
    id: int
    customer_id: int
    status: RatingStatus
    version: int
    model_version: str
    factors: list[FactorPointsRead]
    score: float
    grade: CreditGrade
    grade_name: str
    costliest: list[FactorPointsRead]
    """The factors that lost points, the most first."""
    prepared_by: str | None
    prepared_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    in_force: bool
    """The customer's newest approved rating."""


class RatingQueueRow(BaseModel):
    rating: RatingRead
    customer_name: str


class PrequalificationCreate(Input):
    residence: Choice[Residence]
    employment_months: int = Field(ge=0, le=1_200)
    income_proof: Choice[IncomeProof]
    monthly_income: Choice[Decimal] = Field(ge=0, le=MAX_QUOTE_AMOUNT, decimal_places=2)
    declared_monthly_debt: Choice[Decimal] = Field(ge=0, le=MAX_QUOTE_AMOUNT, decimal_places=2)
    purchase_price: Choice[Decimal] = Field(gt=0, le=MAX_QUOTE_AMOUNT, decimal_places=2)
    down_payment: Choice[Decimal] = Field(ge=0, le=MAX_QUOTE_AMOUNT, decimal_places=2)
    term_months: int = Field(ge=1, le=600)
    annual_rate: Choice[Decimal] = Field(ge=0, le=1, decimal_places=6)
    """A fraction: 0.0388 is 3.88 %."""


class RuleResultRead(BaseModel):
    rule: str
    name: str
    value: float | str
    outcome: Outcome
    reason: str


class DocumentRead(BaseModel):
    code: str
    text: str


class PrequalificationRead(BaseModel):
    id: int
    customer_id: int
    checklist_version: str
    outcome: Outcome
    rules: list[RuleResultRead]
    documents: list[DocumentRead]
    loan_amount: Decimal
    monthly_instalment: Decimal
    existing_monthly_debt: Decimal
    debt_source: DebtSource
    debt_to_income: float
    checked_by: str | None
    checked_at: datetime
