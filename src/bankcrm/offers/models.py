from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    InvestmentGoal,
    ProductRisk,
    RiskLevel,
    SaleStatus,
    db_enum,
)


class RiskAssessment(Timestamped, Base):
    """One sitting of the risk questionnaire with the customer: the answers as given, the
    questionnaire version they answer, the level they gave and until when it holds. The
    newest row of a customer is their assessment; older rows stay as the record."""

    __tablename__ = "risk_assessments"
    __table_args__ = (Index("ix_risk_assessments_customer_on", "customer_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    level: Mapped[RiskLevel] = mapped_column(db_enum(RiskLevel, "risk_level"))
    score: Mapped[int] = mapped_column(SmallInteger)
    score_level: Mapped[RiskLevel] = mapped_column(db_enum(RiskLevel, "score_level"))
    """The level the points alone give; ``level`` is lower when an answer caps it."""
    capped_by: Mapped[str | None] = mapped_column(String(64))
    goal: Mapped[InvestmentGoal] = mapped_column(db_enum(InvestmentGoal, "investment_goal"))
    horizon_months: Mapped[int] = mapped_column(SmallInteger)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    """The manager marked the customer as needing extra care (an illness, a guardian, a
    recent bereavement): the vulnerable-customer limit applies."""
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    dimension_scores: Mapped[dict[str, int]] = mapped_column(JSON)
    assessed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)


class Sale(Timestamped, Base):
    """A subscription to a product, with everything the suitability rules ask to keep: the
    assessment it was judged on, the levels compared, the disclosure, and for a mismatch the
    customer's confirmation, the override reason and the second person's decision."""

    __tablename__ = "sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[SaleStatus] = mapped_column(db_enum(SaleStatus, "sale_status"), index=True)
    sold_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessments.id"))
    customer_level: Mapped[RiskLevel | None] = mapped_column(db_enum(RiskLevel, "risk_level"))
    product_risk: Mapped[ProductRisk] = mapped_column(db_enum(ProductRisk, "product_risk"))
    mismatch: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    """The gate's refusals the sale went ahead despite (empty for a suitable sale)."""
    override_reason: Mapped[str | None] = mapped_column(Text)
    disclosure_confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    customer_confirmed_mismatch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    cooling_off_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class OfferScore(Base):
    """The nightly ranking: a customer's propensity to take up a product they do not hold,
    with the facts behind it. Suitability is judged when the offers are read, not here, so a
    new assessment counts at once."""

    __tablename__ = "offer_scores"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    scored_on: Mapped[date] = mapped_column(Date)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What the reasons are worded from: the product held longest and for how long, the share
    of similar customers who hold this one, the peer group."""
