"""The service blueprint with its figures, and the satisfaction figures, over the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.inputs import Day
from bankcrm.quality.schemas import BlueprintRead, SatisfactionRead
from bankcrm.quality.service import blueprint_report, period, satisfaction_report
from bankcrm.web.deps import DbSession, QualityRead

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/blueprint", response_model=BlueprintRead)
def read_blueprint(
    session: DbSession,
    user: QualityRead,
    since: Annotated[Day | None, Query()] = None,
    until: Annotated[Day | None, Query()] = None,
) -> BlueprintRead:
    """The branch service blueprint: steps, lanes, lines, and the fail and wait points with
    the inspections of their standards and the complaints of their issues in the period
    (twelve calendar months up to today unless chosen)."""
    first, last = period(since, until)
    return blueprint_report(session, user=user, since=first, until=last)


@router.get("/satisfaction", response_model=SatisfactionRead)
def read_satisfaction(
    session: DbSession,
    user: QualityRead,
    since: Annotated[Day | None, Query()] = None,
) -> SatisfactionRead:
    """CSAT, first-time CSAT and NPS with its 95 % interval, monthly trends and a row per
    branch, of the answers from ``since`` on (twelve calendar months unless chosen)."""
    return satisfaction_report(session, user=user, since=since)
