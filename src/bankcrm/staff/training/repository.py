"""All SQL of training, for a viewer: a person's attendance and certificates are seen by
them and their branch (the whole bank for roles that see it all, ``scope.OWNERSHIP``); the
course catalogue is the bank's and seen by everyone who reads training."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bankcrm.scope import ScopedRepository
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance, TrainingCourse


class TrainingRepository(ScopedRepository):
    """The attendance and certificates the viewer may see."""

    def attendances(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[TrainingAttendance]:
        """Attendance, the latest first."""
        statement = (
            self.owned(TrainingAttendance)
            .where(*conditions)
            .order_by(TrainingAttendance.attended_on.desc(), TrainingAttendance.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def certificates(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[StaffCertificate]:
        """Certificates, the soonest to expire first (those that never expire last)."""
        statement = (
            self.owned(StaffCertificate)
            .where(*conditions)
            .order_by(
                StaffCertificate.expires_on.is_(None),
                StaffCertificate.expires_on,
                StaffCertificate.id,
            )
            .limit(limit)
        )
        return list(self.session.scalars(statement))


def courses(session: Session, *, include_inactive: bool) -> list[TrainingCourse]:
    """The course catalogue by code."""
    statement = select(TrainingCourse).order_by(TrainingCourse.code)
    if not include_inactive:
        statement = statement.where(TrainingCourse.is_active)
    return list(session.scalars(statement))


def course(session: Session, course_id: int) -> TrainingCourse | None:
    return session.get(TrainingCourse, course_id)


def course_by_code(session: Session, code: str) -> TrainingCourse | None:
    return session.scalar(select(TrainingCourse).where(TrainingCourse.code == code))
