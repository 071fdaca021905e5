from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base
from bankcrm.core.enums import TicketPriority, TicketStatus, db_enum


class QueueTicket(Base):
    """A visit to a branch as the queue system saw it (NovoSGA's model): the ticket drawn
    for a service type and priority, when it was called, when service began and ended, at
    which counter and by whom. Imported from the queue system or entered on the ticket
    page."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        UniqueConstraint("branch_id", "issued_on", "number"),
        Index("ix_queue_tickets_branch_arrived", "branch_id", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    """The bank's calendar day the ticket was drawn (numbers restart every day)."""
    number: Mapped[str] = mapped_column(String(16))
    service_type: Mapped[str] = mapped_column(String(32))
    priority: Mapped[TicketPriority] = mapped_column(db_enum(TicketPriority, "ticket_priority"))
    status: Mapped[TicketStatus] = mapped_column(db_enum(TicketStatus, "ticket_status"))
    arrived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counter: Mapped[str | None] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    """``page`` or the imported file's name."""
