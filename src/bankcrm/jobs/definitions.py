"""The jobs that run by themselves. Each calls the very service function its command calls
(``bankcrm segment run``, ``clv run``, ``churn run``, ``complaints sweep``, ``quality remind``
and ``quality follow-up``); a job adds only the day it runs for and its progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bankcrm.churn import service as churn_service
from bankcrm.clv import service as clv_service
from bankcrm.complaints import service as complaints_service
from bankcrm.core.clock import bank_today
from bankcrm.core.config import JobSchedule, Settings
from bankcrm.core.enums import AnalyticsEngine, SurveyKind, WaveStatus
from bankcrm.core.exceptions import NotFound
from bankcrm.core.messages import _
from bankcrm.quality.surveys import repository as surveys_repository
from bankcrm.quality.surveys import service as surveys_service
from bankcrm.segmentation import service as segmentation_service
from bankcrm.staff.models import StaffUser


class JobContext(Protocol):
    """What a running job is handed besides its session."""

    settings: Settings
    user: StaffUser | None
    """The staff member who started the run; ``None`` for the schedule."""

    def progress(
        self, done: int, total: int | None = None, step: str | None = None, **figures: Any
    ) -> None:
        """Say how far the run is (``done`` of ``total`` steps) and what it is doing."""


@dataclass(frozen=True)
class Outcome:
    """What a run did: a catalog message and the figures it names."""

    message: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobDefinition:
    name: str
    title: str
    """A catalog message naming the job on the page."""
    command: str
    """The command that does the same by hand."""
    run: Callable[[Session, JobContext], Outcome]

    def schedule(self, settings: Settings) -> JobSchedule:
        schedule: JobSchedule = getattr(settings.jobs, self.name)
        return schedule


def _engine(settings: Settings) -> AnalyticsEngine:
    return AnalyticsEngine(settings.analytics_engine)


def segmentation(session: Session, context: JobContext) -> Outcome:
    context.progress(0, 1, _("Segmenting every customer"))
    result = segmentation_service.run_segmentation(
        session,
        settings=context.settings,
        as_of=bank_today(),
        engine=_engine(context.settings),
        created_by=context.user,
    )
    return Outcome(
        _("%(customers)s customers segmented, %(tasks)s tasks raised"),
        {"customers": result.customers, "tasks": result.tasks_created},
    )


def clv(session: Session, context: JobContext) -> Outcome:
    context.progress(0, 1, _("Valuing every customer"))
    result = clv_service.run_clv(
        session,
        settings=context.settings,
        as_of=bank_today(),
        engine=_engine(context.settings),
        created_by=context.user,
    )
    return Outcome(_("%(customers)s customers valued"), {"customers": result.customers})


def churn(session: Session, context: JobContext) -> Outcome:
    context.progress(0, 1, _("Scoring every active customer"))
    result = churn_service.run_churn(
        session,
        settings=context.settings,
        as_of=bank_today(),
        engine=_engine(context.settings),
        created_by=context.user,
    )
    return Outcome(
        _("%(warnings)s warnings among %(customers)s customers, %(tasks)s tasks opened"),
        {"warnings": result.warnings, "customers": result.customers, "tasks": result.tasks_created},
    )


def complaint_sweep(session: Session, context: JobContext) -> Outcome:
    context.progress(0, 1, _("Sweeping complaint deadlines"))
    result = complaints_service.sweep(session)
    return Outcome(
        _("%(reminders)s reminders created, %(escalated)s overdue cases escalated"),
        {"reminders": result.reminders, "escalated": result.escalated},
    )


def survey_reminders(session: Session, context: JobContext) -> Outcome:
    """A reminder round on every open wave; each wave is committed on its own, so that a
    later wave's failure keeps the earlier ones' reminders."""
    waves = [wave for wave in surveys_repository.waves(session) if wave.status is WaveStatus.OPEN]
    reminded = 0
    for index, wave in enumerate(waves):
        context.progress(index, len(waves), _("Wave %(wave)s"), wave=wave.code)
        reminded += surveys_service.send_reminders_job(session, wave_id=wave.id).reminded
        session.commit()
    return Outcome(
        _("%(reminded)s reminders counted in %(waves)s waves"),
        {"reminded": reminded, "waves": len(waves)},
    )


def survey_follow_ups(session: Session, context: JobContext) -> Outcome:
    """Invite the customers of the last ``follow_up_days`` bank days to every open CSAT or
    NPS wave (each customer once per wave, however often this runs)."""
    today = bank_today()
    since = today - timedelta(days=context.settings.jobs.follow_up_days)
    waves = [
        wave
        for wave in surveys_repository.waves(session)
        if wave.status is WaveStatus.OPEN and wave.kind is not SurveyKind.SERVQUAL
    ]
    invited = 0
    for index, wave in enumerate(waves):
        context.progress(index, len(waves), _("Wave %(wave)s"), wave=wave.code)
        invited += surveys_service.issue_follow_up_invitations(
            session, wave_id=wave.id, since=since, until=today
        )
        session.commit()
    return Outcome(
        _("%(invited)s customers invited in %(waves)s waves"),
        {"invited": invited, "waves": len(waves)},
    )


JOBS: tuple[JobDefinition, ...] = (
    JobDefinition("segmentation", _("Customer segmentation"), "bankcrm segment run", segmentation),
    JobDefinition("clv", _("Customer lifetime value"), "bankcrm clv run", clv),
    JobDefinition("churn", _("Churn early warning"), "bankcrm churn run", churn),
    JobDefinition(
        "complaint_sweep",
        _("Complaint deadline sweep"),
        "bankcrm complaints sweep",
        complaint_sweep,
    ),
    JobDefinition(
        "survey_reminders", _("Survey reminders"), "bankcrm quality remind", survey_reminders
    ),
    JobDefinition(
        "survey_follow_ups",
        _("Survey follow-up invitations"),
        "bankcrm quality follow-up",
        survey_follow_ups,
    ),
)
BY_NAME = {definition.name: definition for definition in JOBS}


def get(name: str) -> JobDefinition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise NotFound(f"no job {name}") from None
