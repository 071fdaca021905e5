from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    RecoveryKind,
    RecoveryStatus,
    Severity,
    db_enum,
)


class Complaint(Timestamped, Base):
    """A complaint case, from intake to closure; ``complaints.workflow`` moves its status."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    channel: Mapped[ComplaintChannel] = mapped_column(
        db_enum(ComplaintChannel, "complaint_channel")
    )
    product_line: Mapped[str] = mapped_column(String(32), default="other")
    """A code of the taxonomy's product lines."""
    issue: Mapped[str] = mapped_column(String(64))
    """A code of the taxonomy's issues."""
    suggested_product_line: Mapped[str | None] = mapped_column(String(32))
    suggested_issue: Mapped[str | None] = mapped_column(String(64))
    """What the classifier proposed at intake; differing from the final labels = a correction."""
    severity: Mapped[Severity] = mapped_column(db_enum(Severity, "severity"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        db_enum(ComplaintStatus, "complaint_status"), default=ComplaintStatus.RECEIVED, index=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    extended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    first_replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The first reply, against the first deadline: what the timeliness rate counts."""
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reply: Mapped[str | None] = mapped_column(Text)
    confirmation: Mapped[CustomerConfirmation | None] = mapped_column(
        db_enum(CustomerConfirmation, "customer_confirmation")
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    root_cause: Mapped[str | None] = mapped_column(String(64))
    """A code of the taxonomy's root causes, which names the service gap it reveals."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ComplaintEvent(Base):
    """One line of a case's timeline: who did what, when, from which status to which."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    """``None`` when the system acted (a reminder, an overdue escalation)."""
    kind: Mapped[ComplaintEventKind] = mapped_column(
        db_enum(ComplaintEventKind, "complaint_event_kind")
    )
    action: Mapped[ComplaintAction | None] = mapped_column(
        db_enum(ComplaintAction, "complaint_action")
    )
    from_status: Mapped[ComplaintStatus | None] = mapped_column(
        db_enum(ComplaintStatus, "complaint_from_status")
    )
    to_status: Mapped[ComplaintStatus | None] = mapped_column(
        db_enum(ComplaintStatus, "complaint_to_status")
    )
    text: Mapped[str | None] = mapped_column(Text)
    """What a person wrote: the reason, the note, the reply."""
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Facts the system records with the entry (the channel of intake, a recovery's kind,
    amount and status, the labels changed, a reminder's due day, an overdue escalation),
    shown in the reader's language."""


class ComplaintRecovery(Timestamped, Base):
    """A service-recovery action; one above the approval limit needs a second person."""

    __tablename__ = "complaint_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[RecoveryKind] = mapped_column(db_enum(RecoveryKind, "recovery_kind"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RecoveryStatus] = mapped_column(db_enum(RecoveryStatus, "recovery_status"))
    maker_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ComplaintModel(Base):
    """A classifier trained on the bank's own closed cases; the newest one is used."""

    __tablename__ = "complaint_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trained_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    cases: Mapped[int] = mapped_column(Integer)
    corrections: Mapped[int] = mapped_column(Integer)
    """How many training cases carry labels an officer corrected from the suggestion."""
    macro_f1_product_line: Mapped[float | None] = mapped_column(Float)
    macro_f1_issue: Mapped[float | None] = mapped_column(Float)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    artifact: Mapped[bytes] = mapped_column(LargeBinary)
