from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    CustomerType,
    FeeStage,
    FollowUpChannel,
    ProspectSource,
    ProspectStage,
    db_enum,
)
from bankcrm.offers.objections import ObjectionKind
from bankcrm.tasks.models import Task


class Prospect(Timestamped, Base):
    """Someone an account manager is working towards a sale: a person or company not yet a
    customer, or a customer for another product (cross-sell)."""

    __tablename__ = "prospects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CustomerType] = mapped_column(db_enum(CustomerType, "prospect_kind"))
    phone: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[ProspectSource] = mapped_column(db_enum(ProspectSource, "prospect_source"))
    source_detail: Mapped[str | None] = mapped_column(String(100))
    """The campaign code, the event or who referred them."""
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    expected_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    stage: Mapped[ProspectStage] = mapped_column(db_enum(ProspectStage, "prospect_stage"))
    reached_stage: Mapped[ProspectStage] = mapped_column(
        db_enum(ProspectStage, "prospect_reached_stage")
    )
    """The furthest stage ever reached, which the funnel counts (a lost prospect keeps it)."""
    lost_reason: Mapped[str | None] = mapped_column(Text)
    decision_maker: Mapped[str | None] = mapped_column(String(200))
    needs: Mapped[str | None] = mapped_column(Text)
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    growth_potential: Mapped[bool] = mapped_column(Boolean, default=False)
    cultivation: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The cultivation steps taken with a growth customer."""
    fee_stage: Mapped[FeeStage | None] = mapped_column(db_enum(FeeStage, "fee_stage"))
    fee_quoted_cents: Mapped[int | None] = mapped_column(BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProspectEvent(Base):
    """One move of a prospect: a pipeline stage, or a step of the fee-based business flow."""

    __tablename__ = "prospect_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"), index=True)
    from_stage: Mapped[ProspectStage | None] = mapped_column(
        db_enum(ProspectStage, "prospect_event_from")
    )
    to_stage: Mapped[ProspectStage | None] = mapped_column(
        db_enum(ProspectStage, "prospect_event_to")
    )
    from_fee_stage: Mapped[FeeStage | None] = mapped_column(db_enum(FeeStage, "fee_event_from"))
    to_fee_stage: Mapped[FeeStage | None] = mapped_column(db_enum(FeeStage, "fee_event_to"))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProspectObjection(Base):
    """What the prospect objected, of which kind, and how the account manager answered."""

    __tablename__ = "prospect_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"), index=True)
    kind: Mapped[ObjectionKind] = mapped_column(db_enum(ObjectionKind, "objection_kind"))
    said: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProspectFollowUp(Base):
    """A planned contact of the one-to-one plan (回访); its task reminds the owner."""

    __tablename__ = "prospect_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"), index=True)
    planned_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[FollowUpChannel] = mapped_column(db_enum(FollowUpChannel, "follow_up_channel"))
    purpose: Mapped[str] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The reminder is this follow-up's own task; a prospect that is not yet a customer has
    # none of the customer rows the task table's scope goes through, so the follow-up
    # reaches its task through the key it holds.
    task: Mapped[Task | None] = relationship(Task)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
