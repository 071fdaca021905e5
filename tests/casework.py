"""Number 1 of each object the writing operations and page forms act on, so that a fuzzer or a
test trying every form reaches the code behind the lookup (a 404 tells nothing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.complaints import service as complaints_service
from bankcrm.core import clock
from bankcrm.core.enums import (
    ActionOrigin,
    ComplaintAction,
    ComplaintChannel,
    InspectionKind,
    RecoveryKind,
    SurveyKind,
)
from bankcrm.quality.improvement import service as improvement_service
from bankcrm.quality.inspections import service as inspections_service
from bankcrm.quality.inspections.checklist import Answer
from bankcrm.quality.surveys import service as surveys_service
from bankcrm.staff.models import StaffUser


def open_casework(
    session: Session, *, officer: StaffUser, customer_ids: list[int], branch_id: int
) -> None:
    """Complaints (one received, one accepted) about the first customers, each with a
    compensation above the approval limit that waits for a checker; a SERVQUAL, a CSAT and an
    NPS wave; the shipped standards and a daily check of ``branch_id``; a PDCA action and a
    service promise. ``officer`` is a quality officer, who may create them all."""
    today = clock.bank_today()
    for index, customer_id in enumerate(customer_ids[:2]):
        case = complaints_service.create_complaint(
            session,
            user=officer,
            channel=ComplaintChannel.PHONE,
            text="排队四十分钟无人处理",
            customer_id=customer_id,
        )
        if index:
            complaints_service.transition(
                session,
                user=officer,
                complaint_id=case.id,
                action=ComplaintAction.ACCEPT,
                version=case.version,
            )
        complaints_service.propose_recovery(
            session,
            user=officer,
            complaint_id=case.id,
            kind=RecoveryKind.COMPENSATION,
            amount=Decimal("5000"),
            note="误工补偿",
        )
    for kind in (SurveyKind.SERVQUAL, SurveyKind.CSAT, SurveyKind.NPS):
        surveys_service.create_wave(
            session,
            user=officer,
            code=f"W-{kind.value}",
            title=f"{kind.value} 调查",
            kind=kind,
            opens_on=today,
            closes_on=today + timedelta(days=30),
        )
    inspections_service.load_standard_catalogue(session)
    checklist = inspections_service.checklist(session, InspectionKind.DAILY_CHECK)
    inspections_service.record_inspection(
        session,
        user=officer,
        kind=InspectionKind.DAILY_CHECK,
        branch_id=branch_id,
        inspected_on=today,
        results=[
            Answer(row.code, observed=1.0) if row.unit else Answer(row.code, passed=True)
            for row in checklist
        ],
    )
    improvement_service.add_action(
        session,
        user=officer,
        title="缩短排队时间",
        due_on=today + timedelta(days=30),
        origin=ActionOrigin.OTHER,
        metric="平均等候分钟",
        metric_before=20.0,
    )
    improvement_service.create_promise(
        session, user=officer, title="排队不超过十五分钟", promised=15, unit="min"
    )
    session.flush()
