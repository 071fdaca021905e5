"""Training's operations: the bank keeps a course catalogue; a branch manager (an admin for
the whole bank) records who attended which course and their assessment score, and passing a
course that certifies a qualification issues the certificate, valid for the course's
months; a certificate can be revoked. Everyone sees their own training, a branch manager
their branch's with the certificates expiring soonest first. The offers gate asks
:func:`seller_qualifications` which qualifications a seller holds on the day of a sale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import TrainingSettings
from bankcrm.core.enums import AuditAction
from bankcrm.core.exceptions import Conflict, NotFound, ValidationFailed
from bankcrm.scope import sees_branch
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training import qualifications
from bankcrm.staff.training import repository as training_repository
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance, TrainingCourse
from bankcrm.staff.training.repository import TrainingRepository
from bankcrm.staff.training.schemas import (
    AttendanceCreate,
    AttendanceRead,
    CertificateRead,
    CertificateRevoke,
    CourseCreate,
    CourseRead,
    TrainingOverview,
)

LIST_LIMIT = 1_000
CERTIFICATES_ENTITY = "staff_certificates"


@lru_cache(maxsize=4)
def _catalogue_from(path: Path | None) -> qualifications.QualificationCatalogue:
    if path is None:
        return qualifications.load_shipped()
    return qualifications.parse_qualifications(path.read_text(encoding="utf-8"), origin=path.name)


def catalogue(settings: TrainingSettings) -> qualifications.QualificationCatalogue:
    """The bank's qualifications (``training.qualifications``), or the shipped ones."""
    return _catalogue_from(settings.qualifications)


# --- the gate's question --------------------------------------------------------------------


def seller_qualifications(session: Session, *, seller: StaffUser, on: date) -> frozenset[str]:
    """The qualifications ``seller`` holds a valid certificate of on ``on``."""
    held = TrainingRepository(session, seller).certificates(
        conditions=[
            StaffCertificate.staff_id == seller.id,
            StaffCertificate.revoked_at.is_(None),
            StaffCertificate.issued_on <= on,
            StaffCertificate.expires_on.is_(None) | (StaffCertificate.expires_on >= on),
        ],
        limit=LIST_LIMIT,
    )
    return frozenset(row.qualification for row in held)


# --- courses --------------------------------------------------------------------------------


def list_courses(
    session: Session, *, settings: TrainingSettings, locale: str, include_inactive: bool = False
) -> list[CourseRead]:
    known = catalogue(settings)
    return [
        _course_read(row, known, locale)
        for row in training_repository.courses(session, include_inactive=include_inactive)
    ]


def create_course(
    session: Session, *, settings: TrainingSettings, data: CourseCreate, locale: str
) -> CourseRead:
    """Add a course; a qualifying course names a qualification the bank keeps."""
    known = catalogue(settings)
    if data.qualification is not None and known.get(data.qualification) is None:
        codes = ", ".join(each.code for each in known.qualifications)
        raise ValidationFailed(
            f"no qualification {data.qualification!r} (the bank keeps {codes})",
            field="qualification",
        )
    if data.qualification is not None and data.pass_mark is None:
        raise ValidationFailed(
            "a course that certifies a qualification needs an assessment pass mark",
            field="pass_mark",
        )
    if data.validity_months is not None and data.qualification is None:
        raise ValidationFailed(
            "only a course that certifies a qualification has a validity",
            field="validity_months",
        )
    if training_repository.course_by_code(session, data.code) is not None:
        raise Conflict(f"a course {data.code} already exists")
    row = TrainingCourse(
        code=data.code,
        name=data.name,
        hours=data.hours,
        pass_mark=data.pass_mark,
        qualification=data.qualification,
        validity_months=data.validity_months,
        is_active=True,
    )
    session.add(row)
    session.flush()
    return _course_read(row, known, locale)


# --- attendance -----------------------------------------------------------------------------


def record_attendance(
    session: Session,
    *,
    user: StaffUser,
    settings: TrainingSettings,
    data: AttendanceCreate,
    locale: str,
) -> AttendanceRead:
    """Record that a member of the manager's branch attended a course, with the assessment
    score; passing a course that certifies a qualification issues the certificate."""
    course = training_repository.course(session, data.course_id)
    if course is None or not course.is_active:
        raise ValidationFailed(f"no course {data.course_id} running", field="course_id")
    staff = staff_repository.get_by_id(session, data.staff_id)
    if staff is None or not sees_branch(user, staff.branch_id):
        raise ValidationFailed(f"no member of staff {data.staff_id} you train", field="staff_id")
    if data.attended_on > bank_today():
        raise ValidationFailed("an attendance cannot be recorded ahead", field="attended_on")
    if course.pass_mark is None and data.assessment_score is not None:
        raise ValidationFailed(f"course {course.code} has no assessment", field="assessment_score")
    passed = qualifications.assessment_passed(data.assessment_score, course.pass_mark)
    row = TrainingAttendance(
        course_id=course.id,
        staff_id=staff.id,
        branch_id=staff.branch_id,
        attended_on=data.attended_on,
        hours=data.hours if data.hours is not None else course.hours,
        assessment_score=data.assessment_score,
        passed=passed,
        recorded_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"{staff.full_name}'s attendance of {course.code} on {data.attended_on} is "
            "already recorded"
        ) from None
    certificate = None
    if passed and course.qualification is not None:
        certificate = StaffCertificate(
            staff_id=staff.id,
            branch_id=staff.branch_id,
            qualification=course.qualification,
            attendance_id=row.id,
            issued_on=data.attended_on,
            expires_on=qualifications.expiry_day(data.attended_on, course.validity_months),
        )
        session.add(certificate)
        session.flush()
    known = catalogue(settings)
    read = _attendance_read(session, row, course)
    if certificate is not None:
        read.certificate = _certificate_read(session, certificate, known, settings, locale)
    return read


def list_attendances(
    session: Session,
    *,
    user: StaffUser,
    staff_id: int | None = None,
) -> list[AttendanceRead]:
    """The attendance the viewer sees (their own; a branch manager's branch), the latest
    first, of one person when asked."""
    conditions: list[ColumnElement[bool]] = []
    if staff_id is not None:
        conditions.append(TrainingAttendance.staff_id == staff_id)
    rows = TrainingRepository(session, user).attendances(conditions=conditions, limit=LIST_LIMIT)
    courses = {
        each.id: each for each in training_repository.courses(session, include_inactive=True)
    }
    return [_attendance_read(session, row, courses[row.course_id]) for row in rows]


# --- certificates ---------------------------------------------------------------------------


def list_certificates(
    session: Session,
    *,
    user: StaffUser,
    settings: TrainingSettings,
    locale: str,
    staff_id: int | None = None,
    expiring_within_days: int | None = None,
) -> list[CertificateRead]:
    """The certificates the viewer sees, the soonest to expire first; with
    ``expiring_within_days``, only those still held and expiring within that many days."""
    conditions: list[ColumnElement[bool]] = []
    if staff_id is not None:
        conditions.append(StaffCertificate.staff_id == staff_id)
    if expiring_within_days is not None:
        today = bank_today()
        conditions += [
            StaffCertificate.revoked_at.is_(None),
            StaffCertificate.expires_on >= today,
            StaffCertificate.expires_on <= today + timedelta(days=expiring_within_days),
        ]
    rows = TrainingRepository(session, user).certificates(conditions=conditions, limit=LIST_LIMIT)
    known = catalogue(settings)
    return [_certificate_read(session, row, known, settings, locale) for row in rows]


def revoke_certificate(
    session: Session,
    *,
    user: StaffUser,
    settings: TrainingSettings,
    certificate_id: int,
    data: CertificateRevoke,
    locale: str,
) -> CertificateRead:
    """Revoke a certificate of the manager's branch (an admin's: any); from now on it
    qualifies its holder for nothing."""
    found = TrainingRepository(session, user).certificates(
        conditions=[StaffCertificate.id == certificate_id], limit=1
    )
    row = found[0] if found else None
    if row is None or not sees_branch(user, row.branch_id):
        raise NotFound(f"no certificate {certificate_id} you manage")
    if row.revoked_at is not None:
        raise Conflict(f"certificate {certificate_id} is already revoked")
    row.revoked_at = utcnow()
    audit_recorder.record(
        session,
        action=AuditAction.UPDATE,
        entity=CERTIFICATES_ENTITY,
        entity_id=row.id,
        reason=data.reason,
        after={"revoked_at": row.revoked_at.isoformat(), "qualification": row.qualification},
    )
    session.flush()
    return _certificate_read(session, row, catalogue(settings), settings, locale)


def overview(
    session: Session,
    *,
    user: StaffUser,
    settings: TrainingSettings,
    locale: str,
    staff_id: int | None = None,
) -> TrainingOverview:
    """One person's training, or all the viewer sees when no one is named."""
    attendances = list_attendances(session, user=user, staff_id=staff_id)
    certificates = list_certificates(
        session, user=user, settings=settings, locale=locale, staff_id=staff_id
    )
    return TrainingOverview(
        attendances=attendances,
        certificates=_soonest_attention_first(certificates),
        hours=round(sum(each.hours for each in attendances), 2),
    )


def trainees(session: Session, *, user: StaffUser) -> list[StaffUser]:
    """Whom the viewer records attendance for: their branch's staff (everyone's for an
    admin), by name."""
    return sorted(
        (
            staff
            for staff in staff_repository.list_users(session)
            if staff.is_active and sees_branch(user, staff.branch_id)
        ),
        key=lambda staff: (staff.full_name, staff.id),
    )


# --- reads ----------------------------------------------------------------------------------


def _soonest_attention_first(certificates: Sequence[CertificateRead]) -> list[CertificateRead]:
    """Expiring certificates first, then those still valid, then the lapsed."""
    order = {
        qualifications.CertificateState.EXPIRING: 0,
        qualifications.CertificateState.VALID: 1,
        qualifications.CertificateState.NOT_YET_VALID: 2,
        qualifications.CertificateState.EXPIRED: 3,
        qualifications.CertificateState.REVOKED: 4,
    }
    return sorted(certificates, key=lambda each: order[each.state])


def _course_read(
    row: TrainingCourse, known: qualifications.QualificationCatalogue, locale: str
) -> CourseRead:
    return CourseRead(
        id=row.id,
        code=row.code,
        name=row.name,
        hours=row.hours,
        pass_mark=row.pass_mark,
        qualification=row.qualification,
        qualification_name=(
            known.name(row.qualification, locale) if row.qualification is not None else None
        ),
        validity_months=row.validity_months,
        is_active=row.is_active,
    )


def _full_name(session: Session, staff_id: int) -> str | None:
    staff = staff_repository.get_by_id(session, staff_id)
    return staff.full_name if staff is not None else None


def _attendance_read(
    session: Session,
    row: TrainingAttendance,
    course: TrainingCourse,
) -> AttendanceRead:
    return AttendanceRead(
        id=row.id,
        course_id=course.id,
        course_code=course.code,
        course_name=course.name,
        staff_id=row.staff_id,
        staff_name=_full_name(session, row.staff_id),
        branch_id=row.branch_id,
        attended_on=row.attended_on,
        hours=row.hours,
        assessment_score=row.assessment_score,
        passed=row.passed,
        recorded_by_id=row.recorded_by_id,
    )


def _certificate_read(
    session: Session,
    row: StaffCertificate,
    known: qualifications.QualificationCatalogue,
    settings: TrainingSettings,
    locale: str,
) -> CertificateRead:
    today = bank_today()
    return CertificateRead(
        id=row.id,
        staff_id=row.staff_id,
        staff_name=_full_name(session, row.staff_id),
        branch_id=row.branch_id,
        qualification=row.qualification,
        qualification_name=known.name(row.qualification, locale),
        attendance_id=row.attendance_id,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        revoked_at=row.revoked_at,
        state=qualifications.state(
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            revoked=row.revoked_at is not None,
            today=today,
            warning_days=settings.expiry_warning_days,
        ),
        days_left=qualifications.days_left(row.expires_on, today),
    )
