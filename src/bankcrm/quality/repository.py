"""SQL of service quality: survey answers as the statistics take them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.enums import SurveyKind
from bankcrm.quality.models import SurveyResponse
from bankcrm.quality.satisfaction import Answer


def scored_answers(
    session: Session, *, kind: SurveyKind, answered_from: date | None = None
) -> list[Answer]:
    """Every answer of a short survey (CSAT or NPS) that carries a score, oldest first."""
    statement = (
        select(SurveyResponse.customer_id, SurveyResponse.answered_on, SurveyResponse.score)
        .where(SurveyResponse.kind == kind, SurveyResponse.score.is_not(None))
        .order_by(SurveyResponse.answered_on, SurveyResponse.id)
    )
    if answered_from is not None:
        statement = statement.where(SurveyResponse.answered_on >= answered_from)
    return [
        Answer(customer_id=customer_id, answered_on=answered_on, score=score)
        for customer_id, answered_on, score in session.execute(statement)
        if score is not None
    ]
