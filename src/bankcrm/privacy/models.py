from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import PrivacyRequestKind, PrivacyRequestStatus, db_enum


class PrivacyRequest(Timestamped, Base):
    """A data subject's request to see, correct or delete their personal data (PIPL)."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(
        db_enum(PrivacyRequestKind, "privacy_request_kind")
    )
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        db_enum(PrivacyRequestStatus, "privacy_request_status"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    """What the customer asked for, in the words of the staff who took the request."""
    reason: Mapped[str | None] = mapped_column(Text)
    """Why the bank processes the request, written like an audit reason (no personal data);
    an access request needs one, and every export records it in the audit trail."""
    corrections: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """For a correction: the profile fields and their new values."""
    outcome: Mapped[str | None] = mapped_column(Text)
    """Why a request was rejected or held."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
