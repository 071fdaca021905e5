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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import PoolStatus, db_enum


class IncentivePool(Timestamped, Base):
    """A branch's incentive money for one month, split among its staff by their scores
    under the rules in force (thresholds, caps); approved by the branch manager, after
    which its statements are frozen."""

    __tablename__ = "incentive_pools"
    __table_args__ = (UniqueConstraint("branch_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[PoolStatus] = mapped_column(db_enum(PoolStatus, "pool_status"))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The thresholds, caps and clawback rule the split was computed with."""
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unallocated_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    """What thresholds and caps left in the pool."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class IncentiveStatement(Timestamped, Base):
    """One person's incentive for one month: their score and share of the pool, each line
    (component, threshold applied, cap applied, clawback) and the net amount."""

    __tablename__ = "incentive_statements"
    __table_args__ = (UniqueConstraint("pool_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("incentive_pools.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    clawback_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class IncentiveClawback(Base):
    """Incentive taken back because a customer complained that a product sold to them was
    unsuitable: the sale, the complaint, the amount and the statement it was deducted on."""

    __tablename__ = "incentive_clawbacks"
    __table_args__ = (UniqueConstraint("sale_id", "complaint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("incentive_statements.id"), index=True
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rule: Mapped[str] = mapped_column(String(64))
