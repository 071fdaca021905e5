from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped


class TrainingCourse(Timestamped, Base):
    """A course staff attend: its hours, the assessment's pass mark and the qualification
    (certificate) passing it grants, valid for a number of months."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[float | None] = mapped_column(Float)
    """The assessment score needed to pass; ``None`` when the course has no assessment."""
    qualification: Mapped[str | None] = mapped_column(String(32))
    validity_months: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class TrainingAttendance(Timestamped, Base):
    """One person's attendance of a course on a day, with their assessment result."""

    __tablename__ = "training_attendances"
    __table_args__ = (UniqueConstraint("course_id", "staff_id", "attended_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    attended_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Float)
    assessment_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))


class StaffCertificate(Timestamped, Base):
    """A qualification a member of staff holds (e.g. wealth-sales), from when to when."""

    __tablename__ = "staff_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    qualification: Mapped[str] = mapped_column(String(32), index=True)
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("training_attendances.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
