from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.clock import utcnow
from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    CreditGrade,
    CustomerStatus,
    CustomerType,
    InteractionKind,
    RiskLevel,
    db_enum,
)

LIST_FILTERED_SORT_KEYS = (
    ("customer_type", "name"),
    ("customer_type", "external_id"),
    ("customer_type", "deposit_cents"),
    ("branch_id", "external_id"),
    ("branch_id", "deposit_cents"),
    ("branch_id", "customer_type"),
)
"""(filter, sort key) pairs of the customer list that an index serves together; the branch
and name pair already has ``ix_customers_branch_name``, and a manager's book is small."""


class Customer(Timestamped, Base):
    """An individual or corporate customer with the account-manager file's profile fields."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_manager_name", "manager_id", "name"),
        Index("ix_customers_branch_name", "branch_id", "name"),
        # the list's sort keys, each with the id that breaks its ties: a page deep in the
        # list is found on the index alone (SQLite keys each index by id anyway, PostgreSQL
        # does not)
        Index("ix_customers_name", "name", "id"),
        Index("ix_customers_customer_type", "customer_type", "id"),
        Index("ix_customers_branch_id", "branch_id", "id"),
        Index("ix_customers_manager_id", "manager_id", "id"),
        Index("ix_customers_deposit_cents", "deposit_cents", "id"),
        # the same under a filter by type or branch: a page of corporates, or of one branch,
        # is found on the filter's part of the index, not by sorting the whole part
        *(
            Index(f"ix_customers_{filtered}_{key}", filtered, key, "id")
            for filtered, key in LIST_FILTERED_SORT_KEYS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_type: Mapped[CustomerType] = mapped_column(db_enum(CustomerType, "customer_type"))
    status: Mapped[CustomerStatus] = mapped_column(
        db_enum(CustomerStatus, "customer_status"), default=CustomerStatus.ACTIVE
    )
    name: Mapped[str] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    primary_address: Mapped[str | None] = mapped_column(String(300))
    secondary_address: Mapped[str | None] = mapped_column(String(300))
    mobile_phone: Mapped[str | None] = mapped_column(String(64), index=True)
    office_phone: Mapped[str | None] = mapped_column(String(64))
    fax: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    best_visit_time: Mapped[str | None] = mapped_column(String(100))
    income_level: Mapped[str | None] = mapped_column(String(32))
    occupation: Mapped[str | None] = mapped_column(String(100))
    interests: Mapped[str | None] = mapped_column(Text)
    communication_style: Mapped[str | None] = mapped_column(String(100))
    decision_pattern: Mapped[str | None] = mapped_column(String(100))
    product_knowledge: Mapped[str | None] = mapped_column(String(32))
    preferences: Mapped[str | None] = mapped_column(Text)
    other_banks: Mapped[str | None] = mapped_column(String(300))
    other_banks_assets_cents: Mapped[int | None] = mapped_column(BigInteger)
    risk_level: Mapped[RiskLevel | None] = mapped_column(db_enum(RiskLevel, "risk_level"))
    credit_grade: Mapped[CreditGrade | None] = mapped_column(db_enum(CreditGrade, "credit_grade"))
    # corporate extras
    decision_maker: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    ownership: Mapped[str | None] = mapped_column(String(64))
    company_size: Mapped[str | None] = mapped_column(String(32))
    development_stage: Mapped[str | None] = mapped_column(String(32))
    registered_capital_cents: Mapped[int | None] = mapped_column(BigInteger)
    # relationship
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    onboarded_on: Mapped[date | None] = mapped_column(Date)
    retention_hold: Mapped[str | None] = mapped_column(String(300))
    """A legal hold (litigation, investigation) that blocks deletion, with its reason."""
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when a deletion request anonymised the personal fields; imports leave the row be."""
    deposit_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    """Cents in the customer's deposit and settlement accounts that are not closed, kept by
    the store's triggers on every write of an account (the list sorts by it)."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CustomerCount(Base):
    """How many customers share a type, a branch and an account manager, kept by the store's
    triggers on every write of a customer: the customer list's totals and its sorts by
    type, branch and manager read these counts instead of counting every customer."""

    __tablename__ = "customer_counts"
    __table_args__ = {"info": {"kept_by_triggers": True}}  # noqa: RUF012

    customer_type: Mapped[CustomerType] = mapped_column(
        db_enum(CustomerType, "customer_type"), primary_key=True
    )
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The account manager's id; 0 for customers without one (a key cannot hold NULL)."""
    size: Mapped[int] = mapped_column(BigInteger)


class ManagerAssignment(Base):
    """Who managed a customer when; the open row (``ended_on`` empty) is the current manager."""

    __tablename__ = "manager_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(300))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Interaction(Base):
    """A contact with the customer: visit, call, message (回访 follow-ups included)."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    kind: Mapped[InteractionKind] = mapped_column(db_enum(InteractionKind, "interaction_kind"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
