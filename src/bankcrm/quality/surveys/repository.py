"""All SQL of survey waves: waves, invitations and their one-time links, answers, predictions.

Invitations and answers belong to customers: staff read them through :class:`SurveyRepository`,
the survey jobs and the respondent's link through the system repositories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core.enums import CustomerStatus, SurveyKind
from bankcrm.customers.models import Customer, Interaction
from bankcrm.quality.models import (
    ManagementPrediction,
    SurveyInvitation,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.quality.surveys.sampling import Candidate, InvitationCounts
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment, SegmentRun


def waves(session: Session) -> list[SurveyWave]:
    statement = select(SurveyWave).order_by(SurveyWave.opens_on.desc(), SurveyWave.id.desc())
    return list(session.scalars(statement))


def wave(session: Session, wave_id: int) -> SurveyWave | None:
    return session.get(SurveyWave, wave_id)


def wave_by_code(session: Session, code: str) -> SurveyWave | None:
    return session.scalars(select(SurveyWave).where(SurveyWave.code == code)).first()


def add(session: Session, row: Any) -> None:
    session.add(row)
    session.flush()


def add_all(session: Session, rows: Sequence[Any]) -> None:
    session.add_all(rows)
    session.flush()


def prediction(session: Session, wave_id: int, respondent_id: int) -> ManagementPrediction | None:
    statement = select(ManagementPrediction).where(
        ManagementPrediction.wave_id == wave_id,
        ManagementPrediction.respondent_id == respondent_id,
    )
    return session.scalars(statement).first()


def prediction_count(session: Session, wave_id: int) -> int:
    statement = select(func.count(ManagementPrediction.id)).where(
        ManagementPrediction.wave_id == wave_id
    )
    return int(session.scalar(statement) or 0)


class SurveyRepository(ScopedRepository):
    """Invitations and answers of the waves as the viewer may see them (the branch they are
    about, or the customer's account manager); the customers a wave may ask."""

    def candidates(self) -> list[Candidate]:
        """Every customer with what a selection looks at, the segment from the latest run."""
        latest_run = (
            select(SegmentRun.id).order_by(SegmentRun.as_of.desc()).limit(1).scalar_subquery()
        )
        statement = self.same_customer(
            self.customers(
                Customer.id,
                Customer.branch_id,
                Branch.external_id,
                Customer.status == CustomerStatus.ACTIVE,
                Customer.erased_at.is_not(None),
                CustomerSegment.quadrant,
                CustomerSegment.value_tier,
            ).outerjoin(Branch, Branch.id == Customer.branch_id),
            CustomerSegment,
            CustomerSegment.run_id == latest_run,
            outer=True,
        )
        return [Candidate(*row) for row in self.session.execute(statement)]

    def invited_customers(self, wave_id: int) -> set[int]:
        statement = self.owned(SurveyInvitation, SurveyInvitation.customer_id).where(
            SurveyInvitation.wave_id == wave_id
        )
        return set(self.session.scalars(statement))

    def open_invitations(self, wave_id: int) -> list[SurveyInvitation]:
        statement = (
            self.owned(SurveyInvitation)
            .where(SurveyInvitation.wave_id == wave_id, SurveyInvitation.completed_at.is_(None))
            .order_by(SurveyInvitation.id)
        )
        return list(self.session.scalars(statement))

    def links(
        self, wave_id: int, customer_ids: Iterable[int] | None = None
    ) -> list[tuple[str, str, int]]:
        """Customer external id, token and reminders of every invitation of the wave (of
        those customers when given; a customer has one per wave), by invitation id."""
        statement = (
            self.owned(
                SurveyInvitation,
                Customer.external_id,
                SurveyInvitation.token,
                SurveyInvitation.reminders,
            )
            .where(SurveyInvitation.wave_id == wave_id, Customer.id.is_not(None))
            .order_by(SurveyInvitation.id)
        )
        if customer_ids is not None:
            statement = statement.where(SurveyInvitation.customer_id.in_(list(customer_ids)))
        return [tuple(row) for row in self.session.execute(statement)]

    def _counts(self, group: Any, *conditions: Any) -> list[tuple[Any, InvitationCounts]]:
        answered = SurveyInvitation.completed_at.is_not(None)
        statement = (
            self.owned(
                SurveyInvitation,
                group,
                func.count(SurveyInvitation.id),
                func.count().filter(SurveyInvitation.opened_at.is_not(None)),
                func.count().filter(~answered & SurveyInvitation.draft.is_not(None)),
                func.count().filter(answered),
            )
            .outerjoin(Branch, Branch.id == SurveyInvitation.branch_id)
            .where(*conditions)
            .group_by(group)
            .order_by(group)
        )
        return [
            (key, InvitationCounts(*(int(count or 0) for count in counts)))
            for key, *counts in self.session.execute(statement)
        ]

    def counts_by_branch(self, wave_id: int) -> list[tuple[str | None, InvitationCounts]]:
        return self._counts(Branch.name, SurveyInvitation.wave_id == wave_id)

    def wave_totals(self) -> dict[int, InvitationCounts]:
        """The invitations of every wave that has any, by wave id."""
        return dict(self._counts(SurveyInvitation.wave_id))

    def servqual_answers(self, wave_code: str) -> list[dict[str, Any]]:
        statement = (
            self.owned(SurveyResponse, SurveyResponse.answers)
            .where(
                SurveyResponse.wave == wave_code,
                SurveyResponse.kind == SurveyKind.SERVQUAL,
                SurveyResponse.answers.is_not(None),
            )
            .order_by(SurveyResponse.answered_on, SurveyResponse.id)
        )
        return [answers for answers in self.session.scalars(statement) if answers]

    def latest_interactions(self, *, start: datetime, end: datetime) -> list[tuple[int, int, int]]:
        """Customer id, branch id and interaction id (as an invitation takes them) of each
        active, not erased customer's latest interaction in ``[start, end)``."""
        statement = (
            self.owned(Interaction, Interaction.customer_id, Customer.branch_id, Interaction.id)
            .where(
                Interaction.occurred_at >= start,
                Interaction.occurred_at < end,
                Customer.status == CustomerStatus.ACTIVE,
                Customer.erased_at.is_(None),
            )
            .order_by(Interaction.customer_id, Interaction.occurred_at, Interaction.id)
        )
        # in time order, so a customer's last row is their latest interaction
        return list({row[0]: tuple(row) for row in self.session.execute(statement)}.values())


class SurveySystemRepository(SystemRepository, SurveyRepository):
    """The same reads for the whole bank: the survey jobs of the command line (follow-ups,
    reminders)."""


class SurveyLinkSystemRepository(SystemRepository):
    """The respondent's side: a customer with a one-time link, not a member of staff. The
    token is the scope: every statement names the one invitation it belongs to."""

    def invitation_by_token(self, token: str) -> tuple[SurveyInvitation, SurveyWave] | None:
        statement = (
            select(SurveyInvitation, SurveyWave)
            .join(SurveyWave, SurveyWave.id == SurveyInvitation.wave_id)
            .where(SurveyInvitation.token == token)
        )
        return self.session.execute(statement).first()

    def _update(self, invitation_id: int, *conditions: Any, **values: Any) -> bool:
        """Whether the invitation's row was changed (the conditions are checked as it is
        written, so of two writers at the same moment only one finds them true)."""
        result: Any = self.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == invitation_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1

    def mark_opened(self, invitation_id: int, now: datetime) -> None:
        """Stamp the first time the link was opened (a later opening keeps the first stamp)."""
        self._update(invitation_id, SurveyInvitation.opened_at.is_(None), opened_at=now)

    def save_draft(self, invitation_id: int, draft: dict[str, int], now: datetime) -> bool:
        """Keep partial answers of an invitation not yet answered; False if it was answered."""
        return self._update(
            invitation_id,
            SurveyInvitation.completed_at.is_(None),
            draft=draft,
            opened_at=func.coalesce(SurveyInvitation.opened_at, now),
        )

    def claim(self, invitation_id: int, now: datetime) -> bool:
        """Mark the invitation answered if nobody did first; True for the one submit that wins
        (PostgreSQL makes the second wait for the first's commit and then finds it answered)."""
        return self._update(
            invitation_id,
            SurveyInvitation.completed_at.is_(None),
            completed_at=now,
            draft=None,
            opened_at=func.coalesce(SurveyInvitation.opened_at, now),
        )

    def link_response(self, invitation_id: int, response_id: int) -> None:
        self._update(invitation_id, response_id=response_id)
