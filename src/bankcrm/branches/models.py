from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped


class Branch(Timestamped, Base):
    """A branch (网点/支行) of the bank."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    counters: Mapped[int] = mapped_column(Integer, default=4)


class BranchStaffingPlan(Base):
    """A branch's counter plan for one coming week: the arrivals forecast per slot, the
    counters each slot needs for the waiting-time target, the expected and simulated service
    level and the shifts that cover it, as computed on ``computed_at``."""

    __tablename__ = "branch_staffing_plans"
    __table_args__ = (UniqueConstraint("branch_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
