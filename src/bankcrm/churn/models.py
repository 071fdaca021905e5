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
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base
from bankcrm.core.enums import AnalyticsEngine, ChurnDiagnosis, ChurnMethod, db_enum


class ChurnRun(Base):
    """One dated churn scoring of every active customer; a rerun for the same day replaces it."""

    __tablename__ = "churn_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    engine: Mapped[AnalyticsEngine] = mapped_column(db_enum(AnalyticsEngine, "analytics_engine"))
    method: Mapped[ChurnMethod] = mapped_column(db_enum(ChurnMethod, "churn_method"))
    customers: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)
    active_threshold: Mapped[float | None] = mapped_column(Float)
    """The probability from which a still-active customer is warned (none before the
    split: the threshold)."""
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The time-ordered check: AUC, PR-AUC and top-decile lift on the last labelled window,
    the same on the customers still active then (``active``), and the median months from
    a churner's first warning to its churn (``lead_time``, ``lead_time_active``)."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class ChurnScore(Base):
    """A customer's probability of churning within the horizon, its reasons and diagnosis."""

    __tablename__ = "churn_scores"
    __table_args__ = (
        Index("ix_churn_scores_customer_run", "customer_id", "run_id"),
        Index("ix_churn_scores_run_probability", "run_id", "probability"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("churn_runs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The features that raise the score most: name, the customer's value, a typical one."""
    diagnosis: Mapped[ChurnDiagnosis | None] = mapped_column(
        db_enum(ChurnDiagnosis, "churn_diagnosis")
    )
    decline_months: Mapped[int | None] = mapped_column(Integer)
    """Months since the customer's activity began to decline (for warnings)."""
    active: Mapped[bool | None] = mapped_column(Boolean)
    """Still active on the day (own transaction within ``active_months``): the risk set of
    an early warning; ``False`` for a lapsed customer (win-back); unknown for runs from
    before the split."""
    value_cents: Mapped[int | None] = mapped_column(BigInteger)
    """The customer's lifetime value (the latest CLV run on or before the day) that ranks
    the warnings with the probability; unknown for a customer without one."""
