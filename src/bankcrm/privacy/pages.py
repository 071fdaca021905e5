"""Privacy request pages: the register, a new request, and one request with its decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import StringConstraints
from sqlalchemy.orm import Session

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import PrivacyRequestKind, PrivacyRequestStatus
from bankcrm.core.exceptions import BankcrmError, NotFound, ValidationFailed
from bankcrm.core.inputs import FormText
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.customers import service as customers_service
from bankcrm.privacy import endpoints, service
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PagePrivacyApprove, PagePrivacyRequests
from bankcrm.web.filters import chosen_id
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/privacy")

Version = Annotated[int, Form(ge=1, le=MAX_ID)]
StorableText = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]
ReasonText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
CORRECTION_ROWS = 3
"""Field/new-value rows on the new-request form; a correction rarely touches more fields."""
STATUS_BADGES = {
    PrivacyRequestStatus.RECEIVED: "text-bg-primary",
    PrivacyRequestStatus.COMPLETED: "text-bg-success",
    PrivacyRequestStatus.REJECTED: "text-bg-danger",
    PrivacyRequestStatus.HELD: "text-bg-warning",
}


FIELD_LABELS: dict[str, str] = {
    "name": _("Name"),
    "nickname": _("Nickname"),
    "id_number": _("ID number"),
    "birth_date": _("Date of birth"),
    "primary_address": _("Primary address"),
    "secondary_address": _("Secondary address"),
    "mobile_phone": _("Mobile phone"),
    "office_phone": _("Office phone"),
    "fax": _("Fax"),
    "email": _("E-mail"),
    "gender": _("Gender"),
    "best_visit_time": _("Best time to visit"),
    "income_level": _("Income level"),
    "occupation": _("Occupation"),
    "interests": _("Interests"),
    "communication_style": _("Communication style"),
    "decision_pattern": _("Decision pattern"),
    "preferences": _("Preferences"),
    "other_banks": _("Other banks used"),
    "decision_maker": _("Decision maker"),
}
"""The customer 360's words for the profile fields a correction can change."""


@dataclass(frozen=True)
class NewRequestForm:
    """What was typed into the new-request form, shown again when it is refused."""

    customer_id: str = ""
    kind: str = PrivacyRequestKind.ACCESS.value
    note: str = ""
    reason: str = ""
    corrections: tuple[tuple[str, str], ...] = ()

    def rows(self) -> list[tuple[str, str]]:
        shown = list(self.corrections)
        return shown + [("", "")] * max(CORRECTION_ROWS - len(shown), 0)


def _field_choices(locale: str) -> list[tuple[str, str]]:
    return [
        (field, gettext(locale, FIELD_LABELS[field]) if field in FIELD_LABELS else field)
        for field in service.CORRECTABLE_FIELDS
    ]


@router.get("", response_class=HTMLResponse)
def request_list(
    request: Request,
    session: DbSession,
    user: PagePrivacyRequests,
    status: Annotated[str | None, Query(max_length=16)] = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    chosen_status = PrivacyRequestStatus(status) if status in set(PrivacyRequestStatus) else None
    return _render_list(
        request,
        session,
        user,
        status=chosen_status,
        overdue=overdue,
        page=page,
        page_size=page_size,
        form=NewRequestForm(),
    )


@router.post("", response_class=HTMLResponse)
async def register_request(
    request: Request,
    session: DbSession,
    user: PagePrivacyRequests,
    kind: Annotated[PrivacyRequestKind, Form()],
    customer_id: Annotated[str, Form(max_length=20)] = "",
    note: ReasonText = "",
    reason: ReasonText = "",
    correction_field: Annotated[list[str] | None, Form()] = None,
    correction_value: Annotated[list[StorableText] | None, Form()] = None,
) -> Response:
    """Registers the request and opens it; a refused form comes back filled in, with why."""
    await check_csrf(request)
    pairs = [
        (field, value.strip())
        for field, value in zip(correction_field or [], correction_value or [], strict=False)
        if field
    ]
    form = NewRequestForm(
        customer_id=customer_id.strip(),
        kind=kind.value,
        note=note,
        reason=reason,
        corrections=tuple(pairs),
    )
    chosen_customer = chosen_id(form.customer_id)
    corrections: dict[str, str | None] = dict(pairs)
    if chosen_customer is None or len(corrections) < len(pairs):
        headline = (
            _("Enter the customer ID: the number at the end of the customer page's address.")
            if chosen_customer is None
            else _("Each field can be corrected only once in a request.")
        )
        return _render_list(
            request, session, user, form=form, problem=Problem(headline), status_code=422
        )
    try:
        created = service.create_request(
            session,
            user=user,
            customer_id=chosen_customer,
            kind=kind,
            note=note,
            reason=reason,
            corrections=corrections or None,
        )
    except BankcrmError as error:
        # nothing of a refused request may be committed with the page
        session.rollback()
        if isinstance(error, NotFound):
            headline = _("No customer with this ID among the customers you may see.")
        elif isinstance(error, ValidationFailed) and error.field == "reason":
            headline = _(
                "Give the reason for the request: an access request hands the customer's "
                "data over, and the reason is recorded with the download."
            )
        else:
            headline = _("The request could not be registered.")
        return _render_list(
            request,
            session,
            user,
            form=form,
            problem=Problem(headline, error.message),
            status_code=error.status_code,
        )
    return RedirectResponse(f"/privacy/{created.id}", status_code=303)


def _render_list(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    form: NewRequestForm,
    status: PrivacyRequestStatus | None = None,
    overdue: bool = False,
    page: int = 1,
    page_size: int = 25,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    result = service.list_requests(
        session, user=user, status=status, overdue=overdue, page=page, page_size=page_size
    )
    locale = request_locale(request)
    # the chosen customer is shown by name; one the user may not see starts the picker empty
    customer_label = customers_service.picked_customer(
        session, user=user, customer_id=chosen_id(form.customer_id)
    )
    context: dict[str, Any] = {
        "result": result,
        "customer_label": customer_label,
        "customer_value": form.customer_id if customer_label else "",
        "status_badges": STATUS_BADGES,
        "status": status.value if status else "",
        "overdue": overdue,
        "statuses": list(PrivacyRequestStatus),
        "kinds": list(PrivacyRequestKind),
        "fields": _field_choices(locale),
        "form": form,
        "problem": translated(problem, locale),
        "query": {
            "status": status.value if status else "",
            "overdue": "1" if overdue else "",
            "page_size": page_size,
        },
    }
    return render(request, "privacy/list.html", context, status_code=status_code)


@router.get("/{request_id}", response_class=HTMLResponse)
def request_detail(
    request: Request, session: DbSession, user: PagePrivacyRequests, request_id: RowId
) -> Response:
    return _render_detail(request, session, user, request_id)


@router.post("/{request_id}/approve", response_class=HTMLResponse)
async def approve_request(
    request: Request,
    session: DbSession,
    user: PagePrivacyApprove,
    request_id: RowId,
    version: Version,
) -> Response:
    """Carries out a correction or deletion registered by someone else."""
    await check_csrf(request)
    try:
        service.approve(session, user=user, request_id=request_id, version=version)
    except BankcrmError as error:
        return _refused(request, session, user, request_id, error)
    return RedirectResponse(f"/privacy/{request_id}", status_code=303)


@router.post("/{request_id}/reject", response_class=HTMLResponse)
async def reject_request(
    request: Request,
    session: DbSession,
    user: PagePrivacyApprove,
    request_id: RowId,
    version: Version,
    reason: ReasonText = "",
) -> Response:
    await check_csrf(request)
    try:
        service.reject(session, user=user, request_id=request_id, version=version, reason=reason)
    except BankcrmError as error:
        return _refused(request, session, user, request_id, error, reason=reason)
    return RedirectResponse(f"/privacy/{request_id}", status_code=303)


@router.get("/{request_id}/export")
def export_request(
    request: Request,
    session: DbSession,
    user: PagePrivacyRequests,
    request_id: RowId,
    file_format: Annotated[Literal["json", "xlsx"], Query(alias="format")] = "json",
) -> Response:
    """The customer's data as a download; answering an access request this way completes it.

    A refused download shows the request with why (a missing approval, for instance)."""
    try:
        return endpoints.export_request(
            session=session, user=user, request_id=request_id, file_format=file_format
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=_("This request cannot be answered with a download."),
            denied=_("You may not download this customer's data yet."),
            otherwise=_("The download could not be prepared."),
        )
        return _render_detail(
            request, session, user, request_id, problem=problem, status_code=error.status_code
        )


def _refused(
    request: Request,
    session: Session,
    user: StaffUser,
    request_id: int,
    error: BankcrmError,
    *,
    reason: str = "",
) -> Response:
    """The request as it stands now, with why the decision was refused."""
    problem = refusal(
        session,
        error,
        conflict=_(
            "Someone else changed this request, or it has already been decided. It is shown "
            "as it is now: check it before you decide."
        ),
        denied=_("You may not decide this request."),
        otherwise=_("The decision could not be recorded."),
    )
    return _render_detail(
        request,
        session,
        user,
        request_id,
        problem=problem,
        reason=reason,
        status_code=error.status_code,
    )


def _render_detail(
    request: Request,
    session: Session,
    user: StaffUser,
    request_id: int,
    *,
    problem: Problem | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    item = service.get_request(session, user=user, request_id=request_id)
    locale = request_locale(request)
    labels = dict(_field_choices(locale))
    is_maker = item.requested_by == user.username
    is_access = item.kind is PrivacyRequestKind.ACCESS
    may_decide = (
        item.status is PrivacyRequestStatus.RECEIVED
        and has_permission(user.role, Permission.PRIVACY_APPROVE)
        and not is_maker
    )
    context: dict[str, Any] = {
        "item": item,
        "status_badges": STATUS_BADGES,
        "corrections": [
            (labels.get(field, field), value) for field, value in (item.corrections or {}).items()
        ],
        "is_maker": is_maker,
        "waits_for_checker": item.status is PrivacyRequestStatus.RECEIVED and not is_access,
        "may_approve": may_decide and not (is_access and item.decided_by is not None),
        "may_reject": may_decide and not (is_access and item.decided_by is not None),
        "may_export": is_access and item.status is not PrivacyRequestStatus.REJECTED,
        "export_blocked": service.export_refusal(user, item) is not None,
        "approved_self": item.decided_by == user.username,
        "problem": translated(problem, locale),
        "reason": reason,
    }
    return render(request, "privacy/detail.html", context, status_code=status_code)
