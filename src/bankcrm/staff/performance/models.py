from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped


class KpiMonth(Timestamped, Base):
    """One member of staff's key performance indicators for one month, computed from the
    records (business, customers, complaints, surveys, tasks, training), with the targets
    and weights of their role that month, the weighted score and the rank in their branch.
    Recomputed until the month's incentive pool is approved."""

    __tablename__ = "staff_kpi_months"
    __table_args__ = (UniqueConstraint("staff_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    """The first day of the month."""
    role: Mapped[str] = mapped_column(String(32))
    figures: Mapped[dict[str, float | None]] = mapped_column(JSON)
    """Each indicator's value; ``None`` where the month has nothing to measure."""
    targets: Mapped[dict[str, float]] = mapped_column(JSON)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)
    attainment: Mapped[dict[str, float | None]] = mapped_column(JSON)
    """Each indicator's value against its target (1.0 = on target)."""
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    """1 = best in the branch that month, among staff of the same role."""
    ranked_among: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
