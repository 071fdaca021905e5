"""The campaign pages: segments built and counted, a campaign designed, approved by someone
else, launched; the contact list and the account managers' contact tasks; consent; the
outcomes imported and the evaluation against the random control group."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from bankcrm.branches import service as branches_service
from bankcrm.campaigns import evaluation, service
from bankcrm.campaigns.models import Campaign
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import (
    CampaignChannel,
    CampaignObjective,
    CampaignStatus,
    CustomerType,
    LifecycleStage,
    Quadrant,
    ValueTier,
)
from bankcrm.core.exceptions import BankcrmError, ImportRejected, ValidationFailed
from bankcrm.core.inputs import ascii_digits, normalise_name, normalise_text, parse_number
from bankcrm.core.localized import in_language
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import XLSX_MEDIA_TYPE, attachment, csv_cell, list_workbook
from bankcrm.products import repository as products_repository
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import (
    PageCampaignsApprove,
    PageCampaignsContact,
    PageCampaignsDesign,
    PageCampaignsRead,
)
from bankcrm.web.i18n import format_number, gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter()

Flag = Annotated[str, Query(max_length=20)]
RESPONSE_FILE_LIMIT = 20 * 1024 * 1024


SEGMENT_FAILED = _("The segment was not saved")
CAMPAIGN_FAILED = _("The campaign was not saved")
ACTION_CONFLICT = _(
    "Someone else changed this campaign, or the action is not possible in its current "
    "status. It is shown as it is now."
)
ACTION_DENIED = _("You may not do this with this campaign")
ACTION_FAILED = _("The action was not carried out")
IMPORT_FAILED = _("The response file was refused; nothing was recorded")
IMPORT_WHERE = _("File %(file)s, row %(row)s, column %(column)s: %(reason)s")
OUTCOME_FAILED = _("The outcome was not recorded")
CONSENT_FAILED = _("The consent was not recorded")
UPLIFT_SENTENCE = _(
    "Uplift %(uplift)s percentage points (%(level)s%% interval %(low)s to %(high)s), p %(p)s"
)
SHOWN_BY_CHANCE = _("A difference this large could well arise by chance.")
NOT_BY_CHANCE = _("A difference this large rarely arises by chance.")
FUNNEL_TEXTS = {
    "members": _("Treated members"),
    "contacted": _("Contacted"),
    "responded": _("Responded"),
    "converted": _("Converted"),
}
CONTACT_LIST_HEADINGS = (
    _("Customer number"),
    _("Customer"),
    _("Address"),
    _("Account manager"),
    _("Why in the list"),
)
SIGNIFICANCE = 0.05


# --- the list -------------------------------------------------------------------------------


@router.get("/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, session: DbSession, user: PageCampaignsRead) -> Response:
    """Every campaign the viewer sees, newest first, with its groups and budget."""
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": service.campaigns(session, user=user),
            "channels": service.by_channel(session, user=user),
            "designer": has_permission(user.role, Permission.CAMPAIGNS_DESIGN),
        },
    )


# --- segments -------------------------------------------------------------------------------

SEGMENT_CHOICES: dict[str, Any] = {
    "quadrants": Quadrant,
    "value_tiers": ValueTier,
    "lifecycle_stages": LifecycleStage,
    "customer_types": CustomerType,
}
SEGMENT_IDS = ("branch_ids", "holds_products", "lacks_products")


@dataclass(frozen=True)
class SegmentForm:
    name: str
    description: str
    chosen: dict[str, list[str]]
    risk_min: str
    risk_max: str


def _segment_form(form: FormData) -> SegmentForm:
    chosen = {
        field: [str(value)[:20] for value in form.getlist(field)][:200]
        for field in (*SEGMENT_CHOICES, *SEGMENT_IDS)
    }
    return SegmentForm(
        name=str(normalise_name(str(form.get("name") or "")))[:200],
        description=str(normalise_text(str(form.get("description") or "")))[:2000],
        chosen=chosen,
        risk_min=str(form.get("churn_risk_min") or "").strip()[:20],
        risk_max=str(form.get("churn_risk_max") or "").strip()[:20],
    )


def _share(text: str, field: str) -> float | None:
    """A percentage typed in a form, as a share."""
    try:
        number = parse_number(ascii_digits(text), ignore=",%")
    except ValueError:
        raise ValidationFailed(f"{field} must be a percentage", field=field) from None
    return None if number is None else float(number / 100)


def _criteria(typed: SegmentForm) -> SegmentCriteria:
    raw: dict[str, Any] = {field: typed.chosen[field] for field in SEGMENT_CHOICES}
    for field in SEGMENT_IDS:
        ids = [whole_number(value) for value in typed.chosen[field]]
        if None in ids:
            raise ValidationFailed(f"{field}: pick from the list", field=field)
        raw[field] = ids
    raw["churn_risk_min"] = _share(typed.risk_min, "churn_risk_min")
    raw["churn_risk_max"] = _share(typed.risk_max, "churn_risk_max")
    return service.criteria_of(raw)


@router.get("/campaigns/segments", response_class=HTMLResponse)
def segment_page(
    request: Request, session: DbSession, user: PageCampaignsDesign, saved: Flag = ""
) -> Response:
    """The segment builder and the saved segments."""
    return _render_segments(request, session, saved=saved == "1")


@router.post("/campaigns/segments", response_class=HTMLResponse)
async def segment_action(
    request: Request, session: DbSession, user: PageCampaignsDesign
) -> Response:
    form = await request.form()
    typed = _segment_form(form)
    try:
        criteria = _criteria(typed)
        if form.get("action") == "save":
            service.save_segment(
                session,
                user=user,
                name=typed.name,
                criteria=criteria,
                description=typed.description or None,
            )
        else:
            size = service.segment_size(session, criteria)
            return _render_segments(request, session, typed=typed, size=size)
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=SEGMENT_FAILED,
            denied=SEGMENT_FAILED,
            otherwise=SEGMENT_FAILED,
        )
        return _render_segments(request, session, typed=typed, problem=problem, status_code=422)
    session.commit()
    return RedirectResponse("/campaigns/segments?saved=1", status_code=303)


def _products(session: Session, locale: str) -> list[tuple[int, str]]:
    return [
        (product.id, in_language(locale, zh=product.name_zh, en=product.name_en))
        for product in products_repository.on_sale(session)
    ]


def _render_segments(
    request: Request,
    session: Session,
    *,
    saved: bool = False,
    typed: SegmentForm | None = None,
    size: int | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    branches = {branch.id: branch.name for branch in branches_service.list_branches(session)}
    products = dict(_products(session, locale))
    segments = [
        {
            "row": row,
            "summary": _describe(service.criteria_of(row.criteria), branches, products, locale),
        }
        for row in service.saved_segments(session)
    ]
    return render(
        request,
        "campaigns/segments.html",
        {
            "choices": {
                field: [(member.value, label_for(member, locale)) for member in kind]
                for field, kind in SEGMENT_CHOICES.items()
            },
            "branches": list(branches.items()),
            "products": list(products.items()),
            "typed": typed,
            "size": size,
            "saved": saved,
            "segments": segments,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


def _describe(
    criteria: SegmentCriteria, branches: dict[int, str], products: dict[int, str], locale: str
) -> list[tuple[str, str]]:
    """Each condition of a segment in words: what it is on, and the values."""
    parts: list[tuple[str, str]] = []
    for title, values in (
        (_("Quadrant"), [label_for(value, locale) for value in criteria.quadrants]),
        (_("Value tier"), [label_for(value, locale) for value in criteria.value_tiers]),
        (_("Lifecycle stage"), [label_for(value, locale) for value in criteria.lifecycle_stages]),
        (_("Customer type"), [label_for(value, locale) for value in criteria.customer_types]),
        (_("Branch"), [branches.get(branch, "—") for branch in criteria.branch_ids]),
        (_("Holds"), [products.get(product, "—") for product in criteria.holds_products]),
        (_("Does not hold"), [products.get(product, "—") for product in criteria.lacks_products]),
    ):
        if values:
            parts.append((gettext(locale, title), "、".join(values)))
    if criteria.churn_risk_min is not None or criteria.churn_risk_max is not None:
        low = criteria.churn_risk_min or 0.0
        high = 1.0 if criteria.churn_risk_max is None else criteria.churn_risk_max
        parts.append((gettext(locale, _("Churn risk")), f"{low:.0%} – {high:.0%}"))
    return parts


# --- a new campaign -------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name",
    "objective",
    "channel",
    "segment_id",
    "product_id",
    "starts_on",
    "ends_on",
    "control_share",
    "budget",
    "cost_per_contact",
    "fixed_cost",
    "subject",
)


def _money(typed: dict[str, str], field: str) -> Decimal:
    try:
        number = parse_number(ascii_digits(typed.get(field, "")), ignore=",¥")
    except ValueError:
        raise ValidationFailed(f"{field} must be an amount in yuan", field=field) from None
    return number if number is not None else Decimal(0)


def _day(typed: dict[str, str], field: str) -> date:
    try:
        return date.fromisoformat(typed.get(field, ""))
    except ValueError:
        raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


def _draft(session: Session, typed: dict[str, str]) -> CampaignDraft:
    try:
        objective = CampaignObjective(typed.get("objective", ""))
        channel = CampaignChannel(typed.get("channel", ""))
    except ValueError:
        raise ValidationFailed("pick an objective and a channel", field="channel") from None
    segment_id = whole_number(typed.get("segment_id"))
    if segment_id is None:
        raise ValidationFailed("pick a saved segment", field="segment_id")
    segment = service.saved_segment(session, segment_id)
    product_text = typed.get("product_id", "")
    product_id = whole_number(product_text)
    if product_text and product_id is None:
        raise ValidationFailed("pick a product from the list", field="product_id")
    return CampaignDraft(
        name=typed.get("name", ""),
        objective=objective,
        channel=channel,
        criteria=service.criteria_of(segment.criteria),
        segment_id=segment.id,
        product_id=product_id,
        starts_on=_day(typed, "starts_on"),
        ends_on=_day(typed, "ends_on"),
        control_share=_share(typed.get("control_share", ""), "control_share"),
        budget=_money(typed, "budget"),
        cost_per_contact=_money(typed, "cost_per_contact"),
        fixed_cost=_money(typed, "fixed_cost"),
        subject=typed.get("subject") or None,
        message=typed.get("message") or None,
    )


@router.get("/campaigns/new", response_class=HTMLResponse)
def new_campaign_page(request: Request, session: DbSession, user: PageCampaignsDesign) -> Response:
    """The design form of a campaign on a saved segment."""
    share = get_settings().campaigns.control_share * 100
    return _render_new(request, session, typed={"control_share": f"{share:g}"})


@router.post("/campaigns/new", response_class=HTMLResponse)
async def create_campaign(
    request: Request, session: DbSession, user: PageCampaignsDesign
) -> Response:
    form = await request.form()
    typed = {
        field: str(normalise_text(str(form.get(field) or "")))[:200] for field in CAMPAIGN_FIELDS
    }
    typed["message"] = str(normalise_text(str(form.get("message") or "")))[:2000]
    try:
        row = service.create_campaign(session, user=user, draft=_draft(session, typed))
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=CAMPAIGN_FAILED,
            denied=CAMPAIGN_FAILED,
            otherwise=CAMPAIGN_FAILED,
        )
        return _render_new(request, session, typed=typed, problem=problem, status_code=422)
    session.commit()
    return RedirectResponse(f"/campaigns/{row.id}", status_code=303)


def _render_new(
    request: Request,
    session: Session,
    *,
    typed: dict[str, str],
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    return render(
        request,
        "campaigns/new.html",
        {
            "objectives": [(value.value, label_for(value, locale)) for value in CampaignObjective],
            "channels": [(value.value, label_for(value, locale)) for value in CampaignChannel],
            "segments": [(row.id, row.name) for row in service.saved_segments(session)],
            "products": _products(session, locale),
            "typed": typed,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


# --- contact tasks --------------------------------------------------------------------------


@router.get("/campaigns/tasks", response_class=HTMLResponse)
def task_page(
    request: Request, session: DbSession, user: PageCampaignsContact, done: Flag = ""
) -> Response:
    """The viewer's open campaign contact tasks, soonest due first."""
    return _render_tasks(request, session, user, done=done == "1")


def _render_tasks(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    done: bool = False,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    return render(
        request,
        "campaigns/tasks.html",
        {
            "tasks": service.open_contact_tasks(session, user=user),
            "done": done,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


def _checked(form: FormData, field: str) -> bool:
    return form.get(field) == "1"


@router.post("/campaigns/{campaign_id}/outcome", response_class=HTMLResponse)
async def record_outcome(
    request: Request, session: DbSession, user: PageCampaignsContact, campaign_id: RowId
) -> Response:
    form = await request.form()
    try:
        customer = service.customer_in_book(
            session, user=user, number=str(form.get("customer_number") or "")[:64]
        )
        service.record_outcome(
            session,
            user=user,
            campaign_id=campaign_id,
            customer_id=customer.id,
            contacted=_checked(form, "contacted"),
            responded=_checked(form, "responded"),
            converted=_checked(form, "converted"),
            amount=_money({"amount": str(form.get("amount") or "")[:40]}, "amount"),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=OUTCOME_FAILED,
            denied=OUTCOME_FAILED,
            otherwise=OUTCOME_FAILED,
        )
        return _render_tasks(request, session, user, problem=problem, status_code=422)
    session.commit()
    return RedirectResponse("/campaigns/tasks?done=1", status_code=303)


# --- one campaign ---------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request,
    session: DbSession,
    user: PageCampaignsRead,
    campaign_id: RowId,
    done: Flag = "",
) -> Response:
    """A campaign: its design, the actions its status allows, its members and evaluation."""
    return _render_campaign(request, session, user, campaign_id, done=done)


async def _act(
    request: Request,
    session: Session,
    user: StaffUser,
    campaign_id: int,
    action: str,
) -> Response:
    form = await request.form()
    version = whole_number(str(form.get("version") or ""))
    try:
        if version is None:
            raise ValidationFailed("the campaign's version is missing", field="version")
        if action == "approve":
            service.approve(session, user=user, campaign_id=campaign_id, version=version)
        elif action == "launch":
            service.launch(session, user=user, campaign_id=campaign_id, version=version)
        else:
            service.stop(session, user=user, campaign_id=campaign_id, version=version)
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=ACTION_CONFLICT,
            denied=ACTION_DENIED,
            otherwise=ACTION_FAILED,
        )
        return _render_campaign(
            request, session, user, campaign_id, problem=problem, status_code=409
        )
    session.commit()
    return RedirectResponse(f"/campaigns/{campaign_id}?done={action}", status_code=303)


@router.post("/campaigns/{campaign_id}/approve", response_class=HTMLResponse)
async def approve_campaign(
    request: Request, session: DbSession, user: PageCampaignsApprove, campaign_id: RowId
) -> Response:
    return await _act(request, session, user, campaign_id, "approve")


@router.post("/campaigns/{campaign_id}/launch", response_class=HTMLResponse)
async def launch_campaign(
    request: Request, session: DbSession, user: PageCampaignsDesign, campaign_id: RowId
) -> Response:
    return await _act(request, session, user, campaign_id, "launch")


@router.post("/campaigns/{campaign_id}/stop", response_class=HTMLResponse)
async def stop_campaign(
    request: Request, session: DbSession, user: PageCampaignsDesign, campaign_id: RowId
) -> Response:
    return await _act(request, session, user, campaign_id, "stop")


@router.post("/campaigns/{campaign_id}/responses", response_class=HTMLResponse)
async def import_responses(
    request: Request, session: DbSession, user: PageCampaignsDesign, campaign_id: RowId
) -> Response:
    locale = request_locale(request)
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("choose a CSV file to upload", field="file")
        content = await upload.read(RESPONSE_FILE_LIMIT + 1)
        if len(content) > RESPONSE_FILE_LIMIT:
            raise ValidationFailed("the file is larger than 20 MB", field="file")
        count = service.import_responses(
            session,
            user=user,
            campaign_id=campaign_id,
            content=content,
            file_name=upload.filename[:200],
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=IMPORT_FAILED,
            denied=IMPORT_FAILED,
            otherwise=IMPORT_FAILED,
        )
        if isinstance(error, ImportRejected):
            problem = Problem(
                problem.headline,
                gettext(locale, IMPORT_WHERE)
                % {
                    "file": error.file,
                    "row": "—" if error.row is None else format_number(error.row, locale),
                    "column": error.column or "—",
                    "reason": error.reason,
                },
            )
        return _render_campaign(
            request, session, user, campaign_id, problem=problem, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/campaigns/{campaign_id}?done=import&rows={count}", status_code=303)


def _render_campaign(
    request: Request,
    session: Session,
    user: StaffUser,
    campaign_id: int,
    *,
    done: str = "",
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    row = service.visible_campaign(session, user, campaign_id)
    launched = row.status not in (CampaignStatus.DRAFT, CampaignStatus.APPROVED)
    context: dict[str, Any] = {
        "campaign": row,
        "segment": service.saved_segment(session, row.segment_id) if row.segment_id else None,
        "product": _product_name(session, row, locale),
        "people": _people(session, row),
        "launched": launched,
        "can_approve": row.status is CampaignStatus.DRAFT
        and has_permission(user.role, Permission.CAMPAIGNS_APPROVE),
        "can_launch": row.status is CampaignStatus.APPROVED
        and has_permission(user.role, Permission.CAMPAIGNS_DESIGN),
        "can_stop": row.status is CampaignStatus.RUNNING
        and has_permission(user.role, Permission.CAMPAIGNS_DESIGN),
        "can_import": launched and has_permission(user.role, Permission.CAMPAIGNS_DESIGN),
        "done": done[:20],
        "rows": whole_number(request.query_params.get("rows"), low=0),
        "problem": translated(problem, locale),
    }
    if launched:
        context["exclusions"] = sorted(
            service.exclusion_counts(session, user=user, campaign_id=campaign_id).items(),
            key=lambda item: -item[1],
        )
        figures = service.evaluate(session, user=user, campaign_id=campaign_id)
        context["evaluation"] = _evaluation_view(session, figures, locale)
        context["chart"] = _funnel_chart(figures.funnel, locale)
    return render(request, "campaigns/detail.html", context, status_code=status_code)


def _product_name(session: Session, row: Campaign, locale: str) -> str | None:
    if row.product_id is None:
        return None
    product = products_repository.get(session, row.product_id)
    if product is None:
        return None
    return in_language(locale, zh=product.name_zh, en=product.name_en)


def _people(session: Session, row: Campaign) -> dict[str, str]:
    """The full names of who designed, approved and launched the campaign."""
    people: dict[str, str] = {}
    for role, staff_id in (
        ("designer", row.created_by_id),
        ("approver", row.approved_by_id),
        ("launcher", row.launched_by_id),
    ):
        if staff_id is not None:
            people[role] = staff_service.get_user(session, user_id=staff_id).full_name
    return people


def _points(value: float) -> str:
    return f"{value * 100:.1f}"


def uplift_sentence(figures: evaluation.Evaluation, locale: str) -> str:
    """``提升 4.0 个百分点（95% 区间 1.2 至 6.8），p = 0.004`` in the viewer's language."""
    p_text = "< 0.001" if figures.p_value < 0.001 else f"= {figures.p_value:.3f}"
    return gettext(locale, UPLIFT_SENTENCE) % {
        "uplift": _points(figures.uplift),
        "level": f"{figures.confidence * 100:g}",
        "low": _points(figures.ci_low),
        "high": _points(figures.ci_high),
        "p": p_text,
    }


def _comparison(figures: evaluation.Evaluation | None, locale: str) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {
        "figures": figures,
        "sentence": uplift_sentence(figures, locale),
        "plain": gettext(
            locale, NOT_BY_CHANCE if figures.p_value < SIGNIFICANCE else SHOWN_BY_CHANCE
        ),
    }


def _evaluation_view(
    session: Session, figures: service.CampaignEvaluation, locale: str
) -> dict[str, Any]:
    branches = {branch.id: branch.name for branch in branches_service.list_branches(session)}
    return {
        "refusal": figures.refusal,
        "response": _comparison(figures.overall, locale),
        "conversion": _comparison(figures.conversion, locale),
        "cost": figures.cost,
        "budget": figures.budget,
        "budget_used": figures.cost / figures.budget if figures.budget else None,
        "by_branch": [
            {
                "branch": branches.get(branch, "—") if branch is not None else "—",
                "figures": branch_figures,
                "sentence": uplift_sentence(branch_figures, locale),
            }
            for branch, branch_figures in figures.by_branch.items()
        ],
        "funnel": [
            (gettext(locale, FUNNEL_TEXTS[step]), count) for step, count in figures.funnel.items()
        ],
    }


def _funnel_chart(funnel: dict[str, int], locale: str) -> dict[str, Any]:
    """An ECharts option for ``charts.js``: treated members down to the converted."""
    return {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "label": {"position": "inside", "formatter": "{b}: {c}"},
                "data": [
                    {"name": gettext(locale, FUNNEL_TEXTS[step]), "value": count}
                    for step, count in funnel.items()
                ],
            }
        ],
    }


# --- the contact list -----------------------------------------------------------------------


def _because(session: Session, row: Campaign, locale: str) -> str:
    """Why a treated member is in the list, in words: every member met the campaign's frozen
    criteria and consented on its channel, so the words are the same for all."""
    branches = {branch.id: branch.name for branch in branches_service.list_branches(session)}
    criteria = service.criteria_of(row.criteria)
    met = [
        f"{title}: {values}"
        for title, values in _describe(criteria, branches, dict(_products(session, locale)), locale)
    ] or [gettext(locale, _("All active customers"))]
    consent = gettext(locale, _("consents to marketing by %(channel)s")) % {
        "channel": label_for(row.channel, locale)
    }
    return "; ".join([*met, consent])


def _contact_rows(
    session: Session, user: StaffUser, campaign_id: int, locale: str
) -> tuple[Campaign, list[list[str]]]:
    row = service.visible_campaign(session, user, campaign_id)
    listed = service.contact_list(session, user=user, campaign_id=campaign_id)
    managers = {
        manager.id: manager.full_name for manager in staff_service.list_account_managers(session)
    }
    because = _because(session, row, locale)
    return row, [
        [
            str(item["customer_number"]),
            str(item["name"]),
            str(item["address"] or ""),
            managers.get(item["manager_id"], "") if item["manager_id"] is not None else "",
            because,
        ]
        for item in listed
    ]


@router.get("/campaigns/{campaign_id}/contacts.csv")
def contacts_csv(
    request: Request, session: DbSession, user: PageCampaignsRead, campaign_id: RowId
) -> Response:
    """The treated members with the address on the campaign's channel and why each is in it."""
    locale = request_locale(request)
    row, rows = _contact_rows(session, user, campaign_id, locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext(locale, heading) for heading in CONTACT_LIST_HEADINGS])
    for values in rows:
        writer.writerow([csv_cell(value) for value in values])
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=attachment(f"{row.code}-contacts.csv"),
    )


@router.get("/campaigns/{campaign_id}/contacts.xlsx")
def contacts_xlsx(
    request: Request, session: DbSession, user: PageCampaignsRead, campaign_id: RowId
) -> Response:
    locale = request_locale(request)
    row, rows = _contact_rows(session, user, campaign_id, locale)
    headings = [gettext(locale, heading) for heading in CONTACT_LIST_HEADINGS]
    return Response(
        list_workbook(row.code, headings, [list(values) for values in rows], widths=(16, 24)),
        media_type=XLSX_MEDIA_TYPE,
        headers=attachment(f"{row.code}-contacts.xlsx"),
    )


# --- consent --------------------------------------------------------------------------------

CONSENT_FIELDS = ("channel", "granted", "source", "given_on")


@router.get("/customers/{customer_id}/consent", response_class=HTMLResponse)
def consent_page(
    request: Request,
    session: DbSession,
    user: PageCampaignsContact,
    customer_id: RowId,
    saved: Flag = "",
) -> Response:
    """The customer's answer in force on each channel, and the form for a new one."""
    return _render_consent(request, session, user, customer_id, saved=saved == "1")


@router.post("/customers/{customer_id}/consent", response_class=HTMLResponse)
async def record_consent(
    request: Request, session: DbSession, user: PageCampaignsContact, customer_id: RowId
) -> Response:
    form = await request.form()
    typed = {
        field: str(normalise_text(str(form.get(field) or "")))[:64] for field in CONSENT_FIELDS
    }
    try:
        try:
            channel = CampaignChannel(typed["channel"])
        except ValueError:
            raise ValidationFailed("pick a channel", field="channel") from None
        if typed["granted"] not in ("1", "0"):
            raise ValidationFailed("say yes or no", field="granted")
        service.record_consent(
            session,
            user=user,
            customer_id=customer_id,
            channel=channel,
            granted=typed["granted"] == "1",
            source=typed["source"],
            given_on=_day(typed, "given_on") if typed["given_on"] else None,
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=CONSENT_FAILED,
            denied=CONSENT_FAILED,
            otherwise=CONSENT_FAILED,
        )
        return _render_consent(
            request, session, user, customer_id, typed=typed, problem=problem, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/customers/{customer_id}/consent?saved=1", status_code=303)


def _render_consent(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    *,
    saved: bool = False,
    typed: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    customer = service.customer_in_book(session, user=user, customer_id=customer_id)
    in_force = service.consents_in_force(session, user=user, customer_id=customer_id)
    channels = [
        {
            "channel": channel,
            "consent": consent,
            "recorded_by": staff_service.get_user(session, user_id=consent.recorded_by_id).full_name
            if consent is not None and consent.recorded_by_id is not None
            else None,
        }
        for channel in CampaignChannel
        for consent in (in_force.get(channel),)
    ]
    return render(
        request,
        "campaigns/consent.html",
        {
            "customer": customer,
            "channels": channels,
            "choices": [(value.value, label_for(value, locale)) for value in CampaignChannel],
            "saved": saved,
            "typed": typed or {},
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )
