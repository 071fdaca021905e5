"""The case-analysis report of a period: gathered from the store, computed, rendered."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.complaints import service
from bankcrm.complaints.analysis import CaseFacts, CaseReport, case_report
from bankcrm.complaints.export import report_workbook
from bankcrm.complaints.repository import ComplaintRepository
from bankcrm.core import clock
from bankcrm.core.clock import as_utc, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.staff.models import StaffUser

MAX_PERIOD_DAYS = 3 * 366
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_period(start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for; twelve calendar months up to today's for what is left out."""
    end = end or clock.bank_today()
    if start is None:
        start = date(end.year, 1, 1) if end.month == 12 else date(end.year - 1, end.month + 1, 1)
    return start, end


def build(session: Session, *, user: StaffUser, start: date | None, end: date | None) -> CaseReport:
    """The report of cases received from ``start`` to ``end`` (bank days, inclusive) among
    those the user may see."""
    start, end = default_period(start, end)
    if end < start:
        raise ValidationFailed("the period ends before it starts", field="end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed("a report covers at most three years", field="start")
    if end > clock.bank_today() + timedelta(days=366):
        raise ValidationFailed("the period ends more than a year from today", field="end")
    rows = ComplaintRepository(session, user).report_rows(
        received_from=clock.bank_day_start(start),
        received_to=clock.bank_day_start(end + timedelta(days=1)),
    )
    facts = [
        CaseFacts(
            id=complaint.id,
            customer_id=complaint.customer_id,
            branch=branch_name,
            channel=complaint.channel.value,
            product_line=complaint.product_line,
            issue=complaint.issue,
            severity=complaint.severity.value,
            status=complaint.status.value,
            root_cause=complaint.root_cause,
            received_at=as_utc(complaint.received_at),
            deadline_at=as_utc(complaint.deadline_at),
            first_replied_at=_utc_or_none(complaint.first_replied_at),
            closed_at=_utc_or_none(complaint.closed_at),
            extended=complaint.extended_at is not None,
            escalated=complaint.escalated_at is not None,
            confirmation=complaint.confirmation.value if complaint.confirmation else None,
            recovery_cost=cost,
        )
        for complaint, branch_name, cost in rows
    ]
    return case_report(
        facts,
        start=start,
        end=end,
        now=utcnow(),
        taxonomy=service.taxonomy(),
        bank_timezone=ZoneInfo(get_settings().timezone),
    )


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def render(
    session: Session,
    *,
    user: StaffUser,
    start: date | None,
    end: date | None,
    file_format: str,
    locale: str,
) -> tuple[bytes, str, str | None]:
    """The report as JSON, or as an Excel workbook to download (content, type, file name)."""
    report = build(session, user=user, start=start, end=end)
    if file_format == "xlsx":
        content = report_workbook(report, taxonomy=service.taxonomy(), locale=locale)
        audit_recorder.record(
            session,
            action=AuditAction.EXPORT,
            entity="complaint_report",
            after={
                "format": "xlsx",
                "start": report.start,
                "end": report.end,
                "customers": [row.customer_id for row in report.repeat_complainants.top],
            },
        )
        period = f"{report.start.replace('-', '')}-{report.end.replace('-', '')}"
        return content, XLSX, f"complaints-{period}.xlsx"
    body = json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False)
    return body.encode(), "application/json", None
