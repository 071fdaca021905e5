"""Complaint desk pages: the queue, intake, one case with its workflow, the case analysis."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.churn import service as churn_service
from bankcrm.complaints import export, reports, service, workflow
from bankcrm.complaints.analysis import CaseReport
from bankcrm.complaints.schemas import ComplaintDetail, ComplaintEventRead, SuggestionRead
from bankcrm.complaints.taxonomy import Taxonomy
from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import (
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    RecoveryKind,
    RecoveryStatus,
    Severity,
)
from bankcrm.core.exceptions import (
    BankcrmError,
    NotFound,
    ValidationFailed,
)
from bankcrm.core.inputs import FormText, check_moment, parse_day, parse_number
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import XLSX_MEDIA_TYPE, attachment
from bankcrm.customers import service as customers_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageComplaintsApprove, PageComplaintsHandle, PageComplaintsRead
from bankcrm.web.filters import chosen_id
from bankcrm.web.i18n import format_date, format_money, gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

router = APIRouter(prefix="/complaints")

Version = Annotated[int, Form(ge=1, le=MAX_ID)]
Code = Annotated[str, Form(max_length=64, pattern=r"^[a-z0-9_]*$")]
"""A taxonomy code picked in a select box; empty for none."""
ReasonText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
LongText = Annotated[FormText, Form(max_length=5000, pattern=STORABLE_TEXT)]
DayText = Annotated[str | None, Query(max_length=10)]

VIEWS = ("open", "mine", "due_soon", "overdue", "all")
"""The queue's tabs; all but "all" leave closed and withdrawn cases out."""
REPORT_MONTHS = 12
"""The report page shows this many months up to today unless a period is chosen."""
MAX_AMOUNT = Decimal("100000000")

STATUS_BADGES = {
    ComplaintStatus.RECEIVED: "text-bg-primary",
    ComplaintStatus.ACCEPTED: "text-bg-info",
    ComplaintStatus.INVESTIGATING: "text-bg-warning",
    ComplaintStatus.ESCALATED: "text-bg-danger",
    ComplaintStatus.REPLIED: "text-bg-success",
    ComplaintStatus.REOPENED: "text-bg-warning",
    ComplaintStatus.CLOSED: "text-bg-secondary",
    ComplaintStatus.WITHDRAWN: "text-bg-light border",
}
SEVERITY_BADGES = {
    Severity.LOW: "text-bg-light border",
    Severity.MEDIUM: "text-bg-info",
    Severity.HIGH: "text-bg-warning",
    Severity.CRITICAL: "text-bg-danger",
}
RECOVERY_BADGES = {
    RecoveryStatus.PENDING: "text-bg-warning",
    RecoveryStatus.APPROVED: "text-bg-success",
    RecoveryStatus.REJECTED: "text-bg-danger",
}


VIEW_LABELS = {
    "open": _("Open"),
    "mine": _("Mine"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "all": _("All"),
}
ACTION_BUTTONS = {
    ComplaintAction.ACCEPT: _("Accept the case"),
    ComplaintAction.INVESTIGATE: _("Start the investigation"),
    ComplaintAction.REPLY: _("Record the reply"),
    ComplaintAction.CLOSE: _("Close the case"),
    ComplaintAction.REOPEN: _("Reopen"),
    ComplaintAction.ESCALATE: _("Escalate to the branch manager"),
    ComplaintAction.WITHDRAW: _("Record the withdrawal"),
    ComplaintAction.EXTEND: _("Extend the deadline"),
}
ACTION_HINTS = {
    ComplaintAction.ACCEPT: _("The case is yours to handle once accepted."),
    ComplaintAction.INVESTIGATE: _("Find out what happened and why."),
    ComplaintAction.REPLY: _("The reply given to the customer; it stops the deadline."),
    ComplaintAction.CLOSE: _("Record how the customer took the reply."),
    ComplaintAction.REOPEN: _("The customer is not satisfied: the case starts a new deadline."),
    ComplaintAction.ESCALATE: _("The branch manager takes the case over."),
    ComplaintAction.WITHDRAW: _("The customer withdrew the complaint."),
    ComplaintAction.EXTEND: _("Once per case, with a reason, before the deadline."),
}
GAP_LABELS = {
    1: _("gap 1"),
    2: _("gap 2"),
    3: _("gap 3"),
    4: _("gap 4"),
    5: _("gap 5"),
}
"""The five service-quality gaps (GLOSSARY: 差距一…差距五)."""
CONFLICT = _(
    "Someone else changed this case, or the action is not possible in its current status. "
    "It is shown as it is now: check it and try again."
)


@dataclass(frozen=True)
class IntakeForm:
    """What was typed into the intake form, shown again when it is refused."""

    customer_id: str = ""
    customer_label: str = ""
    """The chosen customer as the picker shows them, ``王芳 (C000014388)``."""
    channel: str = ComplaintChannel.COUNTER.value
    severity: str = Severity.MEDIUM.value
    received_at: str = ""
    text: str = ""
    product_line: str = ""
    issue: str = ""


@dataclass(frozen=True)
class Typed:
    """What was typed into a refused form of the case page, to fill it in again."""

    action: str = ""
    reason: str = ""
    reply: str = ""
    note: str = ""
    recovery_kind: str = ""
    amount: str = ""
    recovery_note: str = ""


def _choices(labels: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    return [(code, label.text(locale)) for code, label in labels.items()]


def _gap_label(gap: int | None, locale: str) -> str | None:
    return gettext(locale, GAP_LABELS[gap]) if gap in GAP_LABELS else None


# --- the queue -----------------------------------------------------------------------------


ViewQuery = Annotated[str, Query(max_length=16)]
StatusQuery = Annotated[str | None, Query(max_length=16)]


def _queue_filters(view: str, status: str | None) -> tuple[str, ComplaintStatus | None]:
    """The tab and status asked for; anything unknown is the open cases."""
    chosen_status = ComplaintStatus(status) if status in set(ComplaintStatus) else None
    return (view if view in VIEWS else "open"), chosen_status


def _view_filters(view: str, status: ComplaintStatus | None) -> dict[str, bool]:
    """A chosen status is shown whatever the tab: that is how closed cases are found."""
    return {
        "open_only": view != "all" and status is None,
        "mine": view == "mine",
        "due_soon": view == "due_soon",
        "overdue": view == "overdue",
    }


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    user: PageComplaintsRead,
    view: ViewQuery = "open",
    status: StatusQuery = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """Cases the user may see, earliest deadline first, in tabs: open, mine, due soon, overdue
    and all (closed and withdrawn cases after the open ones)."""
    chosen_view, chosen_status = _queue_filters(view, status)
    result = service.list_complaints(
        session,
        user=user,
        status=chosen_status,
        page=page,
        page_size=page_size,
        **_view_filters(chosen_view, chosen_status),
    )
    status_value = chosen_status.value if chosen_status else ""
    context: dict[str, Any] = {
        "result": result,
        "taxonomy": service.taxonomy(),
        "view": chosen_view,
        "views": VIEW_LABELS,
        "status": status_value,
        "statuses": list(ComplaintStatus),
        "status_badges": STATUS_BADGES,
        "severity_badges": SEVERITY_BADGES,
        "may_handle": has_permission(user.role, Permission.COMPLAINTS_HANDLE),
        "query": {"view": chosen_view, "status": status_value, "page_size": page_size},
        "export_query": {"view": chosen_view, "status": status_value},
    }
    return render(request, "complaints/list.html", context)


@router.get("/export.xlsx")
def export_queue(
    request: Request,
    session: DbSession,
    user: PageComplaintsRead,
    view: ViewQuery = "open",
    status: StatusQuery = None,
) -> Response:
    """The queue as a workbook, with the same tab and status; audited, as it names customers."""
    chosen_view, chosen_status = _queue_filters(view, status)
    cases = service.exported_complaints(
        session, user=user, status=chosen_status, **_view_filters(chosen_view, chosen_status)
    )
    return Response(
        export.queue_workbook(cases, taxonomy=service.taxonomy(), locale=request_locale(request)),
        media_type=XLSX_MEDIA_TYPE,
        headers=attachment("complaints.xlsx"),
    )


# --- intake --------------------------------------------------------------------------------


@router.get("/new", response_class=HTMLResponse)
def intake_form(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    customer_id: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The intake form; ``customer_id`` fills it in when coming from a customer."""
    return _render_intake(request, _with_customer(session, user, IntakeForm(), customer_id))


def _with_customer(
    session: Session, user: StaffUser, form: IntakeForm, customer_id: str
) -> IntakeForm:
    """The form with the customer ``customer_id`` shown by name; one the user may not see
    (or a garbled id) is left out, so that the picker starts empty."""
    label = customers_service.picked_customer(
        session, user=user, customer_id=chosen_id(customer_id)
    )
    return replace(form, customer_id=customer_id if label else "", customer_label=label)


@router.post("/new", response_class=HTMLResponse)
async def register_complaint(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    channel: Annotated[ComplaintChannel, Form()],
    severity: Annotated[Severity, Form()] = Severity.MEDIUM,
    customer_id: Annotated[str, Form(max_length=20)] = "",
    received_at: Annotated[str, Form(max_length=32)] = "",
    text: LongText = "",
    product_line: Code = "",
    issue: Code = "",
    suggest: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Registers the case and opens it; with ``suggest`` the form comes back with the
    classifier's product line and issue chosen. A refused form comes back filled in."""
    await check_csrf(request)
    form = IntakeForm(
        customer_id=customer_id.strip(),
        channel=channel.value,
        severity=severity.value,
        received_at=received_at.strip(),
        text=text,
        product_line=product_line,
        issue=issue,
    )
    chosen_customer = chosen_id(form.customer_id)
    if form.customer_id and chosen_customer is None:
        headline = _("Enter the customer ID: the number at the end of the customer page's address.")
        return _render_intake(request, form, problem=Problem(headline), status_code=422)
    form = _with_customer(session, user, form, form.customer_id)
    try:
        received = _bank_time(form.received_at)
    except ValueError as error:
        headline = _("Enter when the complaint was received, or leave it empty for now.")
        problem = Problem(headline, f"received_at: {error}")
        return _render_intake(request, form, problem=problem, status_code=422)
    if suggest:
        if not text.strip():
            headline = _("Write the complaint first: the suggestion is made from its text.")
            return _render_intake(request, form, problem=Problem(headline), status_code=422)
        suggestion = service.suggest(session, text=text)
        form = replace(form, product_line=suggestion.product_line, issue=suggestion.issue)
        return _render_intake(request, form, suggestion=suggestion)
    try:
        created = service.create_complaint(
            session,
            user=user,
            channel=channel,
            text=text,
            customer_id=chosen_customer,
            severity=severity,
            product_line=product_line or None,
            issue=issue or None,
            received_at=received,
        )
    except BankcrmError as error:
        # nothing of a refused case may be committed with the page
        session.rollback()
        headline = (
            _("No customer with this ID among the customers you may see.")
            if isinstance(error, NotFound)
            else _("The complaint could not be registered.")
        )
        return _render_intake(
            request, form, problem=Problem(headline, error.message), status_code=error.status_code
        )
    return RedirectResponse(f"/complaints/{created.id}", status_code=303)


def _bank_time(value: str) -> datetime | None:
    """A ``datetime-local`` value, in the bank's time zone; empty is none (now)."""
    if not value:
        return None
    moment = check_moment(datetime.fromisoformat(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(get_settings().timezone))
    # stored times are UTC: SQLite keeps no offset and would keep the wall time
    return moment.astimezone(UTC)


def _render_intake(
    request: Request,
    form: IntakeForm,
    *,
    suggestion: SuggestionRead | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    taxonomy = service.taxonomy()
    context: dict[str, Any] = {
        "form": form,
        "channels": list(ComplaintChannel),
        "severities": list(Severity),
        "product_lines": _choices(taxonomy.product_lines, locale),
        "issues": _choices(taxonomy.issues, locale),
        "suggestion": suggestion,
        "suggested_product_line": (
            taxonomy.product_line(suggestion.product_line, locale) if suggestion else None
        ),
        "suggested_issue": taxonomy.issue(suggestion.issue, locale) if suggestion else None,
        "deadline_days": get_settings().complaints.deadline_days,
        "working_days": get_settings().complaints.working_days,
        "problem": translated(problem, locale),
    }
    return render(request, "complaints/new.html", context, status_code=status_code)


# --- the case-analysis report --------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse)
def case_analysis(
    request: Request,
    session: DbSession,
    user: PageComplaintsRead,
    start: DayText = None,
    end: DayText = None,
) -> Response:
    """The case analysis of a period: the last twelve months unless another is chosen."""
    locale = request_locale(request)
    problem: Problem | None = None
    status_code = 200
    try:
        first, last = _period(start, end)
    except ValueError as error:
        first, last = _period(None, None)
        problem = Problem(_("Enter the period as two dates."), str(error))
        status_code = 422
    report: CaseReport | None = None
    try:
        report = reports.build(session, user=user, start=first, end=last)
    except ValidationFailed as error:
        problem = Problem(_("The report could not be made for this period."), error.message)
        status_code = error.status_code
    taxonomy = service.taxonomy()
    context: dict[str, Any] = {
        "start": first,
        "end": last,
        "report": report,
        "problem": translated(problem, locale),
        "pareto": _pareto_rows(report, taxonomy, locale) if report else [],
        "chart": _report_chart(report, taxonomy, locale) if report else None,
        "customer_labels": customers_service.customer_labels(
            session,
            user=user,
            customer_ids=[row.customer_id for row in report.repeat_complainants.top]
            if report
            else [],
        ),
    }
    return render(request, "complaints/reports.html", context, status_code=status_code)


@router.get("/reports.xlsx")
def case_analysis_workbook(
    request: Request,
    session: DbSession,
    user: PageComplaintsRead,
    start: DayText = None,
    end: DayText = None,
) -> Response:
    """The same report as an Excel workbook to download, in the page's language."""
    try:
        first, last = _period(start, end)
    except ValueError as error:
        raise ValidationFailed(f"the period must be two dates: {error}", field="start") from error
    content, media_type, filename = reports.render(
        session,
        user=user,
        start=first,
        end=last,
        file_format="xlsx",
        locale=request_locale(request),
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The chosen period; a day left out is today, or the first day of the month eleven
    months before the end (twelve months of bars)."""
    last = parse_day(end) if end else clock.bank_today()
    if start:
        return parse_day(start), last
    months = last.year * 12 + last.month - 1 - (REPORT_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1), last


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _pareto_rows(report: CaseReport, taxonomy: Taxonomy, locale: str) -> list[dict[str, Any]]:
    return [
        {
            "label": taxonomy.root_cause(row.root_cause, locale),
            "gap": _gap_label(taxonomy.gap_of(row.root_cause), locale),
            "cases": row.cases,
            "share": row.share,
            "cumulative_share": row.cumulative_share,
            "vital": row.vital,
        }
        for row in report.root_causes.rows
    ]


def _report_chart(report: CaseReport, taxonomy: Taxonomy, locale: str) -> dict[str, Any]:
    """What complaints.js draws: monthly volume by issue, the root-cause Pareto, timeliness
    by branch and cases by service gap."""
    no_branch = gettext(locale, "No branch")
    gaps = report.service_gaps
    return {
        "text": {
            "cases": gettext(locale, "Cases"),
            "cumulative": gettext(locale, "Cumulative share (%)"),
            "timely": gettext(locale, "Replied in time (%)"),
            "timely_rate": gettext(locale, "Replied in time"),
            "replied": gettext(locale, "Replied"),
        },
        "volume": {
            "months": list(report.volume.months),
            "series": [
                {"name": taxonomy.issue(series.key or "", locale), "counts": list(series.counts)}
                for series in report.volume.by_issue
            ],
        },
        "pareto": {
            "labels": [
                taxonomy.root_cause(row.root_cause, locale) for row in report.root_causes.rows
            ],
            "cases": [row.cases for row in report.root_causes.rows],
            "cumulative": [_percent(row.cumulative_share) for row in report.root_causes.rows],
            "vital": [row.vital for row in report.root_causes.rows],
        },
        "timeliness": {
            "labels": [row.branch or no_branch for row in report.timeliness.by_branch],
            "rates": [_percent(row.timely_rate) for row in report.timeliness.by_branch],
            "replied": [row.replied for row in report.timeliness.by_branch],
        },
        "gaps": {
            "labels": [_gap_label(row.gap, locale) for row in gaps.gaps]
            + [gettext(locale, "No gap")],
            "cases": [row.cases for row in gaps.gaps] + [gaps.no_gap],
        },
    }


# --- one case ------------------------------------------------------------------------------


@router.get("/{complaint_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: DbSession, user: PageComplaintsRead, complaint_id: RowId
) -> Response:
    return _render_case(request, session, user, complaint_id)


@router.post("/{complaint_id}/labels", response_class=HTMLResponse)
async def save_labels(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    complaint_id: RowId,
    version: Version,
    product_line: Code = "",
    issue: Code = "",
    root_cause: Code = "",
    severity: Annotated[Severity | None, Form()] = None,
) -> Response:
    """Accepts or corrects product line and issue, sets the root cause and severity."""
    await check_csrf(request)
    try:
        service.update_labels(
            session,
            user=user,
            complaint_id=complaint_id,
            version=version,
            product_line=product_line or None,
            issue=issue or None,
            root_cause=root_cause or None,
            severity=severity,
        )
    except BankcrmError as error:
        return _refused(
            request, session, user, complaint_id, error, _("The labels were not saved.")
        )
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


@router.post("/{complaint_id}/transitions", response_class=HTMLResponse)
async def take_action(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    complaint_id: RowId,
    action: Annotated[ComplaintAction, Form()],
    version: Version,
    reason: ReasonText = "",
    reply: LongText = "",
    confirmation: Annotated[CustomerConfirmation | None, Form()] = None,
) -> Response:
    """One workflow action; a stale page or an action the status no longer allows is a 409
    showing the case as it is now."""
    await check_csrf(request)
    try:
        service.transition(
            session,
            user=user,
            complaint_id=complaint_id,
            action=action,
            version=version,
            reason=reason,
            reply=reply,
            confirmation=confirmation,
        )
    except BankcrmError as error:
        typed = Typed(action=action.value, reason=reason, reply=reply)
        return _refused(
            request,
            session,
            user,
            complaint_id,
            error,
            _("The action was not carried out."),
            typed=typed,
        )
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


@router.post("/{complaint_id}/notes", response_class=HTMLResponse)
async def add_note(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    complaint_id: RowId,
    text: LongText = "",
) -> Response:
    await check_csrf(request)
    try:
        service.add_note(session, user=user, complaint_id=complaint_id, text=text)
    except BankcrmError as error:
        return _refused(
            request,
            session,
            user,
            complaint_id,
            error,
            _("The note was not saved."),
            typed=Typed(note=text),
        )
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


@router.post("/{complaint_id}/recoveries", response_class=HTMLResponse)
async def propose_recovery(
    request: Request,
    session: DbSession,
    user: PageComplaintsHandle,
    complaint_id: RowId,
    kind: Annotated[RecoveryKind, Form()],
    amount: Annotated[str, Form(max_length=20)] = "",
    note: ReasonText = "",
) -> Response:
    """An apology, fee refund or compensation; above the approval limit it waits for a
    second person."""
    await check_csrf(request)
    typed = Typed(recovery_kind=kind.value, amount=amount, recovery_note=note)
    headline = _("The service recovery was not recorded.")
    try:
        yuan = _yuan(amount)
    except ValueError:
        problem = Problem(
            headline,
            gettext(request_locale(request), "Enter the amount in yuan, for example 120.50."),
        )
        return _render_case(
            request, session, user, complaint_id, problem=problem, typed=typed, status_code=422
        )
    try:
        service.propose_recovery(
            session, user=user, complaint_id=complaint_id, kind=kind, amount=yuan, note=note
        )
    except BankcrmError as error:
        return _refused(request, session, user, complaint_id, error, headline, typed=typed)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


def _yuan(value: str) -> Decimal | None:
    """An amount typed in yuan (``1,200.50``), to the fen and at most ``MAX_AMOUNT``; empty
    is none."""
    amount = parse_number(value)
    if amount is None:
        return None
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(value)
    return amount


@router.post("/{complaint_id}/recoveries/{recovery_id}/decision", response_class=HTMLResponse)
async def decide_recovery(
    request: Request,
    session: DbSession,
    user: PageComplaintsApprove,
    complaint_id: RowId,
    recovery_id: RowId,
    version: Version,
    decision: Annotated[Literal["approve", "reject"], Form()],
) -> Response:
    """The checker's decision on a recovery above the limit; its maker cannot decide it."""
    await check_csrf(request)
    try:
        case = service.get_complaint(session, user=user, complaint_id=complaint_id)
        if recovery_id not in {recovery.id for recovery in case.recoveries}:
            raise NotFound(f"no recovery action {recovery_id} in this complaint")
        service.decide_recovery(
            session,
            user=user,
            recovery_id=recovery_id,
            version=version,
            approve=decision == "approve",
        )
    except BankcrmError as error:
        return _refused(
            request, session, user, complaint_id, error, _("The decision could not be recorded.")
        )
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


def _refused(
    request: Request,
    session: Session,
    user: StaffUser,
    complaint_id: int,
    error: BankcrmError,
    headline: str,
    *,
    typed: Typed | None = None,
) -> Response:
    """The case as it stands now, with why the form was refused (``headline`` when it was
    neither a lost race nor a refused permission)."""
    problem = refusal(
        session, error, conflict=CONFLICT, denied=_("You may not do this."), otherwise=headline
    )
    return _render_case(
        request,
        session,
        user,
        complaint_id,
        problem=problem,
        typed=typed,
        status_code=error.status_code,
    )


def _render_case(
    request: Request,
    session: Session,
    user: StaffUser,
    complaint_id: int,
    *,
    problem: Problem | None = None,
    typed: Typed | None = None,
    status_code: int = 200,
) -> Response:
    item = service.get_complaint(session, user=user, complaint_id=complaint_id)
    locale = request_locale(request)
    taxonomy = service.taxonomy()
    settings = get_settings().complaints
    churn = None
    if item.customer_id is not None and has_permission(user.role, Permission.ANALYTICS_READ):
        # a complaint from a customer already drifting away is the one not to lose
        with suppress(NotFound):
            churn = churn_service.customer_churn(
                session, user=user, customer_id=item.customer_id, locale=locale
            )
    may_handle = has_permission(user.role, Permission.COMPLAINTS_HANDLE)
    may_approve = has_permission(user.role, Permission.COMPLAINTS_APPROVE)
    open_case = item.status is not ComplaintStatus.WITHDRAWN
    context: dict[str, Any] = {
        "item": item,
        "churn": churn,
        "taxonomy": taxonomy,
        "status_badges": STATUS_BADGES,
        "severity_badges": SEVERITY_BADGES,
        "recovery_badges": RECOVERY_BADGES,
        "gap": _gap_label(item.service_gap, locale),
        "suggested": item.suggested_product_line is not None,
        "corrected": (item.suggested_product_line, item.suggested_issue)
        != (item.product_line, item.issue),
        "product_lines": _choices(taxonomy.product_lines, locale),
        "issues": _choices(taxonomy.issues, locale),
        "root_causes": [
            (code, label.text(locale), _gap_label(label.gap, locale))
            for code, label in taxonomy.root_causes.items()
        ],
        "severities": list(Severity),
        "may_handle": may_handle,
        "may_relabel": may_handle and open_case,
        "may_propose": may_handle and open_case,
        "actions": _action_forms(item) if may_handle else [],
        "confirmations": list(CustomerConfirmation),
        "recovery_kinds": list(RecoveryKind),
        "recoveries": [
            {
                "item": recovery,
                "pending": recovery.status is RecoveryStatus.PENDING,
                "is_maker": recovery.maker_id == user.id,
                "may_decide": recovery.status is RecoveryStatus.PENDING
                and may_approve
                and recovery.maker_id != user.id,
            }
            for recovery in item.recoveries
        ],
        "approval_limit": settings.approval_limit,
        "extension_days": settings.extension_days,
        "timeline": [_timeline_row(event, locale, taxonomy) for event in item.events],
        "typed": typed or Typed(),
        "problem": translated(problem, locale),
    }
    return render(request, "complaints/detail.html", context, status_code=status_code)


def _action_forms(item: ComplaintDetail) -> list[dict[str, Any]]:
    """One form per action the case's status allows, with the fields that action needs."""
    return [
        {
            "action": action,
            "button": ACTION_BUTTONS[action],
            "hint": ACTION_HINTS[action],
            "needs_reason": action in workflow.NEEDS_REASON,
            "needs_reply": action is ComplaintAction.REPLY,
            "needs_confirmation": action is ComplaintAction.CLOSE,
            "danger": action in (ComplaintAction.ESCALATE, ComplaintAction.WITHDRAW),
        }
        for action in item.allowed_actions
        # an extension is decided before the deadline: past it the service refuses one
        if not (action is ComplaintAction.EXTEND and item.overdue)
    ]


def _timeline_row(event: ComplaintEventRead, locale: str, taxonomy: Taxonomy) -> dict[str, Any]:
    """One line of the timeline: what happened, the facts the system recorded with it in the
    page's words, and what a person wrote."""
    if event.action is not None:
        what = label_for(event.action, locale)
    elif event.kind is ComplaintEventKind.TRANSITION:
        what = gettext(locale, "registered")
    else:
        what = label_for(event.kind, locale)
    return {
        "event": event,
        "what": what,
        "facts": _facts(event.detail or {}, locale, taxonomy),
        "text": event.text,
    }


FIELD_NAMES = {
    "product_line": _("Product line"),
    "issue": _("Issue"),
    "root_cause": _("Root cause"),
    "severity": _("Severity"),
}


def _facts(detail: dict[str, Any], locale: str, taxonomy: Taxonomy) -> str | None:
    """The recorded facts of a timeline entry as one line in the reader's language."""
    if "channel" in detail:
        channel = _enum_label(ComplaintChannel, detail["channel"], locale)
        return f"{gettext(locale, 'Channel')}: {channel}"
    if "confirmation" in detail:
        return _enum_label(CustomerConfirmation, detail["confirmation"], locale)
    if detail.get("rule") == service.OVERDUE_RULE:
        return gettext(locale, "The deadline passed without a reply: escalated by the daily check.")
    if "due" in detail:
        due = date.fromisoformat(detail["due"])
        return gettext(locale, "Reminder to the owner: due %(day)s") % {
            "day": format_date(due, locale)
        }
    if "kind" in detail:
        amount = detail.get("amount")
        parts = [_enum_label(RecoveryKind, detail["kind"], locale)]
        if amount is not None:
            parts.append(format_money(Decimal(amount), locale))
        parts.append(_enum_label(RecoveryStatus, detail.get("status"), locale))
        return " · ".join(parts)
    if "changes" in detail:
        return "; ".join(
            f"{gettext(locale, FIELD_NAMES.get(change['field'], change['field']))}: "
            f"{_code_label(change['field'], change['from'], locale, taxonomy)} → "
            f"{_code_label(change['field'], change['to'], locale, taxonomy)}"
            for change in detail["changes"]
        )
    return None


def _enum_label(enum_class: Any, value: Any, locale: str) -> str:
    return label_for(enum_class(value), locale) if value in set(enum_class) else str(value)


def _code_label(field: str, code: str | None, locale: str, taxonomy: Taxonomy) -> str:
    if code is None:
        return "—"
    if field == "product_line":
        return taxonomy.product_line(code, locale)
    if field == "issue":
        return taxonomy.issue(code, locale)
    if field == "root_cause":
        return taxonomy.root_cause(code, locale)
    return _enum_label(Severity, code, locale)
