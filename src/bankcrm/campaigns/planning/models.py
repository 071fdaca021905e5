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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    BudgetMethod,
    CampaignChannel,
    ChecklistAnswer,
    PestFactor,
    PlanStatus,
    db_enum,
)


class MarketingPlan(Timestamped, Base):
    """One version (``revision``) of a marketing plan. Every version of a plan shares the
    ``series_id`` of its first; an approved version is frozen, and editing it starts the next
    revision as a draft. ``version`` is the optimistic lock of this row."""

    __tablename__ = "marketing_plans"
    __table_args__ = (UniqueConstraint("series_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(Integer, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    """The branch the plan is for; none for a bank-wide plan."""
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(
        db_enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT, index=True
    )
    target_new_customers: Mapped[int | None] = mapped_column(Integer)
    target_deposits_cents: Mapped[int | None] = mapped_column(BigInteger)
    target_on: Mapped[date | None] = mapped_column(Date)
    budget_inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The planner's figures for the four budget methods, as decimal strings in yuan and
    per cent."""
    budget_method: Mapped[BudgetMethod | None] = mapped_column(
        db_enum(BudgetMethod, "budget_method")
    )
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MarketingPlanSection(Base):
    """One of the eight sections of a plan version: its text parts, owner and review date."""

    __tablename__ = "marketing_plan_sections"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("marketing_plans.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    parts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    review_on: Mapped[date | None] = mapped_column(Date)


class MarketingPlanCompetitor(Base):
    __tablename__ = "marketing_plan_competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_plans.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    products: Mapped[str | None] = mapped_column(Text)
    prices: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    weaknesses: Mapped[str | None] = mapped_column(Text)
    market_share: Mapped[float | None] = mapped_column(Float)
    """Per cent of the market."""
    promotion_spend_cents: Mapped[int | None] = mapped_column(BigInteger)


class MarketingPlanPest(Base):
    """A macro-environment factor: political, economic, social or technological, with its
    impact and likelihood from 1 (low) to 5 (high)."""

    __tablename__ = "marketing_plan_pest"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_plans.id", ondelete="CASCADE"), index=True
    )
    factor: Mapped[PestFactor] = mapped_column(db_enum(PestFactor, "pest_factor"))
    description: Mapped[str] = mapped_column(Text)
    impact: Mapped[int] = mapped_column(SmallInteger)
    likelihood: Mapped[int] = mapped_column(SmallInteger)


class MarketingPlanAction(Base):
    """A row of the action plan: what, who, when, at what cost (the objective-and-task
    budget adds these up)."""

    __tablename__ = "marketing_plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_plans.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    due_on: Mapped[date] = mapped_column(Date)
    cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class MarketingPlanBudgetLine(Base):
    __tablename__ = "marketing_plan_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_plans.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[CampaignChannel | None] = mapped_column(
        db_enum(CampaignChannel, "campaign_channel")
    )
    activity: Mapped[str] = mapped_column(String(200))
    planned_cents: Mapped[int] = mapped_column(BigInteger)


class MarketingPlanChecklistAnswer(Base):
    """The answer to one 7P review question for a plan version."""

    __tablename__ = "marketing_plan_checklist"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("marketing_plans.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    answer: Mapped[ChecklistAnswer] = mapped_column(db_enum(ChecklistAnswer, "checklist_answer"))
    note: Mapped[str | None] = mapped_column(Text)


class MarketingPlanCampaign(Base):
    """A campaign that carries out the plan: its spend is the plan's actual."""

    __tablename__ = "marketing_plan_campaigns"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_plans.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True
    )
