"""Training's REST endpoints (courses, attendance, certificates), under ``/api/v1/training``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.core.config import get_settings
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.staff.training import service
from bankcrm.staff.training.schemas import (
    AttendanceCreate,
    AttendanceRead,
    CertificateRead,
    CertificateRevoke,
    CourseCreate,
    CourseRead,
)
from bankcrm.web.deps import DbSession, TrainingManage, TrainingRead
from bankcrm.web.locale import request_locale

router = APIRouter(prefix="/training", tags=["training"])

MAX_WARNING_DAYS = 3_660


@router.get("/courses", response_model=list[CourseRead])
def list_courses(
    request: Request, session: DbSession, user: TrainingRead, include_inactive: bool = False
) -> list[CourseRead]:
    """The course catalogue by code."""
    return service.list_courses(
        session,
        settings=get_settings().training,
        locale=request_locale(request),
        include_inactive=include_inactive,
    )


@router.post("/courses", response_model=CourseRead, status_code=201)
def create_course(
    request: Request, session: DbSession, user: TrainingManage, body: CourseCreate
) -> CourseRead:
    """Add a course; one that certifies a qualification needs a pass mark (409 when its
    code is taken)."""
    return service.create_course(
        session, settings=get_settings().training, data=body, locale=request_locale(request)
    )


@router.post("/attendances", response_model=AttendanceRead, status_code=201)
def record_attendance(
    request: Request, session: DbSession, user: TrainingManage, body: AttendanceCreate
) -> AttendanceRead:
    """Record a member of the caller's branch attending a course with their assessment
    score; passing a course that certifies a qualification issues the certificate."""
    return service.record_attendance(
        session,
        user=user,
        settings=get_settings().training,
        data=body,
        locale=request_locale(request),
    )


@router.get("/attendances", response_model=list[AttendanceRead])
def list_attendances(
    session: DbSession,
    user: TrainingRead,
    staff_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[AttendanceRead]:
    """The attendance the caller sees (their own; a branch manager's branch), the latest
    first."""
    return service.list_attendances(session, user=user, staff_id=staff_id)


@router.get("/certificates", response_model=list[CertificateRead])
def list_certificates(
    request: Request,
    session: DbSession,
    user: TrainingRead,
    staff_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=MAX_WARNING_DAYS)] = None,
) -> list[CertificateRead]:
    """The certificates the caller sees, the soonest to expire first; with
    ``expiring_within_days`` only those held and expiring within that many days."""
    return service.list_certificates(
        session,
        user=user,
        settings=get_settings().training,
        locale=request_locale(request),
        staff_id=staff_id,
        expiring_within_days=expiring_within_days,
    )


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificateRead)
def revoke_certificate(
    request: Request,
    session: DbSession,
    user: TrainingManage,
    certificate_id: RowId,
    body: CertificateRevoke,
) -> CertificateRead:
    """Revoke a certificate of the caller's branch; it qualifies for nothing from now on."""
    return service.revoke_certificate(
        session,
        user=user,
        settings=get_settings().training,
        certificate_id=certificate_id,
        data=body,
        locale=request_locale(request),
    )
