from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base
from bankcrm.core.enums import AuditAction, db_enum


class AuditEntry(Base):
    """One audited event, chained to the one before by ``prev_hash``.

    Append-only: database triggers refuse UPDATE and DELETE (see the migration), and
    ``bankcrm audit verify`` recomputes every hash. Personal values never appear in clear:
    ``before_json``/``after_json`` hold keyed fingerprints of them (privacy/fields.py), so an
    erased customer stays erased here too."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_entity", "entity", "entity_id"),
        Index("ix_audit_entries_customer_seq", "customer_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The staff user who acted; no foreign key, so the trail outlives the account."""
    actor_label: Mapped[str] = mapped_column(String(100))
    """The user's name at the time, or the system job (``cli``, ``import``, ``demo``)."""
    action: Mapped[AuditAction] = mapped_column(db_enum(AuditAction, "audit_action"), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last link (one row); appenders lock it, so links never fork."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
