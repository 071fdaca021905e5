"""The marketing plan pages: the list, a plan with its eight sections, rows, 7P review,
budget methods side by side and budget against actual spend, the forms that edit a draft,
approval, and the Excel and PDF exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from bankcrm.campaigns.planning import export, plans, service
from bankcrm.campaigns.planning.schemas import (
    ActionCreate,
    BudgetInputsBase,
    BudgetLineCreate,
    CampaignLinkCreate,
    ChecklistUpdate,
    CompetitorCreate,
    PestCreate,
    PlanCreate,
    PlanDecision,
    PlanRead,
    PlanUpdate,
    SectionUpdate,
)
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import BudgetMethod, CampaignChannel, ChecklistAnswer, PestFactor
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import ascii_digits, normalise_text, parse_number
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageCampaignsApprove, PageCampaignsDesign, PageCampaignsRead
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter()

FORM_TEXT_LIMIT = 10_000
Model = TypeVar("Model", bound=BaseModel)


NOT_SAVED = _("The plan was not changed")
STALE = _(
    "Someone else changed this plan first, or its state does not allow this. "
    "It is shown as it is now."
)
DENIED = _("You may not do this with this plan")
NOT_DECIDED = _("The plan was not approved or returned")
ROW_KINDS = ("competitors", "pest", "actions", "budget_lines")


# --- reading forms --------------------------------------------------------------------------


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key: str(value).strip()[:FORM_TEXT_LIMIT]
        for key, value in form.items()
        if isinstance(value, str)
    }


def _amount(text: str | None) -> Decimal | str | None:
    """A typed amount or per cent (``1,200.50``, ``¥300``, ``12%``); the text itself when it
    is not a number, for the schema to refuse by field."""
    if not text:
        return None
    try:
        return parse_number(ascii_digits(text), ignore=",¥%")
    except ValueError:
        return text


def _whole(text: str | None) -> int | str | None:
    if not text:
        return None
    number = whole_number(ascii_digits(text), low=0)
    return text if number is None else number


def _version(typed: dict[str, str]) -> int:
    seen = whole_number(typed.get("version", ""))
    if seen is None:
        raise ValidationFailed("the plan's version is missing", field="version")
    return seen


def _parsed(schema: type[Model], values: dict[str, Any]) -> Model:
    """The form as the service's schema, or ``ValidationFailed`` naming the first field."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ValidationFailed(f"{field}: {first['msg']}", field=field) from None


# --- the list and a new plan ------------------------------------------------------------------


@router.get("/plans", response_class=HTMLResponse)
def plan_list(request: Request, session: DbSession, user: PageCampaignsRead) -> Response:
    """The newest version of every plan the viewer may see."""
    return _render_list(request, session, user)


def _render_list(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    typed: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    may_design = has_permission(user.role, Permission.CAMPAIGNS_DESIGN)
    return render(
        request,
        "plans/list.html",
        {
            "plans": service.list_plans(session, user=user),
            "may_design": may_design,
            "branches": service.branch_choices(session, user=user) if may_design else [],
            "typed": typed or {},
            "word": _word(locale),
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


@router.post("/plans", response_class=HTMLResponse)
async def create_plan(request: Request, session: DbSession, user: PageCampaignsDesign) -> Response:
    typed = await _form(request)
    try:
        data = _parsed(
            PlanCreate,
            {
                "title": typed.get("title", ""),
                "branch_id": _whole(typed.get("branch_id")),
                "period_start": typed.get("period_start", ""),
                "period_end": typed.get("period_end", ""),
            },
        )
        plan = service.create_plan(session, user=user, data=data, locale=request_locale(request))
    except BankcrmError as error:
        problem = refusal(session, error, conflict=NOT_SAVED, denied=DENIED, otherwise=NOT_SAVED)
        return _render_list(
            request, session, user, typed=typed, problem=problem, status_code=error.status_code
        )
    session.commit()
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


# --- a plan -----------------------------------------------------------------------------------


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, session: DbSession, user: PageCampaignsRead, plan_id: RowId
) -> Response:
    return _render_plan(request, session, user, plan_id)


def _word(locale: str) -> Any:
    def word(kind: str, value: object) -> str:
        return gettext(locale, plans.text_key(kind, value))

    return word


def _render_plan(
    request: Request,
    session: Session,
    user: StaffUser,
    plan_id: int,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    plan = service.get_plan(session, user=user, plan_id=plan_id, locale=locale)
    may_design = has_permission(user.role, Permission.CAMPAIGNS_DESIGN)
    may_approve = has_permission(user.role, Permission.CAMPAIGNS_APPROVE) and service.may_approve(
        user, plan
    )
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "structure": plans.SECTIONS,
            "editable": may_design and plan.status in service.EDITABLE,
            "may_revise": may_design and plan.latest and plan.status == "approved",
            "may_approve": may_approve,
            "staff": service.staff_choices(session, user=user) if may_design else [],
            "channels": list(CampaignChannel),
            "pest_factors": list(PestFactor),
            "answers": list(ChecklistAnswer),
            "methods": list(BudgetMethod),
            "budget_fields": list(BudgetInputsBase.model_fields),
            "word": _word(locale),
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


def _refused(
    request: Request, session: Session, user: StaffUser, plan_id: int, error: BankcrmError
) -> Response:
    problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_SAVED)
    return _render_plan(
        request, session, user, plan_id, problem=problem, status_code=error.status_code
    )


def _back(plan_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/plans/{plan_id}{anchor}", status_code=303)


# --- editing the sections ---------------------------------------------------------------------


@router.get("/plans/{plan_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    """The plan's title, period, objectives and eight sections in one form."""
    return _render_edit(request, session, user, plan_id)


def _render_edit(
    request: Request,
    session: Session,
    user: StaffUser,
    plan_id: int,
    *,
    typed: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    plan = service.get_plan(session, user=user, plan_id=plan_id, locale=locale)
    return render(
        request,
        "plans/edit.html",
        {
            "plan": plan,
            "structure": plans.SECTIONS,
            "staff": service.staff_choices(session, user=user),
            "typed": typed,
            "word": _word(locale),
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


def _sections(typed: dict[str, str]) -> dict[str, SectionUpdate]:
    changes: dict[str, SectionUpdate] = {}
    for entry in plans.SECTIONS:
        changes[entry.code] = _parsed(
            SectionUpdate,
            {
                "parts": {
                    part: normalise_text(typed.get(f"{entry.code}.{part}", ""))
                    for part in entry.parts
                },
                "owner_id": _whole(typed.get(f"{entry.code}.owner_id")),
                "review_on": typed.get(f"{entry.code}.review_on") or None,
            },
        )
    return changes


@router.post("/plans/{plan_id}/edit", response_class=HTMLResponse)
async def save_edit(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    typed = await _form(request)
    try:
        data = _parsed(
            PlanUpdate,
            {
                "version": _version(typed),
                "title": typed.get("title", ""),
                "period_start": typed.get("period_start", ""),
                "period_end": typed.get("period_end", ""),
                "target_new_customers": _whole(typed.get("target_new_customers")),
                "target_deposits": _amount(typed.get("target_deposits")),
                "target_on": typed.get("target_on") or None,
                "sections": _sections(typed),
            },
        )
        plan = service.update_plan(
            session, user=user, plan_id=plan_id, data=data, locale=request_locale(request)
        )
    except BankcrmError as error:
        problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_SAVED)
        return _render_edit(
            request,
            session,
            user,
            plan_id,
            typed=typed,
            problem=problem,
            status_code=error.status_code,
        )
    session.commit()
    return _back(plan.id)


# --- the budget -------------------------------------------------------------------------------


@router.post("/plans/{plan_id}/budget", response_class=HTMLResponse)
async def save_budget(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    """The planner's figures for the four methods, and the method picked as the budget."""
    typed = await _form(request)
    try:
        inputs = _parsed(
            BudgetInputsBase,
            {field: _amount(typed.get(field)) for field in BudgetInputsBase.model_fields},
        )
        data = _parsed(
            PlanUpdate,
            {
                "version": _version(typed),
                "budget_inputs": inputs,
                "budget_method": typed.get("budget_method") or None,
            },
        )
        plan = service.update_plan(
            session, user=user, plan_id=plan_id, data=data, locale=request_locale(request)
        )
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan.id, "#budget")


# --- rows -------------------------------------------------------------------------------------


def _add_row(
    session: Session, user: StaffUser, plan_id: int, kind: str, typed: dict[str, str]
) -> None:
    version = _version(typed)
    if kind == "competitors":
        service.add_competitor(
            session,
            user=user,
            plan_id=plan_id,
            data=_parsed(
                CompetitorCreate,
                {
                    "version": version,
                    "name": typed.get("name", ""),
                    "products": typed.get("products") or None,
                    "prices": typed.get("prices") or None,
                    "strengths": typed.get("strengths") or None,
                    "weaknesses": typed.get("weaknesses") or None,
                    "market_share": _amount(typed.get("market_share")),
                    "promotion_spend": _amount(typed.get("promotion_spend")),
                },
            ),
        )
    elif kind == "pest":
        service.add_pest(
            session,
            user=user,
            plan_id=plan_id,
            data=_parsed(
                PestCreate,
                {
                    "version": version,
                    "factor": typed.get("factor", ""),
                    "description": typed.get("description", ""),
                    "impact": _whole(typed.get("impact")),
                    "likelihood": _whole(typed.get("likelihood")),
                },
            ),
        )
    elif kind == "actions":
        service.add_action(
            session,
            user=user,
            plan_id=plan_id,
            data=_parsed(
                ActionCreate,
                {
                    "version": version,
                    "what": typed.get("what", ""),
                    "owner_id": _whole(typed.get("owner_id")),
                    "due_on": typed.get("due_on", ""),
                    "cost": _amount(typed.get("cost")),
                },
            ),
        )
    else:
        service.add_budget_line(
            session,
            user=user,
            plan_id=plan_id,
            data=_parsed(
                BudgetLineCreate,
                {
                    "version": version,
                    "channel": typed.get("channel") or None,
                    "activity": typed.get("activity", ""),
                    "planned": _amount(typed.get("planned")),
                },
            ),
        )


@router.post("/plans/{plan_id}/rows/{kind}", response_class=HTMLResponse)
async def add_row(
    request: Request,
    session: DbSession,
    user: PageCampaignsDesign,
    plan_id: RowId,
    kind: Annotated[str, Path(max_length=32)],
) -> Response:
    """Add a competitor, PEST factor, action or budget line to a draft plan."""
    if kind not in ROW_KINDS:
        return Response(status_code=404)
    typed = await _form(request)
    try:
        _add_row(session, user, plan_id, kind, typed)
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id, f"#{kind}")


@router.post("/plans/{plan_id}/rows/{kind}/{row_id}/delete", response_class=HTMLResponse)
async def delete_row(
    request: Request,
    session: DbSession,
    user: PageCampaignsDesign,
    plan_id: RowId,
    kind: Annotated[str, Path(max_length=32)],
    row_id: RowId,
) -> Response:
    typed = await _form(request)
    try:
        service.remove_row(
            session, user=user, plan_id=plan_id, version=_version(typed), kind=kind, row_id=row_id
        )
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id, f"#{kind}")


@router.post("/plans/{plan_id}/checklist", response_class=HTMLResponse)
async def save_checklist(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    """The 7P review: each question answered yes, no or partly, with a note."""
    typed = await _form(request)
    answers = [
        {
            "code": question.code,
            "answer": typed[f"answer.{question.code}"],
            "note": typed.get(f"note.{question.code}") or None,
        }
        for question in service.checklist().questions
        if typed.get(f"answer.{question.code}")
    ]
    try:
        data = _parsed(ChecklistUpdate, {"version": _version(typed), "answers": answers})
        service.answer_checklist(session, user=user, plan_id=plan_id, data=data)
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id, "#checklist")


@router.post("/plans/{plan_id}/campaigns", response_class=HTMLResponse)
async def link_campaign(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    typed = await _form(request)
    try:
        data = _parsed(
            CampaignLinkCreate,
            {"version": _version(typed), "campaign_id": _whole(typed.get("campaign_id"))},
        )
        service.link_campaign(session, user=user, plan_id=plan_id, data=data)
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id, "#actuals")


@router.post("/plans/{plan_id}/campaigns/{campaign_id}/delete", response_class=HTMLResponse)
async def unlink_campaign(
    request: Request,
    session: DbSession,
    user: PageCampaignsDesign,
    plan_id: RowId,
    campaign_id: RowId,
) -> Response:
    typed = await _form(request)
    try:
        service.unlink_campaign(
            session, user=user, plan_id=plan_id, version=_version(typed), campaign_id=campaign_id
        )
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id, "#actuals")


# --- versions and approval --------------------------------------------------------------------


@router.post("/plans/{plan_id}/submit", response_class=HTMLResponse)
async def submit_plan(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    typed = await _form(request)
    try:
        service.submit(
            session,
            user=user,
            plan_id=plan_id,
            version=_version(typed),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan_id)


@router.post("/plans/{plan_id}/revise", response_class=HTMLResponse)
async def revise_plan(
    request: Request, session: DbSession, user: PageCampaignsDesign, plan_id: RowId
) -> Response:
    """Start the next version of an approved plan as a draft."""
    typed = await _form(request)
    try:
        plan = service.revise(
            session,
            user=user,
            plan_id=plan_id,
            version=_version(typed),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        return _refused(request, session, user, plan_id, error)
    session.commit()
    return _back(plan.id)


async def _decide(
    request: Request, session: Session, user: StaffUser, plan_id: int, *, approve: bool
) -> Response:
    typed = await _form(request)
    try:
        data = _parsed(
            PlanDecision,
            {"version": _version(typed), "reason": typed.get("reason") or None},
        )
        service.decide(
            session,
            user=user,
            plan_id=plan_id,
            data=data,
            approve=approve,
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_DECIDED)
        return _render_plan(
            request, session, user, plan_id, problem=problem, status_code=error.status_code
        )
    session.commit()
    return _back(plan_id)


@router.post("/plans/{plan_id}/approve", response_class=HTMLResponse)
async def approve_plan(
    request: Request, session: DbSession, user: PageCampaignsApprove, plan_id: RowId
) -> Response:
    return await _decide(request, session, user, plan_id, approve=True)


@router.post("/plans/{plan_id}/return", response_class=HTMLResponse)
async def return_plan(
    request: Request, session: DbSession, user: PageCampaignsApprove, plan_id: RowId
) -> Response:
    return await _decide(request, session, user, plan_id, approve=False)


# --- exports ----------------------------------------------------------------------------------


def _exported(
    request: Request, session: Session, user: StaffUser, plan_id: int
) -> tuple[PlanRead, str]:
    locale = request_locale(request)
    return service.get_plan(session, user=user, plan_id=plan_id, locale=locale), locale


@router.get("/plans/{plan_id}/export.xlsx")
def export_workbook(
    request: Request, session: DbSession, user: PageCampaignsRead, plan_id: RowId
) -> Response:
    plan, locale = _exported(request, session, user, plan_id)
    return Response(
        export.workbook(plan, locale),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=export.attachment(plan, "xlsx"),
    )


@router.get("/plans/{plan_id}/export.pdf")
def export_pdf(
    request: Request, session: DbSession, user: PageCampaignsRead, plan_id: RowId
) -> Response:
    plan, locale = _exported(request, session, user, plan_id)
    return Response(
        export.pdf(plan, locale),
        media_type=export.PDF_MEDIA_TYPE,
        headers=export.attachment(plan, "pdf"),
    )
