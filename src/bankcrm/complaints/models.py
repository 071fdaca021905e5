from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import ComplaintChannel, ComplaintStatus, Severity, db_enum


class Complaint(Timestamped, Base):
    """A complaint case; the workflow, recovery and classification build on these fields."""

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
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(db_enum(Severity, "severity"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        db_enum(ComplaintStatus, "complaint_status"), default=ComplaintStatus.RECEIVED
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    root_cause: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
