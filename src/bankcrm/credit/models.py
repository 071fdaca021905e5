from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import CreditGrade, QuoteStatus, RatingStatus, db_enum
from bankcrm.credit.prequalification import Outcome
from bankcrm.credit.pricing import Authority

RATE = Numeric(9, 4)
"""Per cent a year to four decimals (a hundredth of a basis point)."""


class CorporateRating(Timestamped, Base):
    """A corporate customer's expert rating: the answers as the account manager entered
    them, the rating model version they answer, the points and grade it gave, and the branch
    manager's review. The newest approved rating is the customer's credit grade."""

    __tablename__ = "corporate_ratings"
    __table_args__ = (Index("ix_corporate_ratings_customer_status", "customer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    model_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    factor_points: Mapped[dict[str, float]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[CreditGrade] = mapped_column(db_enum(CreditGrade, "credit_grade"))
    status: Mapped[RatingStatus] = mapped_column(db_enum(RatingStatus, "rating_status"))
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    prepared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PricingQuote(Timestamped, Base):
    """A loan price quoted to a customer with its breakdown, RAROC and the authority it
    needs; one beyond the account manager's authority waits for a decision."""

    __tablename__ = "pricing_quotes"
    __table_args__ = (Index("ix_pricing_quotes_customer_at", "customer_id", "quoted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    grade: Mapped[CreditGrade] = mapped_column(db_enum(CreditGrade, "credit_grade"))
    probability_of_default: Mapped[float] = mapped_column(Float)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    term_months: Mapped[int] = mapped_column(SmallInteger)
    rate: Mapped[Decimal] = mapped_column(RATE)
    floor: Mapped[Decimal] = mapped_column(RATE)
    ceiling: Mapped[Decimal] = mapped_column(RATE)
    base: Mapped[Decimal] = mapped_column(RATE)
    spreads: Mapped[dict[str, float]] = mapped_column(JSON)
    discount: Mapped[Decimal] = mapped_column(RATE)
    raroc: Mapped[Decimal] = mapped_column(RATE)
    authority: Mapped[Authority] = mapped_column(db_enum(Authority, "pricing_authority"))
    rate_table_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[QuoteStatus] = mapped_column(db_enum(QuoteStatus, "quote_status"), index=True)
    quoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    quoted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class LoanPrequalification(Timestamped, Base):
    """A loan application checked against the pre-qualification checklist: the answers, the
    outcome of every rule, and the documents the applicant was asked to bring."""

    __tablename__ = "loan_prequalifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    checklist_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[Outcome] = mapped_column(db_enum(Outcome, "prequalification_outcome"))
    rule_outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    documents: Mapped[list[str]] = mapped_column(JSON)
    debt_to_income: Mapped[float | None] = mapped_column(Float)
    debt_source: Mapped[str | None] = mapped_column(String(32))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CreditScore(Base):
    """A customer's scorecard result on a day: points, PD, grade on the master scale and the
    features that cost the most points."""

    __tablename__ = "credit_scores"
    __table_args__ = (Index("ix_credit_scores_customer_on", "customer_id", "scored_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    scored_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    probability_of_default: Mapped[float] = mapped_column(Float)
    grade: Mapped[CreditGrade] = mapped_column(db_enum(CreditGrade, "credit_grade"))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    scorecard: Mapped[str] = mapped_column(String(64))
    """Which card scored it (its file's name or the bank's card of that day)."""
