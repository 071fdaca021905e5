from __future__ import annotations

from datetime import date, datetime
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
    SmallInteger,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base
from bankcrm.core.enums import (
    AnalyticsEngine,
    CustomerType,
    LifecycleStage,
    Quadrant,
    ValueTier,
    db_enum,
)


class SegmentRun(Base):
    """One dated snapshot of the customer matrix; a new run for the same day replaces it."""

    __tablename__ = "segment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    engine: Mapped[AnalyticsEngine] = mapped_column(db_enum(AnalyticsEngine, "analytics_engine"))
    period_months: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Counts, volume per quadrant, Gini, top-20 % share and Lorenz curves of the run."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class CustomerSegment(Base):
    """A customer's place in one run: matrix, tier, RFM, lifecycle and the seven factors.

    Each factor is kept raw (its own unit, empty when unknown) and as a 0–100 score within
    the customer type.
    """

    __tablename__ = "customer_segments"
    __table_args__ = (
        Index("ix_customer_segments_customer_run", "customer_id", "run_id"),
        Index("ix_customer_segments_run_quadrant", "run_id", "quadrant"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("segment_runs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    customer_type: Mapped[CustomerType] = mapped_column(db_enum(CustomerType, "customer_type"))
    branch_id: Mapped[int | None] = mapped_column(Integer)
    manager_id: Mapped[int | None] = mapped_column(Integer)
    business_volume_cents: Mapped[int] = mapped_column(BigInteger)
    business_share: Mapped[float] = mapped_column(Float)
    loyalty_index: Mapped[float] = mapped_column(Float)
    quadrant: Mapped[Quadrant] = mapped_column(db_enum(Quadrant, "quadrant"))
    value_tier: Mapped[ValueTier] = mapped_column(db_enum(ValueTier, "value_tier"))
    recency_score: Mapped[int] = mapped_column(SmallInteger)
    frequency_score: Mapped[int] = mapped_column(SmallInteger)
    monetary_score: Mapped[int] = mapped_column(SmallInteger)
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        db_enum(LifecycleStage, "lifecycle_stage")
    )
    volume_trend: Mapped[float | None] = mapped_column(Float)
    trust: Mapped[float | None] = mapped_column(Float)
    trust_score: Mapped[float] = mapped_column(Float)
    communication: Mapped[float | None] = mapped_column(Float)
    communication_score: Mapped[float] = mapped_column(Float)
    transaction_frequency: Mapped[float | None] = mapped_column(Float)
    transaction_frequency_score: Mapped[float] = mapped_column(Float)
    annual_transactions: Mapped[float | None] = mapped_column(Float)
    annual_transactions_score: Mapped[float] = mapped_column(Float)
    product_dependency: Mapped[float | None] = mapped_column(Float)
    product_dependency_score: Mapped[float] = mapped_column(Float)
    share_of_wallet: Mapped[float | None] = mapped_column(Float)
    share_of_wallet_score: Mapped[float] = mapped_column(Float)
    credit_grade: Mapped[float | None] = mapped_column(Float)
    credit_grade_score: Mapped[float] = mapped_column(Float)

    @property
    def rfm(self) -> str:
        return f"{self.recency_score}{self.frequency_score}{self.monetary_score}"
