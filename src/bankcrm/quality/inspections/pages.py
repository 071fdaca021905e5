"""Service standards and inspection pages: the catalogue, the league tables, the mobile
inspection form and one inspection with its corrective actions."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bankcrm.core import clock
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormName, normalise_text, parse_day
from bankcrm.core.pagination import MAX_ID, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality.inspections import service
from bankcrm.quality.inspections.checklist import CATEGORY_ORDER, UNITS, Answer
from bankcrm.quality.inspections.schemas import StandardRead
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageQualityInspect, PageQualityManage, PageQualityRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/quality")

StandardId = Annotated[int, Path(ge=1, le=MAX_ID)]
InspectionId = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int, Form(ge=1, le=MAX_ID)]
ShortText = Annotated[FormName, Form(max_length=200, pattern=STORABLE_TEXT)]
DayText = Annotated[str | None, Query(max_length=10)]
ChoiceText = Annotated[str, Query(max_length=32)]

NOTE_LENGTH = 500
INSPECTION_NOTE_LENGTH = 2000
_STORABLE = re.compile(STORABLE_TEXT)


def _(message: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return message


CONFLICT = _("Someone else changed this standard first. It is shown as it is now: edit it again.")
DENIED = _("Your role may not do this.")


@dataclass(frozen=True)
class StandardForm:
    """What was typed into a standard's form, shown again when it is refused."""

    code: str = ""
    category: str = StandardCategory.ENVIRONMENT.value
    title: str = ""
    title_en: str = ""
    unit: str = ""
    target: str = ""
    direction: str = ""
    servqual_items: str = ""


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
    code: Annotated[str, Form(max_length=32)],
    category: Annotated[StandardCategory, Form()],
    title: ShortText = "",
    title_en: ShortText = "",
    unit: Annotated[str, Form(max_length=8)] = "",
    target: Annotated[str, Form(max_length=32)] = "",
    direction: Annotated[str, Form(max_length=16)] = "",
    servqual_items: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    await check_csrf(request)
    form = StandardForm(
        code=code.strip(),
        category=category.value,
        title=title,
        title_en=title_en,
        unit=unit,
        target=target.strip(),
        direction=direction,
        servqual_items=servqual_items.strip(),
    )
    try:
        service.create_standard(
            session,
            user=user,
            code=form.code,
            category=category,
            title=title,
            title_en=title_en or None,
            measure=_measure(unit, target, direction),
            servqual_items=_items(servqual_items),
        )
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
async def load_catalogue(request: Request, session: DbSession, user: PageQualityManage) -> Response:
    """Adds the shipped standards that are missing and restores the shipped wording and
    targets of the others."""
    await check_csrf(request)
    service.load_standard_catalogue(session)
    return RedirectResponse("/quality/standards", status_code=303)


@router.post("/standards/{standard_id}", response_class=HTMLResponse)
async def edit_standard(
    request: Request,
    session: DbSession,
    user: PageQualityManage,
    standard_id: StandardId,
    version: Version,
    category: Annotated[StandardCategory, Form()],
    title: ShortText = "",
    title_en: ShortText = "",
    unit: Annotated[str, Form(max_length=8)] = "",
    target: Annotated[str, Form(max_length=32)] = "",
    direction: Annotated[str, Form(max_length=16)] = "",
    servqual_items: Annotated[str, Form(max_length=200)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Saves a standard's edit form; a stale form shows the standard as it is now."""
    await check_csrf(request)
    try:
        updated = service.update_standard(
            session,
            user=user,
            standard_id=standard_id,
            version=version,
            category=category,
            title=title,
            title_en=title_en,
            measure=_measure(unit, target, direction),
            servqual_items=_items(servqual_items),
            active=bool(active),
        )
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


def _measure(unit: str, target: str, direction: str) -> service.Measure:
    """The measure typed into a standard's form; all three empty is a yes/no check."""
    if unit and unit not in UNITS:
        raise ValidationFailed(f"the unit must be one of {', '.join(UNITS)}", field="unit")
    return service.Measure(
        unit=unit or None,
        target=_number(target, field="target", problem=f"{target!r} is not a number"),
        direction=TargetDirection(direction) if direction in set(TargetDirection) else None,
    )


def _number(value: str, *, field: str, problem: str) -> float | None:
    """A number typed with a decimal point or comma; none when nothing is typed."""
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValidationFailed(problem, field=field)
    return number


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
    standards = service.list_standards(session)
    instrument = shipped_instrument("servqual_bank")
    item_dimension = {
        item.number: instrument.dimension(item.dimension).name.text(locale)
        for item in instrument.items
    }
    covered = service.standards_by_servqual_item(session)
    context: dict[str, Any] = {
        "groups": [
            (category, [standard for standard in standards if standard.category is category])
            for category in CATEGORY_ORDER
        ],
        "standards": standards,
        "items": [
            {
                "number": item.number,
                "dimension": item_dimension[item.number],
                "text": item.perception.text(locale),
                "standards": covered.get(item.number, []),
            }
            for item in instrument.items
        ],
        "item_dimension": item_dimension,
        "covered_count": len(covered),
        "item_count": instrument.n_items,
        "may_manage": has_permission(user.role, Permission.QUALITY_MANAGE),
        "categories": list(StandardCategory),
        "directions": list(TargetDirection),
        "units": UNITS,
        "new_form": new_form or StandardForm(),
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
    chosen_kind = InspectionKind(kind) if kind in set(InspectionKind) else None
    problem: Problem | None = None
    status_code = 200
    try:
        first, last = service.period(
            parse_day(since) if since else None, parse_day(until) if until else None
        )
    except (ValueError, ValidationFailed) as error:
        first, last = service.period(None, None)
        detail = error.message if isinstance(error, ValidationFailed) else str(error)
        problem = Problem(
            _("Enter the period as two dates, the first not after the second."), detail
        )
        status_code = 422
    chosen: dict[str, Any] = {"since": first, "until": last, "kind": chosen_kind}
    context: dict[str, Any] = {
        "since": first,
        "until": last,
        "kind": chosen_kind.value if chosen_kind else "",
        "kinds": list(InspectionKind),
        "branches": service.scores(session, user=user, group="branch", **chosen),
        "staff": service.scores(session, user=user, group="staff", **chosen),
        "recent": service.list_inspections(session, user=user, **chosen),
        "may_inspect": has_permission(user.role, Permission.QUALITY_INSPECT),
        "problem": translated(problem, request_locale(request)),
    }
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
    form = InspectionForm(
        kind=kind,
        branch_id=branch_id,
        staff_id=staff_id,
        inspected_on=clock.bank_today().isoformat(),
    )
    return _render_inspection_form(request, session, user, form)


@router.post("/inspections/new", response_class=HTMLResponse)
async def record_inspection(
    request: Request, session: DbSession, user: PageQualityInspect
) -> Response:
    """Records the inspection and opens it; a refused form comes back filled in."""
    await check_csrf(request)
    form = _typed_inspection(await request.form())
    try:
        kind = InspectionKind(form.kind)
        branch_id = chosen_id(form.branch_id)
        if branch_id is None:
            raise ValidationFailed("choose the branch", field="branch_id")
        if form.staff_id and chosen_id(form.staff_id) is None:
            raise ValidationFailed("choose the staff member from the list", field="staff_id")
        inspected_on = _inspection_day(form.inspected_on)
        _check_text(form.note, INSPECTION_NOTE_LENGTH, "note")
        recorded = service.record_inspection(
            session,
            user=user,
            kind=kind,
            branch_id=branch_id,
            staff_id=chosen_id(form.staff_id),
            inspected_on=inspected_on,
            note=form.note or None,
            results=_answers(form),
        )
    except ValueError:
        problem = Problem(_("Choose the kind of inspection."))
        return _render_inspection_form(request, session, user, form, problem, status_code=422)
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


def _inspection_day(value: str) -> date:
    try:
        return parse_day(value)
    except ValueError as error:
        raise ValidationFailed(
            f"enter the day of the inspection: {error}", field="inspected_on"
        ) from None


def _check_text(value: str, length: int, field_name: str) -> None:
    if len(value) > length or not _STORABLE.match(value):
        raise ValidationFailed(
            f"{field_name}: at most {length} characters of plain text", field=field_name
        )


def _answers(form: InspectionForm) -> list[Answer]:
    """One answer per standard the form carried; the service judges whether the checklist
    is complete."""
    answers = []
    for code in dict.fromkeys([*form.passed, *form.observed]):
        note = form.notes.get(code, "")
        _check_text(note, NOTE_LENGTH, f"note of {code}")
        if code not in form.observed:
            passed = {"yes": True, "no": False}.get(form.passed[code])
            answers.append(Answer(code=code, passed=passed, note=note or None))
            continue
        # a measured line: its verdict is computed from the value
        typed = form.observed[code]
        observed = _number(typed, field="results", problem=f"{code}: enter a number")
        if observed is None:
            raise ValidationFailed(f"{code} needs the value observed", field="results")
        answers.append(Answer(code=code, observed=observed, note=note or None))
    return answers


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
    chosen_kind = InspectionKind(form.kind) if form.kind in set(InspectionKind) else None
    lines: list[StandardRead] = []
    if chosen_kind is not None and chosen_branch is not None:
        lines = service.checklist(session, chosen_kind)
    context: dict[str, Any] = {
        "form": form,
        "kinds": list(InspectionKind),
        "kind": chosen_kind.value if chosen_kind else "",
        "branches": branches,
        "branch_id": chosen_branch,
        "staff": service.front_line_staff(session, branch_id=chosen_branch)
        if chosen_branch
        else [],
        "staff_id": chosen_id(form.staff_id),
        "lines": lines,
        "today": clock.bank_today(),
        "problem": translated(problem, request_locale(request)),
    }
    return render(request, "quality/inspections/new.html", context, status_code=status_code)


# --- one inspection -----------------------------------------------------------------------


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(
    request: Request, session: DbSession, user: PageQualityRead, inspection_id: InspectionId
) -> Response:
    """The lines of an inspection; failed ones link to their corrective action."""
    item = service.get_inspection(session, user=user, inspection_id=inspection_id)
    context: dict[str, Any] = {"item": item}
    return render(request, "quality/inspections/detail.html", context)
