"""The pages of incentive pools and statements: a branch manager sets the month's pool,
computes and approves it, and reads the branch's statements; an account manager reads their
own; each statement has its page and its Excel download."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today
from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.staff.incentives import export, service
from bankcrm.staff.incentives.schemas import PoolApprove, PoolCreate
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageIncentivesManage, PageIncentivesRead
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/incentives")

MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]


NOT_SAVED = _("The pool was not saved")
STALE = _("Someone else changed this pool first. It is shown as it is now.")
DENIED = _("Only the branch's manager sets, computes and approves its pool")


def _last_month() -> date:
    today = bank_today()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


@router.get("", response_class=HTMLResponse)
def incentives_page(
    request: Request, session: DbSession, user: PageIncentivesRead, month: MonthQuery = None
) -> Response:
    """The month's pool (a branch manager: set, compute, approve) and the statements the
    viewer may read; last month unless another is asked for."""
    chosen = service.parse_month(month) or _last_month()
    return _render(request, session, user, chosen)


def _render(
    request: Request,
    session: Session,
    user: StaffUser,
    month: date,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    manages = has_permission(user.role, Permission.INCENTIVES_MANAGE)
    return render(
        request,
        "incentives/index.html",
        {
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "manages": manages and user.branch_id is not None,
            "pools": service.list_pools(session, user=user, month=month),
            "statements": service.list_statements(session, user=user, month=month),
            "status_labels": export.STATUS_LABELS,
            "problem": translated(problem, request_locale(request)),
        },
        status_code=status_code,
    )


async def _act(request: Request, session: Session, user: StaffUser, action: Any) -> Response:
    """Carry out a form of the page and go back to the month, or show why not."""
    form = await request.form()
    month = service.parse_month(str(form.get("month") or "")[:10]) or _last_month()
    try:
        action(form, month)
    except BankcrmError as error:
        problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_SAVED)
        return _render(
            request, session, user, month, problem=problem, status_code=error.status_code
        )
    session.commit()
    return RedirectResponse(f"/incentives?month={month:%Y-%m}", status_code=303)


@router.post("/pools", response_class=HTMLResponse)
async def create_pool(request: Request, session: DbSession, user: PageIncentivesManage) -> Response:
    """Set the viewer's branch's pool for the month and compute it."""

    def save(form: Any, month: date) -> None:
        try:
            data = PoolCreate.model_validate(
                {
                    "branch_id": user.branch_id,
                    "month": month.isoformat(),
                    "amount": str(form.get("amount") or "").replace(",", "").strip(),
                },
                strict=False,
            )
        except ValidationError as error:
            field = ".".join(str(part) for part in error.errors()[0]["loc"])
            raise ValidationFailed(f"{field}: {error.errors()[0]['msg']}", field=field) from None
        service.create_pool(session, user=user, data=data)

    return await _act(request, session, user, save)


@router.post("/pools/{pool_id}/compute", response_class=HTMLResponse)
async def compute_pool(
    request: Request, session: DbSession, user: PageIncentivesManage, pool_id: RowId
) -> Response:
    def save(form: Any, month: date) -> None:
        service.compute_pool(session, user=user, pool_id=pool_id)

    return await _act(request, session, user, save)


@router.post("/pools/{pool_id}/approve", response_class=HTMLResponse)
async def approve_pool(
    request: Request, session: DbSession, user: PageIncentivesManage, pool_id: RowId
) -> Response:
    def save(form: Any, month: date) -> None:
        try:
            data = PoolApprove.model_validate({"version": form.get("version")}, strict=False)
        except ValidationError:
            raise ValidationFailed("version: not a version", field="version") from None
        service.approve_pool(session, user=user, pool_id=pool_id, data=data)

    return await _act(request, session, user, save)


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
def statement_page(
    request: Request, session: DbSession, user: PageIncentivesRead, statement_id: RowId
) -> Response:
    statement = service.get_statement(session, user=user, statement_id=statement_id)
    locale = request_locale(request)
    return render(
        request,
        "incentives/statement.html",
        {
            "statement": statement,
            "line_labels": [export.line_label(line, locale) for line in statement.lines],
            "status_labels": export.STATUS_LABELS,
            "rule_labels": export.RULE_LABELS,
        },
    )


@router.get("/statements/{statement_id}/export.xlsx")
def export_statement(
    request: Request, session: DbSession, user: PageIncentivesRead, statement_id: RowId
) -> Response:
    statement = service.get_statement(session, user=user, statement_id=statement_id)
    return Response(
        export.workbook(statement, request_locale(request)),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=export.attachment(statement),
    )
