"""Service standards and inspection pages: the catalogue, the league tables, the mobile
inspection form and one inspection with its corrective actions. ``mount_web`` checks the
CSRF token of every form post (``require_csrf``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bankcrm.core import clock
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormName, normalise_text, parse_day
from bankcrm.core.pagination import MAX_ID, RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality.inspections import endpoints, service
from bankcrm.quality.inspections.checklist import UNITS
from bankcrm.quality.inspections.schemas import (
    InspectionCreate,
    StandardCreate,
    StandardUpdate,
)
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.quality.pages import BAD_PERIOD, DayText, _
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityInspect, PageQualityManage, PageQualityRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

ShortText = Annotated[FormName, Field(max_length=200, pattern=STORABLE_TEXT)]
ChoiceText = Annotated[str, Query(max_length=32)]

YES_NO = {"yes": True, "no": False}
Body = TypeVar("Body", bound=BaseModel)

CONFLICT = _("Someone else changed this standard first. It is shown as it is now: edit it again.")
DENIED = _("Your role may not do this.")


class StandardFields(BaseModel):
    """A standard's form as it was typed, shown again when it is refused."""

    model_config = ConfigDict(str_strip_whitespace=True)

    category: StandardCategory
    title: ShortText = ""
    title_en: ShortText = ""
    unit: str = Field("", max_length=8)
    target: str = Field("", max_length=32)
    direction: str = Field("", max_length=16)
    servqual_items: str = Field("", max_length=200)


class StandardForm(StandardFields):
    code: str = Field(max_length=32)


class StandardEdit(StandardFields):
    version: int = Field(ge=1, le=MAX_ID)
    active: str = Field("", max_length=8)


@dataclass
class InspectionForm:
    """What was chosen and typed into the inspection form."""

    kind: str = ""
    branch_id: str = ""
    staff_id: str = ""
    inspected_on: str = ""
    note: str = ""
    passed: dict[str, str] = field(default_factory=dict)
    observed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


# --- the catalogue ------------------------------------------------------------------------


@router.get("/standards", response_class=HTMLResponse)
def standards_page(request: Request, session: DbSession, user: PageQualityRead) -> Response:
    """The catalogue grouped by category, with targets and the SERVQUAL items covered."""
    return _render_standards(request, session, user)


@router.post("/standards", response_class=HTMLResponse)
async def create_standard(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    form: Annotated[StandardForm, Form()],
) -> Response:
    try:
        values = {"code": form.code.upper(), **_standard_values(form)}
        endpoints.create_standard(session, user, _parse(StandardCreate, values))
    except BankcrmError as error:
        refused = _refused(
            session,
            error,
            _("The standard was not added."),
            conflict=_("A standard with this code exists already."),
        )
        return _render_standards(request, session, user, new_form=form, **refused)
    return RedirectResponse(f"/quality/standards#standard-{form.code}", status_code=303)


@router.post("/standards/catalogue", response_class=HTMLResponse)
async def load_catalogue(session: DbSession, user: PageQualityManage) -> Response:
    service.load_standard_catalogue(session)
    return RedirectResponse("/quality/standards", status_code=303)


@router.post("/standards/{standard_id}", response_class=HTMLResponse)
async def edit_standard(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    standard_id: RowId,
    form: Annotated[StandardEdit, Form()],
) -> Response:
    """Saves a standard's edit form; a stale form shows the standard as it is now."""
    try:
        values = {"version": form.version, "active": bool(form.active), **_standard_values(form)}
        body = _parse(StandardUpdate, values)
        updated = endpoints.update_standard(session, user, standard_id, body)
    except BankcrmError as error:
        refused = _refused(session, error, _("The standard was not saved."), conflict=CONFLICT)
        return _render_standards(request, session, user, problem_standard=standard_id, **refused)
    return RedirectResponse(f"/quality/standards#standard-{updated.code}", status_code=303)


def _refused(
    session: Session, error: BankcrmError, headline: str, *, conflict: str, denied: str = DENIED
) -> dict[str, Any]:
    """The problem and status a refused form is shown again with."""
    problem = refusal(session, error, conflict=conflict, denied=denied, otherwise=headline)
    return {"problem": problem, "status_code": error.status_code}


def _parse(model: type[Body], values: dict[str, Any]) -> Body:
    """A form's values as the API's body, its first problem named by field (a checklist
    line's by the standard's code: ``ETQ-02 note``)."""
    try:
        return model.model_validate(values, strict=False)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        if problem["loc"][:1] == ("results",) and len(problem["loc"]) == 3:
            _, line, name = problem["loc"]
            field = f"{values['results'][line]['standard']} {name}"
        raise ValidationFailed(f"{field}: {problem['msg']}", field=field) from None


def _standard_values(form: StandardFields) -> dict[str, Any]:
    """A standard's form as the API's body; unit, target and direction all empty is a yes/no
    check."""
    return form.model_dump(include={"category", "title", "title_en"}) | {
        "unit": form.unit or None,
        "target": _decimal(form.target),
        "direction": form.direction or None,
        "servqual_items": _items(form.servqual_items),
    }


def _decimal(value: str) -> str | None:
    """A number typed with a decimal point or comma; none when nothing is typed."""
    return value.strip().replace(",", ".") or None


def _items(value: str) -> list[int]:
    """SERVQUAL item numbers typed as ``11, 13`` (commas, spaces or 、 between them)."""
    parts = [part for part in re.split(r"[\s,,、;;]+", value.strip()) if part]
    numbers = [whole_number(part, high=999) for part in parts]
    if None in numbers:
        raise ValidationFailed(
            "list SERVQUAL item numbers separated by commas, e.g. 11, 13", field="servqual_items"
        )
    return [number for number in numbers if number is not None]


def _render_standards(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    new_form: StandardForm | None = None,
    problem: Problem | None = None,
    problem_standard: int | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    instrument = shipped_instrument("servqual_bank")
    item_dimension = {
        item.number: instrument.dimension(item.dimension).name.text(locale)
        for item in instrument.items
    }
    context: dict[str, Any] = {
        "standards": service.list_standards(session),
        "instrument": instrument,
        "covered": service.standards_by_servqual_item(session),
        "item_dimension": item_dimension,
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "categories": list(StandardCategory),
        "directions": list(TargetDirection),
        "units": UNITS,
        "new_form": new_form or StandardForm(code="", category=StandardCategory.ENVIRONMENT),
        "problem": translated(problem, locale),
        "problem_standard": problem_standard,
        "open_new": new_form is not None,
    }
    return render(request, "quality/inspections/standards.html", context, status_code=status_code)


# --- inspections overview ----------------------------------------------------------------


@router.get("/inspections", response_class=HTMLResponse)
def inspections_page(
    request: Request,
    session: DbSession,
    user: PageQualityRead,
    since: DayText = None,
    until: DayText = None,
    kind: ChoiceText = "",
) -> Response:
    """Recent inspections, the branches' league table and the staff table of a period."""
    problem: Problem | None = None
    try:
        first, last = service.period(
            parse_day(since) if since else None, parse_day(until) if until else None
        )
    except (ValueError, ValidationFailed) as error:
        first, last = service.period(None, None)
        problem = Problem(BAD_PERIOD, str(error))
    chosen: dict[str, Any] = {"since": first, "until": last, "kind": _kind(kind)}
    context: dict[str, Any] = {
        **chosen,
        "kinds": list(InspectionKind),
        "branches": service.scores(session, user=user, group="branch", **chosen),
        "staff": service.scores(session, user=user, group="staff", **chosen),
        "recent": service.list_inspections(session, user=user, **chosen),
        "may_inspect": has_permission(user.role, Permission.QUALITY_INSPECT),
        "problem": translated(problem, request_locale(request)),
    }
    status_code = 422 if problem else 200
    return render(request, "quality/inspections/list.html", context, status_code=status_code)


# --- the inspection form ------------------------------------------------------------------


@router.get("/inspections/new", response_class=HTMLResponse)
def inspection_form(
    request: Request,
    session: DbSession,
    user: PageQualityInspect,
    kind: ChoiceText = "",
    branch_id: Annotated[str, Query(max_length=20)] = "",
    staff_id: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Choose kind, branch and (optionally) a staff member; with kind and branch chosen,
    the checklist to fill in."""
    form = InspectionForm(kind=kind, branch_id=branch_id, staff_id=staff_id)
    return _render_inspection_form(request, session, user, form)


@router.post("/inspections/new", response_class=HTMLResponse)
async def record_inspection(
    request: Request, session: DbSession, user: PageQualityInspect
) -> Response:
    """Records the inspection and opens it; a refused form comes back filled in."""
    form = _typed_inspection(await request.form())
    if _kind(form.kind) is None:
        problem = Problem(_("Choose the kind of inspection."))
        return _render_inspection_form(request, session, user, form, problem, status_code=422)
    try:
        recorded = endpoints.record_inspection(session, user, _inspection_body(form))
    except BankcrmError as error:
        headline = _("The inspection was not recorded.")
        refused = _refused(
            session,
            error,
            headline,
            conflict=headline,
            denied=_("You may not inspect this branch."),
        )
        return _render_inspection_form(request, session, user, form, **refused)
    return RedirectResponse(f"/quality/inspections/{recorded.id}", status_code=303)


def _kind(value: str) -> InspectionKind | None:
    return InspectionKind(value) if value in set(InspectionKind) else None


def _typed_inspection(submitted: FormData) -> InspectionForm:
    def text(name: str) -> str:
        value = submitted.get(name)
        return value if isinstance(value, str) else ""

    form = InspectionForm(
        kind=text("kind"),
        branch_id=text("branch_id").strip(),
        staff_id=text("staff_id").strip(),
        inspected_on=text("inspected_on").strip(),
        note=normalise_text(text("note")),
    )
    lines = {"passed": form.passed, "observed": form.observed, "note": form.notes}
    for name, value in submitted.multi_items():
        prefix, colon, code = name.partition(":")
        if colon and prefix in lines and isinstance(value, str):
            lines[prefix][code] = normalise_text(value)
    return form


def _inspection_body(form: InspectionForm) -> InspectionCreate:
    """The form as the API's body: one line per standard the form carried (the service
    judges whether the checklist is complete); a measured line's verdict is computed from
    its value."""
    lines = [
        {
            "standard": code,
            "passed": None if code in form.observed else YES_NO.get(form.passed[code]),
            "observed": _decimal(form.observed[code]) if code in form.observed else None,
            "note": form.notes.get(code) or None,
        }
        for code in dict.fromkeys([*form.passed, *form.observed])
    ]
    values = {
        "kind": form.kind,
        "branch_id": form.branch_id or None,
        "staff_id": form.staff_id or None,
        "inspected_on": form.inspected_on,
        "note": form.note or None,
        "results": lines,
    }
    return _parse(InspectionCreate, values)


def _render_inspection_form(
    request: Request,
    session: Session,
    user: StaffUser,
    form: InspectionForm,
    problem: Problem | None = None,
    *,
    status_code: int = 200,
) -> Response:
    branches = service.inspectable_branches(session, user=user)
    chosen_branch = chosen_id(form.branch_id)
    if chosen_branch not in {branch.id for branch in branches}:
        chosen_branch = branches[0].id if len(branches) == 1 else None
    chosen_kind = _kind(form.kind)
    context: dict[str, Any] = {
        "form": form,
        "kinds": list(InspectionKind),
        "kind": chosen_kind,
        "branches": branches,
        "branch_id": chosen_branch,
        "staff": service.front_line_staff(session, branch_id=chosen_branch)
        if chosen_branch
        else [],
        "staff_id": chosen_id(form.staff_id),
        "lines": service.checklist(session, chosen_kind) if chosen_kind and chosen_branch else [],
        "today": clock.bank_today(),
        "problem": translated(problem, request_locale(request)),
    }
    return render(request, "quality/inspections/new.html", context, status_code=status_code)


# --- one inspection -----------------------------------------------------------------------


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(
    request: Request, session: DbSession, user: PageQualityRead, inspection_id: RowId
) -> Response:
    """The lines of an inspection; failed ones link to their corrective action."""
    item = service.get_inspection(session, user=user, inspection_id=inspection_id)
    return render(request, "quality/inspections/detail.html", {"item": item})
