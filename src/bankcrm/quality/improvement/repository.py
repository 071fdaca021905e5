"""All SQL of the improvement board and the service promises."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import ActionStage, SurveyKind
from bankcrm.customers.models import Interaction
from bankcrm.quality.models import (
    ImprovementAction,
    Inspection,
    ManagementPrediction,
    ServicePromise,
    ServiceStandard,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.quality.repository import QualityRepository
from bankcrm.staff.models import StaffUser

ActionWithNames = tuple[ImprovementAction, str, str | None, str | None]
"""An action with its owner's name and its branch's code and name."""


def actions_with_names(
    session: Session, *, conditions: Sequence[ColumnElement[bool]]
) -> list[ActionWithNames]:
    statement = (
        select(ImprovementAction, StaffUser.full_name, Branch.external_id, Branch.name)
        .join(StaffUser, StaffUser.id == ImprovementAction.owner_id)
        .outerjoin(Branch, Branch.id == ImprovementAction.branch_id)
        .where(*conditions)
        .order_by(ImprovementAction.due_on, ImprovementAction.id)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(statement)]


def open_actions(session: Session, *conditions: ColumnElement[bool]) -> list[ImprovementAction]:
    """Unfinished actions that meet ``conditions``, oldest first."""
    statement = (
        select(ImprovementAction)
        .where(*conditions, ImprovementAction.stage != ActionStage.CLOSED)
        .order_by(ImprovementAction.id)
    )
    return list(session.scalars(statement))


def promises(session: Session, *, active_only: bool = False) -> list[ServicePromise]:
    statement = select(ServicePromise).order_by(ServicePromise.id)
    if active_only:
        statement = statement.where(ServicePromise.active.is_(True))
    return list(session.scalars(statement))


# --- the diagnosis's evidence ----------------------------------------------------------------


def _servqual_waves_latest_first() -> Any:
    return (
        select(SurveyWave)
        .where(SurveyWave.kind == SurveyKind.SERVQUAL)
        .order_by(SurveyWave.opens_on.desc(), SurveyWave.id.desc())
        .limit(1)
    )


def latest_servqual_wave(session: Session) -> SurveyWave | None:
    return session.scalars(_servqual_waves_latest_first()).first()


def latest_wave_with_predictions(session: Session) -> SurveyWave | None:
    predicted = exists().where(ManagementPrediction.wave_id == SurveyWave.id)
    return session.scalars(_servqual_waves_latest_first().where(predicted)).first()


def prediction_answers(session: Session, wave_id: int) -> list[dict[str, Any]]:
    statement = (
        select(ManagementPrediction.answers)
        .where(ManagementPrediction.wave_id == wave_id)
        .order_by(ManagementPrediction.id)
    )
    return [answers for answers in session.scalars(statement) if isinstance(answers, dict)]


def standard_items(session: Session) -> list[tuple[str, list[int]]]:
    """Active standards' codes with the SERVQUAL items each makes measurable."""
    statement = (
        select(ServiceStandard.code, ServiceStandard.servqual_items)
        .where(ServiceStandard.active.is_(True))
        .order_by(ServiceStandard.code)
    )
    return [(code, list(items or [])) for code, items in session.execute(statement)]


class ImprovementRepository(QualityRepository):
    """What the board and the diagnosis read of customer-owned rows, as the viewer sees
    them: the case or inspection an action comes from, survey answers, contacts and (as the
    quality figures count them) cases."""

    def complaint(self, complaint_id: int) -> Complaint | None:
        statement = self.owned(Complaint).where(Complaint.id == complaint_id)
        return self.session.scalars(statement).first()

    def inspection(self, inspection_id: int) -> Inspection | None:
        statement = self.owned(Inspection).where(Inspection.id == inspection_id)
        return self.session.scalars(statement).first()

    def latest_wave_with_answers(self) -> SurveyWave | None:
        answered = self._servqual_answers(literal(1), wave=SurveyWave.code).exists()
        return self.session.scalars(_servqual_waves_latest_first().where(answered)).first()

    def wave_answers(self, wave_code: str) -> list[dict[str, Any]]:
        """The SERVQUAL answers of a wave's respondents, in the order they came in."""
        statement = self._servqual_answers(SurveyResponse.answers, wave=wave_code)
        rows = self.session.scalars(statement.order_by(SurveyResponse.id))
        return [answers for answers in rows if isinstance(answers, dict)]

    def _servqual_answers(self, entity: Any, *, wave: Any) -> Select[Any]:
        """Answered SERVQUAL responses of ``wave`` (a wave code, or the column naming one)."""
        return self.owned(SurveyResponse, entity).where(
            SurveyResponse.wave == wave,
            SurveyResponse.kind == SurveyKind.SERVQUAL,
            SurveyResponse.answers.is_not(None),
        )

    def contacts(self, *, since: datetime, before: datetime) -> int:
        """Customer contacts (interactions) in ``[since, before)``."""
        statement = self.owned(Interaction, func.count(Interaction.id)).where(
            Interaction.occurred_at >= since, Interaction.occurred_at < before
        )
        return int(self.session.scalar(statement) or 0)
