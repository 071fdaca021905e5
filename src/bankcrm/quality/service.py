"""The service blueprint with its figures, and the satisfaction figures: what the pages and
the API both show, so they cannot disagree."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from bankcrm.complaints import service as complaints_service
from bankcrm.core import clock
from bankcrm.core.clock import bank_today as today
from bankcrm.core.enums import SurveyKind
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.quality import blueprint as blueprints
from bankcrm.quality.repository import QualityRepository
from bankcrm.quality.schemas import BlueprintRead, SatisfactionRead
from bankcrm.staff.models import StaffUser

PERIOD_MONTHS = 12
"""Figures cover this many calendar months up to today unless a period is chosen."""


def default_since(until: date) -> date:
    """The first day of the month eleven months before ``until``: twelve calendar months."""
    months = until.year * 12 + until.month - 1 - (PERIOD_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


def period(since: date | None, until: date | None) -> tuple[date, date]:
    """The chosen period, both days included: ``until`` defaults to today, ``since`` to
    twelve calendar months before it. The days come checked as typed dates
    (``bankcrm.core.inputs``), so they can be turned into the bank's times and back."""
    last = until or today()
    first = since or default_since(last)
    if last < first:
        raise ValidationFailed("the period ends before it starts", field="until")
    return first, last


def shipped_blueprint() -> blueprints.Blueprint:
    """The shipped blueprint, checked against the complaint taxonomy the bank uses."""
    return blueprints.load_blueprint(issues=frozenset(complaints_service.taxonomy().issues))


def blueprint_report(
    session: Session, *, user: StaffUser, since: date, until: date
) -> BlueprintRead:
    """The blueprint with the figures of the period, both days included, from the
    inspections and cases ``user`` may see."""
    blueprint = shipped_blueprint()
    rows = QualityRepository(session, user)
    issues = {issue for point in blueprint.points for issue in point.issues}
    points = blueprints.figures(
        blueprint,
        standards=rows.standard_checks(
            codes=blueprints.linked_standards(blueprint),
            inspected_from=since,
            inspected_to=until,
        ),
        complaints=rows.complaints_by_issue(
            issues=issues,
            received_from=clock.bank_day_start(since),
            received_before=clock.bank_day_start(until + timedelta(days=1)),
        ),
    )
    labels = complaints_service.taxonomy().issues
    return BlueprintRead.of(
        blueprint,
        points,
        issue_labels={code: labels[code] for code in issues},
        since=since,
        until=until,
    )


def satisfaction_report(
    session: Session, *, user: StaffUser, since: date | None
) -> SatisfactionRead:
    """CSAT, first-time CSAT and NPS of the answers from ``since`` on (twelve calendar months
    unless given) that ``user`` may see, with their monthly trends and branches."""
    since = since or default_since(today())
    rows = QualityRepository(session, user)
    return SatisfactionRead.of(
        csat_answers=rows.scored_answers_by_branch(kind=SurveyKind.CSAT, answered_from=since),
        nps_answers=rows.scored_answers_by_branch(kind=SurveyKind.NPS, answered_from=since),
        since=since,
    )
