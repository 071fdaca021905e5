"""The pages of training courses, attendance and certificates: ``/training`` shows the
viewer's own training and certificates, and to a branch manager (an admin, a compliance
auditor) the branch's with the certificates expiring soonest first, with the form that
records an attendance; ``/training/courses`` is the course catalogue and, for those who keep
it, the form that adds a course."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training import service
from bankcrm.staff.training.qualifications import CertificateState
from bankcrm.staff.training.schemas import AttendanceCreate, CertificateRevoke, CourseCreate
from bankcrm.web.deps import PageTrainingManage, PageTrainingRead
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/training")

Model = TypeVar("Model", bound=BaseModel)


NOT_SAVED = _("The training record was not saved")
ALREADY = _("This is already recorded")
DENIED = _("You may not change this training record")


def _parse(model: type[Model], values: dict[str, Any]) -> Model:
    """A form's values as the API's body, its first problem named by field."""
    try:
        return model.model_validate(values, strict=False)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ValidationFailed(f"{field}: {problem['msg']}", field=field) from None


def _values(form: FormData, *names: str) -> dict[str, Any]:
    """The named fields of the form, a blank one as none."""
    values: dict[str, Any] = {}
    for name in names:
        text = str(form.get(name) or "").strip()
        values[name] = text or None
    return values


# --- my training, and the branch's ----------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def training_page(request: Request, session: DbSession, user: PageTrainingRead) -> Response:
    return _render_training(request, session, user)


def _render_training(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    problem: Problem | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    settings = get_settings().training
    mine = service.overview(session, user=user, settings=settings, locale=locale, staff_id=user.id)
    manages = has_permission(user.role, Permission.TRAINING_MANAGE)
    everyone = service.overview(session, user=user, settings=settings, locale=locale)
    others = [each for each in everyone.certificates if each.staff_id != user.id]
    return render(
        request,
        "training/index.html",
        {
            "mine": mine,
            "branch_certificates": others,
            "branch_attendances": [
                each for each in everyone.attendances if each.staff_id != user.id
            ][:200],
            "expiring": [each for each in others if each.state is CertificateState.EXPIRING],
            "warning_days": settings.expiry_warning_days,
            "manages": manages,
            "courses": service.list_courses(session, settings=settings, locale=locale)
            if manages
            else [],
            "trainees": [
                (staff.id, staff.full_name) for staff in service.trainees(session, user=user)
            ]
            if manages
            else [],
            "typed": typed or {},
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


@router.post("/attendances", response_class=HTMLResponse)
async def record_attendance(
    request: Request, session: DbSession, user: PageTrainingManage
) -> Response:
    form = await request.form()
    values = _values(form, "course_id", "staff_id", "attended_on", "hours", "assessment_score")
    try:
        service.record_attendance(
            session,
            user=user,
            settings=get_settings().training,
            data=_parse(AttendanceCreate, values),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(session, error, conflict=ALREADY, denied=DENIED, otherwise=NOT_SAVED)
        typed = {key: value for key, value in values.items() if value is not None}
        return _render_training(
            request, session, user, problem=problem, typed=typed, status_code=error.status_code
        )
    session.commit()
    return RedirectResponse("/training", status_code=303)


@router.post("/certificates/{certificate_id}/revoke", response_class=HTMLResponse)
async def revoke_certificate(
    request: Request, session: DbSession, user: PageTrainingManage, certificate_id: RowId
) -> Response:
    form = await request.form()
    try:
        service.revoke_certificate(
            session,
            user=user,
            settings=get_settings().training,
            certificate_id=certificate_id,
            data=_parse(CertificateRevoke, _values(form, "reason")),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(session, error, conflict=ALREADY, denied=DENIED, otherwise=NOT_SAVED)
        return _render_training(
            request, session, user, problem=problem, status_code=error.status_code
        )
    session.commit()
    return RedirectResponse("/training", status_code=303)


# --- the course catalogue -------------------------------------------------------------------


@router.get("/courses", response_class=HTMLResponse)
def courses_page(request: Request, session: DbSession, user: PageTrainingRead) -> Response:
    return _render_courses(request, session, user)


def _render_courses(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    problem: Problem | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    settings = get_settings().training
    known = service.catalogue(settings)
    return render(
        request,
        "training/courses.html",
        {
            "courses": service.list_courses(
                session, settings=settings, locale=locale, include_inactive=True
            ),
            "qualifications": [
                (each.code, each.name.text(locale)) for each in known.qualifications
            ],
            "manages": has_permission(user.role, Permission.TRAINING_MANAGE),
            "typed": typed or {},
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


@router.post("/courses", response_class=HTMLResponse)
async def create_course(request: Request, session: DbSession, user: PageTrainingManage) -> Response:
    form = await request.form()
    values = _values(form, "code", "name", "hours", "pass_mark", "qualification", "validity_months")
    try:
        service.create_course(
            session,
            settings=get_settings().training,
            data=_parse(CourseCreate, values),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(session, error, conflict=ALREADY, denied=DENIED, otherwise=NOT_SAVED)
        typed = {key: value for key, value in values.items() if value is not None}
        return _render_courses(
            request, session, user, problem=problem, typed=typed, status_code=error.status_code
        )
    session.commit()
    return RedirectResponse("/training/courses", status_code=303)
