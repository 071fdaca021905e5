from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    AccountPartyRole,
    AccountStatus,
    Direction,
    LoanClass,
    TransactionChannel,
    db_enum,
)


class Account(Timestamped, Base):
    """An account in the core banking system (deposit, loan or card), owned by one customer."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[AccountStatus] = mapped_column(
        db_enum(AccountStatus, "account_status"), default=AccountStatus.OPEN
    )
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_limit_cents: Mapped[int | None] = mapped_column(BigInteger)
    loan_class: Mapped[LoanClass | None] = mapped_column(db_enum(LoanClass, "loan_class"))
    """A loan's five-category classification; none for deposits and cards."""


class Holding(Timestamped, Base):
    """A position in a wealth, fund or insurance product (not a ledger account)."""

    __tablename__ = "holdings"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Transaction(Base):
    """A booked movement on an account. ``customer_id`` is kept for analytics without joins."""

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_customer_booked", "customer_id", "booked_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[Direction] = mapped_column(db_enum(Direction, "direction"))
    channel: Mapped[TransactionChannel] = mapped_column(
        db_enum(TransactionChannel, "transaction_channel")
    )
    kind: Mapped[str] = mapped_column(String(32))
    customer_initiated: Mapped[bool] = mapped_column(Boolean, default=True)
    balance_after_cents: Mapped[int | None] = mapped_column(BigInteger)
    counterparty_bank: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))


class AccountParty(Base):
    """A person with rights on an account: its owner or someone authorised to use it."""

    __tablename__ = "account_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    role: Mapped[AccountPartyRole] = mapped_column(db_enum(AccountPartyRole, "account_party_role"))


class StandingOrder(Base):
    """A permanent payment instruction on an account (insurance, household bills, loan, leasing)."""

    __tablename__ = "standing_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str | None] = mapped_column(String(32))
    counterparty_bank: Mapped[str | None] = mapped_column(String(64))
    counterparty_account: Mapped[str | None] = mapped_column(String(64))
