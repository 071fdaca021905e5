"""The pipeline pages: an account manager's kanban (a branch manager picks one of their
managers), a prospect's page with its history, objections, follow-ups and fee-based flow,
the form that opens a prospect, and the branch's conversion funnel."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bankcrm.campaigns.prospects import pipeline, service
from bankcrm.campaigns.prospects.schemas import (
    FeeAdvance,
    FollowUpComplete,
    FollowUpCreate,
    ObjectionCreate,
    ProspectCreate,
    ProspectUpdate,
    StageMove,
)
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import (
    CultivationStep,
    CustomerType,
    FollowUpChannel,
    ProspectSource,
)
from bankcrm.core.exceptions import BankcrmError, NotFound, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.offers.objections import ObjectionKind
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageProspectsRead, PageProspectsWork
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/pipeline")

OwnerQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
SearchQuery = Annotated[str, Query(max_length=50)]
Model = TypeVar("Model", bound=BaseModel)


NOT_SAVED = _("The change was not saved")
STALE = _("Someone else changed this prospect first. It is shown as it is now.")
DENIED = _("You may not change this prospect")
FUNNEL_TITLE = _("Conversion funnel")


def _parse(model: type[Model], values: dict[str, Any]) -> Model:
    """A form's values as the API's body, its first problem named by field."""
    try:
        return model.model_validate(values, strict=False)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ValidationFailed(f"{field}: {problem['msg']}", field=field) from None


def _values(form: FormData, *names: str) -> dict[str, Any]:
    """The named fields the form has, a blank one as none (a field it lacks stays as it
    is)."""
    values: dict[str, Any] = {}
    for name in names:
        if name not in form:
            continue
        text = str(form.get(name) or "").strip()
        values[name] = text or None
    return values


# --- the kanban -----------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def board_page(
    request: Request, session: DbSession, user: PageProspectsWork, owner: OwnerQuery = None
) -> Response:
    """The viewer's pipeline as a kanban, or one of their managers' for a branch manager."""
    return _render_board(request, session, user, owner)


def _render_board(
    request: Request,
    session: Session,
    user: StaffUser,
    owner: int | None,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    owners = service.pipeline_owners(session, user=user)
    chosen = next((staff for staff in owners if staff.id == (owner or user.id)), None)
    if chosen is None:
        raise NotFound(f"no pipeline of staff member {owner} you may open")
    return render(
        request,
        "pipeline/board.html",
        {
            "owners": [(staff.id, staff.full_name) for staff in owners],
            "owner_id": chosen.id,
            "owner_name": chosen.full_name,
            "columns": service.board(session, user=user, owner_id=chosen.id),
            "problem": translated(problem, request_locale(request)),
        },
        status_code=status_code,
    )


@router.post("/prospects/{prospect_id}/stage", response_class=HTMLResponse)
async def move_card(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    """Move a card to another stage, from the kanban or the prospect's page."""
    form = await request.form()
    back_to_board = form.get("back") == "board"
    try:
        data = _parse(StageMove, _values(form, "version", "stage", "reason"))
        moved = service.move_stage(session, user=user, prospect_id=prospect_id, data=data)
    except BankcrmError as error:
        problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_SAVED)
        status = error.status_code
        if back_to_board:
            owner = service.get_prospect(session, user=user, prospect_id=prospect_id)
            return _render_board(
                request,
                session,
                user,
                owner.prospect.owner_id,
                problem=problem,
                status_code=status,
            )
        return _render_prospect(request, session, user, prospect_id, problem, status)
    session.commit()
    if back_to_board:
        return RedirectResponse(f"/pipeline?owner={moved.owner_id}", status_code=303)
    return RedirectResponse(f"/pipeline/prospects/{prospect_id}", status_code=303)


# --- opening a prospect ---------------------------------------------------------------------


@router.get("/new", response_class=HTMLResponse)
def new_page(
    request: Request, session: DbSession, user: PageProspectsWork, q: SearchQuery = ""
) -> Response:
    """The form that opens a prospect; ``q`` searches the viewer's customers to link one."""
    return _render_new(request, session, user, search=q, typed={})


def _render_new(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    search: str,
    typed: dict[str, Any],
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    return render(
        request,
        "pipeline/new.html",
        {
            "search": search,
            "matches": service.customer_choices(session, user=user, text=search),
            "products": service.products(session, locale=locale),
            "owners": [
                (staff.id, staff.full_name) for staff in service.pipeline_owners(session, user=user)
            ],
            "kinds": list(CustomerType),
            "sources": list(ProspectSource),
            "typed": typed,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


@router.post("/new", response_class=HTMLResponse)
async def create(request: Request, session: DbSession, user: PageProspectsWork) -> Response:
    form = await request.form()
    values = _values(
        form,
        "name",
        "kind",
        "phone",
        "source",
        "source_detail",
        "customer_id",
        "product_id",
        "expected_amount",
        "owner_id",
    )
    values["growth_potential"] = bool(form.get("growth_potential"))
    try:
        created = service.create_prospect(session, user=user, data=_parse(ProspectCreate, values))
    except BankcrmError as error:
        problem = refusal(session, error, conflict=NOT_SAVED, denied=DENIED, otherwise=NOT_SAVED)
        typed = {key: value for key, value in values.items() if value is not None}
        return _render_new(
            request,
            session,
            user,
            search=str(form.get("q") or "")[:50],
            typed=typed,
            problem=problem,
            status_code=error.status_code,
        )
    session.commit()
    return RedirectResponse(f"/pipeline/prospects/{created.id}", status_code=303)


# --- a prospect's page ----------------------------------------------------------------------


@router.get("/prospects/{prospect_id}", response_class=HTMLResponse)
def prospect_page(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    return _render_prospect(request, session, user, prospect_id)


def _render_prospect(
    request: Request,
    session: Session,
    user: StaffUser,
    prospect_id: int,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    detail = service.get_prospect(session, user=user, prospect_id=prospect_id, locale=locale)
    return render(
        request,
        "pipeline/prospect.html",
        {
            "detail": detail,
            "prospect": detail.prospect,
            "products": service.products(session, locale=locale),
            "objection_kinds": list(ObjectionKind),
            "channels": list(FollowUpChannel),
            "cultivation_steps": list(CultivationStep),
            "fee_path": pipeline.FEE_PATH,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


async def _act(
    request: Request,
    session: Session,
    user: StaffUser,
    prospect_id: int,
    action: Any,
) -> Response:
    """Carry out a form of the prospect's page and go back to it, or show why not."""
    form = await request.form()
    try:
        action(form)
    except BankcrmError as error:
        problem = refusal(session, error, conflict=STALE, denied=DENIED, otherwise=NOT_SAVED)
        return _render_prospect(request, session, user, prospect_id, problem, error.status_code)
    session.commit()
    return RedirectResponse(f"/pipeline/prospects/{prospect_id}", status_code=303)


@router.post("/prospects/{prospect_id}", response_class=HTMLResponse)
async def update(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    """Save the details, the needs and decision analysis and the cultivation plan."""

    def save(form: FormData) -> None:
        values = _values(
            form,
            "version",
            "name",
            "phone",
            "source_detail",
            "product_id",
            "expected_amount",
            "decision_maker",
            "needs",
            "budget",
        )
        values["growth_potential"] = bool(form.get("growth_potential"))
        values["cultivation"] = [str(step) for step in form.getlist("cultivation")]
        data = _parse(ProspectUpdate, values)
        service.update_prospect(session, user=user, prospect_id=prospect_id, data=data)

    return await _act(request, session, user, prospect_id, save)


@router.post("/prospects/{prospect_id}/objections", response_class=HTMLResponse)
async def add_objection(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    def save(form: FormData) -> None:
        values = _values(form, "kind", "said", "answer")
        values["resolved"] = bool(form.get("resolved"))
        data = _parse(ObjectionCreate, values)
        service.add_objection(session, user=user, prospect_id=prospect_id, data=data)

    return await _act(request, session, user, prospect_id, save)


@router.post("/prospects/{prospect_id}/follow-ups", response_class=HTMLResponse)
async def add_follow_up(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    def save(form: FormData) -> None:
        data = _parse(FollowUpCreate, _values(form, "planned_on", "channel", "purpose"))
        service.add_follow_up(session, user=user, prospect_id=prospect_id, data=data)

    return await _act(request, session, user, prospect_id, save)


@router.post("/prospects/{prospect_id}/follow-ups/{follow_up_id}/done", response_class=HTMLResponse)
async def complete_follow_up(
    request: Request,
    session: DbSession,
    user: PageProspectsWork,
    prospect_id: RowId,
    follow_up_id: RowId,
) -> Response:
    def save(form: FormData) -> None:
        data = _parse(FollowUpComplete, _values(form, "version", "outcome"))
        service.complete_follow_up(
            session, user=user, prospect_id=prospect_id, follow_up_id=follow_up_id, data=data
        )

    return await _act(request, session, user, prospect_id, save)


@router.post("/prospects/{prospect_id}/fee-flow", response_class=HTMLResponse)
async def advance_fee_flow(
    request: Request, session: DbSession, user: PageProspectsWork, prospect_id: RowId
) -> Response:
    def save(form: FormData) -> None:
        data = _parse(FeeAdvance, _values(form, "version", "fee_quoted"))
        service.advance_fee_flow(session, user=user, prospect_id=prospect_id, data=data)

    return await _act(request, session, user, prospect_id, save)


# --- the funnel -----------------------------------------------------------------------------


@router.get("/funnel", response_class=HTMLResponse)
def funnel_page(
    request: Request, session: DbSession, user: PageProspectsRead, branch: OwnerQuery = None
) -> Response:
    """The branch's conversion funnel: prospects per stage reached, stage-to-stage rates."""
    locale = request_locale(request)
    figures = service.funnel(session, user=user, branch_id=branch or user.branch_id)
    chart = {
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "label": {"formatter": "{b}: {c}"},
                "data": [
                    {"name": label_for(step.stage, locale), "value": step.reached}
                    for step in figures.steps
                ],
            }
        ],
        "tooltip": {"trigger": "item"},
        "title": {"text": gettext(locale, FUNNEL_TITLE), "left": "center"},
    }
    return render(request, "pipeline/funnel.html", {"funnel": figures, "chart": chart})
