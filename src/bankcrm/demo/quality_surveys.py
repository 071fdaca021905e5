"""Survey waves of the demo bank: the two past SERVQUAL waves the generated answers belong
to (with the invitations that brought them in), an open wave half answered, managers'
predictions that plant gap 1, and an open CSAT follow-up wave after recent interactions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.enums import Role, SurveyKind, WaveStatus
from bankcrm.demo import repository as demo_repository
from bankcrm.ingest import synth
from bankcrm.quality.instrument import Instrument
from bankcrm.quality.models import (
    ManagementPrediction,
    SurveyInvitation,
    SurveyResponse,
)
from bankcrm.quality.surveys import repository, service
from bankcrm.quality.surveys.repository import SurveySystemRepository
from bankcrm.quality.surveys.sampling import Selection, eligible, new_token
from bankcrm.quality.surveys.schemas import WaveRead
from bankcrm.staff.models import StaffUser

PAST_WAVES = (
    ("SERVQUAL-2025H2", "2025年下半年客户服务质量调查", date(2025, 10, 1), date(2026, 4, 2)),
    ("SERVQUAL-2026H1", "2026年上半年客户服务质量调查", date(2026, 4, 3), date(2026, 9, 30)),
)
"""The waves of the generated SERVQUAL answers, with the days used when a wave has none."""
OPEN_WAVE = ("SERVQUAL-2026H2", "2026年下半年客户服务质量调查")
FOLLOW_UP_WAVE = ("CSAT-AFTER-CONTACT", "业务办理后满意度回访")
OPEN_DAYS_BEFORE = 14
OPEN_DAYS_AFTER = 30
SAMPLE_SHARE = 0.15
SAMPLE_MAX = 600
ANSWERED_SHARE = 0.35
PARTIAL_SHARE = 0.10
OPENED_ONLY_SHARE = 0.15
WEIGHTS_SHARE = 0.6
"""Respondents who also share the 100 importance points."""
FOLLOW_UP_DAYS = 7
"""Interactions of the last week of the generated data are followed up."""
FOLLOW_UP_ANSWERED = 0.4

DIMENSION_GAPS = {
    "tangibles": 0.3,
    "reliability": 0.8,
    "responsiveness": 1.2,
    "assurance": 0.6,
    "empathy": 0.9,
}
"""How far perceptions fall below expectations, as in the generated answers: responsiveness
is the weakest dimension."""
MANAGER_SHORTFALL = {"responsiveness": 1.0, "empathy": 1.0}
"""Gap 1: managers think customers expect about a point less here than they do."""
MANAGER_NOISE = 0.5
CSAT_MEAN = 4.0
CSAT_SD = 0.9


def plant_survey_waves(session: Session, *, as_of: date, today: date, seed: int) -> None:
    """Create the demo's survey waves, invitations, answers and predictions.

    ``as_of`` is the day the generated data ends; ``today`` the day the demo is built, which
    the open waves are dated around. Everything but the link tokens (which must stay
    unguessable) follows from ``seed``.
    """
    rng = np.random.default_rng([seed, 2026])
    instrument_name = service.DEFAULT_INSTRUMENT
    past = []
    for code, title, default_open, default_close in PAST_WAVES:
        first, last = demo_repository.DemoSystemRepository(session).answered_days(code)
        past.append(
            service.create_wave(
                session,
                user=None,
                code=code,
                title=title,
                kind=SurveyKind.SERVQUAL,
                instrument=instrument_name,
                opens_on=first or default_open,
                closes_on=last or default_close,
                status=WaveStatus.CLOSED,
            )
        )
    _invite_past_respondents(session, np.random.default_rng([seed, 2025]), past)
    opens_on = today - timedelta(days=OPEN_DAYS_BEFORE)
    closes_on = today + timedelta(days=OPEN_DAYS_AFTER)
    open_wave = service.create_wave(
        session,
        user=None,
        code=OPEN_WAVE[0],
        title=OPEN_WAVE[1],
        kind=SurveyKind.SERVQUAL,
        instrument=instrument_name,
        opens_on=opens_on,
        closes_on=closes_on,
        status=WaveStatus.OPEN,
    )
    issued_at = clock.bank_day_start(opens_on) + timedelta(hours=9)
    pool = eligible(SurveySystemRepository(session).candidates(), Selection(), already_invited=())
    size = min(SAMPLE_MAX, round(SAMPLE_SHARE * len(pool)))
    officer = demo_repository.first_staff_in_role(session, role=Role.QUALITY_OFFICER)
    if size and officer is not None:
        service.issue_invitations(
            session,
            user=officer,
            wave_id=open_wave.id,
            selection=Selection(sample_size=size, seed=seed),
        )
    instrument = service.prediction_instrument(session, wave_id=open_wave.id)
    _answer_servqual(
        session,
        rng,
        instrument,
        _sent_at(session, open_wave.id, issued_at),
        wave_code=open_wave.code,
        issued_at=issued_at,
        today=today,
    )
    managers = demo_repository.staff_in_roles(session, (Role.BRANCH_MANAGER, Role.QUALITY_OFFICER))
    predicted = [open_wave.id, past[-1].id]
    _predict(session, rng, instrument, managers, predicted, moment=issued_at)
    _follow_up(session, rng, as_of=as_of, today=today)


def _invite_past_respondents(
    session: Session, rng: np.random.Generator, waves: list[WaveRead]
) -> None:
    """The invitations of the past waves: one answered by each generated answer of a known
    customer, and as many again unanswered as the demo's response rate implies (some of
    them opened), so that a finished wave shows whom it reached."""
    bank = demo_repository.DemoSystemRepository(session)
    candidates = SurveySystemRepository(session).candidates()
    for wave in waves:
        respondents = bank.wave_respondents(wave.code)
        issued_at = clock.bank_day_start(wave.opens_on) + timedelta(hours=9)
        invitations = []
        answered: set[int] = set()
        for response_id, customer_id, branch_id, answered_on in respondents:
            if customer_id in answered:
                continue  # one invitation a customer: the first answer is the invited one
            answered.add(customer_id)
            completed_at = max(
                issued_at + timedelta(hours=1),
                clock.bank_day_start(answered_on) + timedelta(hours=12),
            )
            invitations.append(
                SurveyInvitation(
                    wave_id=wave.id,
                    customer_id=customer_id,
                    branch_id=branch_id,
                    token=new_token(),
                    issued_at=issued_at,
                    opened_at=completed_at - timedelta(minutes=10),
                    completed_at=completed_at,
                    response_id=response_id,
                )
            )
        pool = eligible(candidates, Selection(), already_invited=answered)
        unanswered = min(len(pool), round(len(answered) * (1 / ANSWERED_SHARE - 1)))
        chosen = rng.choice(len(pool), size=unanswered, replace=False).tolist()
        for index in sorted(chosen):
            candidate = pool[index]
            opened = rng.random() < OPENED_ONLY_SHARE
            invitations.append(
                SurveyInvitation(
                    wave_id=wave.id,
                    customer_id=candidate.customer_id,
                    branch_id=candidate.branch_id,
                    token=new_token(),
                    issued_at=issued_at,
                    opened_at=issued_at + timedelta(days=2) if opened else None,
                )
            )
        session.add_all(invitations)
    session.flush()


def _sent_at(session: Session, wave_id: int, issued_at: datetime) -> list[SurveyInvitation]:
    """The wave's links, dated back to when the demo's story has them sent: the service
    issues them now, and the demo bank's history begins days before it is built."""
    wave = repository.wave(session, wave_id)
    if wave is None or wave.selection is None:
        raise LookupError(f"survey wave {wave_id} was not issued")
    rounds = [{**entry, "at": issued_at.isoformat()} for entry in wave.selection["rounds"]]
    wave.selection = {**wave.selection, "rounds": rounds}
    invitations = SurveySystemRepository(session).open_invitations(wave_id)
    for invitation in invitations:
        invitation.issued_at = issued_at
    session.flush()
    return invitations


def _answer_servqual(
    session: Session,
    rng: np.random.Generator,
    instrument: Instrument,
    invitations: list[SurveyInvitation],
    *,
    wave_code: str,
    issued_at: datetime,
    today: date,
) -> None:
    """About a third answered, a tenth saved a draft, some only opened; reminders on some of
    the rest."""
    count = len(invitations)
    if not count:
        return
    draw = rng.random(count)
    answered = draw < ANSWERED_SHARE
    partial = (draw >= ANSWERED_SHARE) & (draw < ANSWERED_SHARE + PARTIAL_SHARE)
    opened = (draw >= ANSWERED_SHARE + PARTIAL_SHARE) & (
        draw < ANSWERED_SHARE + PARTIAL_SHARE + OPENED_ONLY_SHARE
    )
    days_open = max((today - issued_at.date()).days, 1)
    answer_day = rng.integers(0, days_open, count)
    answer_second = rng.integers(8 * 3600, 21 * 3600, count)
    reminders = rng.choice(3, size=count, p=(0.4, 0.4, 0.2))
    gap = np.asarray([DIMENSION_GAPS.get(item.dimension, 0.6) for item in instrument.items])
    low, high = instrument.scale.minimum, instrument.scale.maximum
    n_items = instrument.n_items
    dimension_codes = instrument.dimension_codes
    expectations, perceptions = synth.servqual_answers(
        rng,
        item_dimension=np.asarray(
            [dimension_codes.index(item.dimension) for item in instrument.items]
        ),
        item_gap=gap,
        respondents=count,
        low=low,
        high=high,
    )
    weights = _weights(rng, instrument, count)
    gives_weights = rng.random(count) < WEIGHTS_SHARE
    draft_length = rng.integers(4, 2 * n_items - 4, count)
    order = [
        column
        for item in instrument.items
        for column in (
            instrument.expectation_column(item.number),
            instrument.perception_column(item.number),
        )
    ]
    responses: list[tuple[SurveyInvitation, SurveyResponse]] = []
    for index, invitation in enumerate(invitations):
        moment = issued_at + timedelta(
            days=int(answer_day[index]), seconds=int(answer_second[index])
        )
        answers = {
            **{
                instrument.expectation_column(item.number): int(expectations[index, position])
                for position, item in enumerate(instrument.items)
            },
            **{
                instrument.perception_column(item.number): int(perceptions[index, position])
                for position, item in enumerate(instrument.items)
            },
        }
        if answered[index]:
            if gives_weights[index]:
                answers.update(weights[index])
            invitation.opened_at = moment - timedelta(minutes=12)
            invitation.completed_at = moment
            responses.append(
                (
                    invitation,
                    SurveyResponse(
                        external_id=f"SI{invitation.id:09d}",
                        kind=SurveyKind.SERVQUAL,
                        wave=wave_code,
                        customer_id=invitation.customer_id,
                        branch_id=invitation.branch_id,
                        answered_on=clock.bank_day(moment),
                        answers=answers,
                    ),
                )
            )
            continue
        if partial[index]:
            invitation.opened_at = moment
            invitation.draft = {key: answers[key] for key in order[: int(draft_length[index])]}
        elif opened[index]:
            invitation.opened_at = moment
        if reminders[index] and days_open > 3 * int(reminders[index]):
            invitation.reminders = int(reminders[index])
            invitation.reminded_at = issued_at + timedelta(days=3 * int(reminders[index]))
    repository.add_all(session, [response for _, response in responses])
    for invitation, response in responses:
        invitation.response_id = response.id
    session.flush()


def _weights(rng: np.random.Generator, instrument: Instrument, count: int) -> list[dict[str, int]]:
    """100 importance points per respondent, scattered around the instrument's defaults."""
    defaults = np.asarray([dimension.weight for dimension in instrument.dimensions])
    shares = rng.dirichlet(defaults / 4 + 1, count)
    points = np.floor(shares * 100).astype(int)
    remainders = shares * 100 - points
    for row in range(count):
        # largest remainders take the points rounding down left over, so each row makes 100
        short = 100 - int(points[row].sum())
        points[row, np.argsort(-remainders[row])[:short]] += 1
    codes = [instrument.weight_column(code) for code in instrument.dimension_codes]
    return [dict(zip(codes, (int(value) for value in row), strict=True)) for row in points]


def _predict(
    session: Session,
    rng: np.random.Generator,
    instrument: Instrument,
    managers: list[StaffUser],
    wave_ids: list[int],
    *,
    moment: datetime,
) -> None:
    """Every branch manager and quality officer predicts customers' expectations: close,
    except a point too low on responsiveness and empathy (gap 1)."""
    shortfall = np.asarray(
        [MANAGER_SHORTFALL.get(item.dimension, 0.0) for item in instrument.items]
    )
    low, high = instrument.scale.minimum, instrument.scale.maximum
    rows = []
    for wave_id in wave_ids:
        for manager in managers:
            predicted = np.clip(
                np.round(
                    synth.SERVQUAL_EXPECTATION
                    - shortfall
                    + rng.normal(0, MANAGER_NOISE, instrument.n_items)
                ),
                low,
                high,
            ).astype(int)
            rows.append(
                ManagementPrediction(
                    wave_id=wave_id,
                    respondent_id=manager.id,
                    answers={
                        instrument.expectation_column(item.number): int(value)
                        for item, value in zip(instrument.items, predicted, strict=True)
                    },
                    answered_at=moment,
                )
            )
    repository.add_all(session, rows)


def _follow_up(session: Session, rng: np.random.Generator, *, as_of: date, today: date) -> None:
    """An open CSAT wave asking customers contacted in the data's last week; some answered."""
    wave = service.create_wave(
        session,
        user=None,
        code=FOLLOW_UP_WAVE[0],
        title=FOLLOW_UP_WAVE[1],
        kind=SurveyKind.CSAT,
        opens_on=today - timedelta(days=OPEN_DAYS_BEFORE),
        closes_on=today + timedelta(days=OPEN_DAYS_AFTER),
        status=WaveStatus.OPEN,
    )
    issued_at = clock.bank_day_start(today - timedelta(days=OPEN_DAYS_BEFORE)) + timedelta(hours=9)
    service.issue_follow_up_invitations(
        session, wave_id=wave.id, since=as_of - timedelta(days=FOLLOW_UP_DAYS - 1), until=as_of
    )
    invitations = _sent_at(session, wave.id, issued_at)
    count = len(invitations)
    if not count:
        return
    answered = rng.random(count) < FOLLOW_UP_ANSWERED
    scores = np.clip(np.round(rng.normal(CSAT_MEAN, CSAT_SD, count)), 1, 5).astype(int)
    hours = rng.integers(2, 24 * 5, count)
    responses = []
    for index, invitation in enumerate(invitations):
        if not answered[index]:
            continue
        moment = issued_at + timedelta(hours=int(hours[index]))
        invitation.opened_at = moment
        invitation.completed_at = moment
        responses.append(
            (
                invitation,
                SurveyResponse(
                    external_id=f"SI{invitation.id:09d}",
                    kind=SurveyKind.CSAT,
                    wave=wave.code,
                    customer_id=invitation.customer_id,
                    branch_id=invitation.branch_id,
                    answered_on=clock.bank_day(moment),
                    score=int(scores[index]),
                ),
            )
        )
    repository.add_all(session, [response for _, response in responses])
    for invitation, response in responses:
        invitation.response_id = response.id
    session.flush()
