from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import Role, SessionKind, db_enum


class StaffUser(Timestamped, Base):
    """A member of staff who logs in; the role decides what they may do and see."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(db_enum(Role, "role"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_locale: Mapped[str | None] = mapped_column(String(8))


class StaffSession(Base):
    """One login, a page session or an API token: it holds until logout, and all of a user's
    end at once when their password, role or access changes. The cookie or token carries a
    random key; only its digest is stored, so reading this table logs nobody in."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(db_enum(SessionKind, "session_kind"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginBackoff(Base):
    """Failed logins to one username from one network address, and how long that address
    must wait before its next try at it. The owner, elsewhere, is never locked out; a name
    that belongs to nobody backs off alike, so the wait tells no one which names exist."""

    __tablename__ = "login_backoffs"
    __table_args__ = (UniqueConstraint("username", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    wait_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
