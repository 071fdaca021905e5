from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base
from bankcrm.core.enums import AnalyticsEngine, db_enum


class ClvRun(Base):
    """One dated valuation of every customer; a new run for the same day replaces it."""

    __tablename__ = "clv_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    engine: Mapped[AnalyticsEngine] = mapped_column(db_enum(AnalyticsEngine, "analytics_engine"))
    customers: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Fitted parameters and log-likelihoods of the transaction and spend models."""
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The calibration/holdout check: frequency buckets, tracking, errors."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class CustomerValue(Base):
    """A customer's purchase history summary and what the models expect of them."""

    __tablename__ = "customer_values"
    __table_args__ = (Index("ix_customer_values_customer_run", "customer_id", "run_id"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("clv_runs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    frequency: Mapped[int] = mapped_column(Integer)
    """Repeat transaction days since the first in the data."""
    recency_weeks: Mapped[float] = mapped_column(Float)
    age_weeks: Mapped[float] = mapped_column(Float)
    average_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    p_alive: Mapped[float] = mapped_column(Float)
    expected_transactions: Mapped[float] = mapped_column(Float)
    """Transaction days expected in the next twelve months."""
    expected_amount_cents: Mapped[int] = mapped_column(BigInteger)
    clv_cents: Mapped[int] = mapped_column(BigInteger)
