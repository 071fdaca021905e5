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
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    SendStatus,
    db_enum,
)


class SavedSegment(Timestamped, Base):
    """A segment query kept by name (quadrant, tier, lifecycle, churn risk, products held,
    branch …): evaluated afresh whenever it is counted, frozen into members at launch."""

    __tablename__ = "saved_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Campaign(Timestamped, Base):
    """A campaign: whom (a segment), why (the objective), how (one channel, a message, an
    offer), when, at what cost, and its random control group. Launching freezes the
    segment into :class:`CampaignMember` rows."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    objective: Mapped[CampaignObjective] = mapped_column(
        db_enum(CampaignObjective, "campaign_objective")
    )
    channel: Mapped[CampaignChannel] = mapped_column(db_enum(CampaignChannel, "campaign_channel"))
    status: Mapped[CampaignStatus] = mapped_column(
        db_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT, index=True
    )
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("saved_segments.id"))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The segment's query as it stood when the campaign was saved; launch evaluates this."""
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    """A branch's own campaign; none for a bank-wide one."""
    subject: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    control_share: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_per_contact_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fixed_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    members: Mapped[int] = mapped_column(Integer, default=0)
    treatment: Mapped[int] = mapped_column(Integer, default=0)
    control: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CampaignMember(Base):
    """One customer of a launched campaign: treatment (contacted), control (held out at
    random) or excluded (with the reason), and what came of it."""

    __tablename__ = "campaign_members"
    __table_args__ = (
        Index("ix_campaign_members_customer", "customer_id", "campaign_id"),
        Index("ix_campaign_members_campaign_group", "campaign_id", "group"),
    )

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    group: Mapped[CampaignGroup] = mapped_column(db_enum(CampaignGroup, "campaign_group"))
    branch_id: Mapped[int | None] = mapped_column(Integer)
    manager_id: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    """Why the customer is in the list (the criteria they met, the consent relied on), or
    for an excluded customer why they are left out."""
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded: Mapped[bool] = mapped_column(Boolean, default=False)
    converted: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MarketingConsent(Base):
    """A customer's yes or no to marketing on one channel (PIPL), with where it was given
    and when. The newest row of a customer and channel is in force; older rows stay."""

    __tablename__ = "marketing_consents"
    __table_args__ = (
        Index("ix_marketing_consents_customer_channel", "customer_id", "channel", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[CampaignChannel] = mapped_column(db_enum(CampaignChannel, "campaign_channel"))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(64))
    """Where the answer was given: the account-opening form, the app, a call, an import."""
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MarketingHoldout(Timestamped, Base):
    """A bank-wide holdout: customers drawn at random whom no campaign contacts between
    ``starts_on`` and ``ends_on``, so that the sum of all campaigns can be measured."""

    __tablename__ = "marketing_holdouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    share: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class HoldoutMember(Base):
    __tablename__ = "marketing_holdout_members"

    holdout_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_holdouts.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)


class CampaignSend(Base):
    """One message to one member on the campaign's channel: sent, failed or skipped (the
    campaign was stopped), with the tries it took and the provider's reference."""

    __tablename__ = "campaign_sends"
    __table_args__ = (Index("ix_campaign_sends_campaign_customer", "campaign_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[CampaignChannel] = mapped_column(db_enum(CampaignChannel, "campaign_channel"))
    status: Mapped[SendStatus] = mapped_column(db_enum(SendStatus, "send_status"))
    attempts: Mapped[int] = mapped_column(SmallInteger)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
