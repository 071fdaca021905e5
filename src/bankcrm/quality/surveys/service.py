"""Survey waves: who is asked, one-time links and reminders, answers taken in through the
public page, response rates, and managers' predictions of what customers expect (gap 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from bankcrm.core.clock import as_utc, bank_day, bank_day_start, bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import SurveyKind, WaveStatus
from bankcrm.core.exceptions import BankcrmError, Conflict, NotFound, ValidationFailed
from bankcrm.quality.instrument import (
    SHIPPED_INSTRUMENTS,
    Instrument,
    parse_instrument,
    shipped_instrument,
)
from bankcrm.quality.models import (
    ManagementPrediction,
    SurveyInvitation,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.quality.servqual import ServqualResponses, stored_responses
from bankcrm.quality.surveys import repository
from bankcrm.quality.surveys.answers import (
    SCORE,
    AnswerProblem,
    check_answers,
    describe,
    prediction_questions,
    survey_questions,
)
from bankcrm.quality.surveys.repository import (
    SurveyLinkSystemRepository,
    SurveyRepository,
    SurveySystemRepository,
)
from bankcrm.quality.surveys.sampling import (
    InvitationCounts,
    ResponseRate,
    Selection,
    eligible,
    new_token,
    reminder_due,
    response_rate,
    response_rates,
    select_respondents,
)
from bankcrm.quality.surveys.schemas import (
    InvitationLink,
    IssueRead,
    PredictionRead,
    ReminderRead,
    WaveDetail,
    WaveRead,
    WaveSummary,
)
from bankcrm.staff.models import StaffUser

DEFAULT_INSTRUMENT = "servqual_bank"
STATUS_CHANGES: dict[WaveStatus, frozenset[WaveStatus]] = {
    WaveStatus.DRAFT: frozenset({WaveStatus.OPEN}),
    WaveStatus.OPEN: frozenset({WaveStatus.CLOSED}),
    WaveStatus.CLOSED: frozenset({WaveStatus.OPEN}),
}
"""A wave opens, closes, and may be reopened (a late batch of answers); it never goes back to
draft once people may have answered."""

ReadT = TypeVar("ReadT", bound=BaseModel)


class SurveyClosed(BankcrmError):
    """The link is valid but the wave does not take answers (not open, or outside its days)."""

    status_code = 410


class AlreadyAnswered(Conflict):
    """The link has been used: one answer per link."""


class AnswersIncomplete(ValidationFailed):
    """A submitted survey misses answers or has some off the scale; they were kept as a draft."""

    def __init__(self, problems: tuple[AnswerProblem, ...], survey: Survey) -> None:
        super().__init__(f"answers missing or invalid: {describe(problems)}", field="answers")
        self.problems = problems
        self.survey = survey


# --- days and instruments ------------------------------------------------------------------


def shipped_instrument_text(name: str) -> str:
    """The TOML text of a shipped instrument, checked; a wave keeps this copy of it."""
    if name not in SHIPPED_INSTRUMENTS:
        raise ValidationFailed(
            f"no shipped instrument {name!r}; shipped: {', '.join(SHIPPED_INSTRUMENTS)}",
            field="instrument",
        )
    text = resources.files("bankcrm.quality").joinpath(f"data/{name}.toml").read_text("utf-8")
    parse_instrument(text, origin=f"{name}.toml")
    return text


def wave_instrument(wave: SurveyWave) -> Instrument | None:
    """The instrument a SERVQUAL wave was asked with: its stored copy, else the shipped file
    of its name, else the shipped bank SERVQUAL; ``None`` for CSAT and NPS waves.

    Raises :class:`InstrumentInvalid` when the stored copy no longer parses."""
    if wave.kind is not SurveyKind.SERVQUAL:
        return None
    if wave.instrument_text:
        return parse_instrument(wave.instrument_text, origin=f"wave {wave.code}")
    return shipped_instrument(
        wave.instrument if wave.instrument in SHIPPED_INSTRUMENTS else DEFAULT_INSTRUMENT
    )


def _wave(session: Session, wave_id: int) -> SurveyWave:
    wave = repository.wave(session, wave_id)
    if wave is None:
        raise NotFound(f"no survey wave {wave_id}")
    return wave


def _servqual_wave(session: Session, wave_id: int) -> tuple[SurveyWave, Instrument]:
    wave = _wave(session, wave_id)
    instrument = wave_instrument(wave)
    if instrument is None:
        raise ValidationFailed(f"wave {wave.code} is not a SERVQUAL survey", field="wave_id")
    return wave, instrument


def prediction_instrument(session: Session, *, wave_id: int) -> Instrument:
    """The items managers predict customers' expectations of, for a SERVQUAL wave."""
    return _servqual_wave(session, wave_id)[1]


# --- waves ---------------------------------------------------------------------------------


def create_wave(
    session: Session,
    *,
    user: StaffUser | None,
    code: str,
    title: str,
    kind: SurveyKind,
    opens_on: date,
    closes_on: date,
    instrument: str | None = None,
    status: WaveStatus = WaveStatus.DRAFT,
) -> WaveRead:
    """A new wave, a draft until it is opened; a SERVQUAL wave keeps its instrument's text."""
    if closes_on < opens_on:
        raise ValidationFailed("the wave closes before it opens", field="closes_on")
    if repository.wave_by_code(session, code) is not None:
        raise Conflict(f"a wave {code} already exists")
    if kind is SurveyKind.SERVQUAL:
        instrument = instrument or DEFAULT_INSTRUMENT
    elif instrument:
        raise ValidationFailed("only a SERVQUAL wave uses an instrument", field="instrument")
    wave = SurveyWave(
        code=code,
        title=title,
        kind=kind,
        instrument=instrument or None,
        instrument_text=shipped_instrument_text(instrument) if instrument else None,
        status=status,
        opens_on=opens_on,
        closes_on=closes_on,
        selection={"rounds": []},
        created_by_id=None if user is None else user.id,
    )
    repository.add(session, wave)
    return WaveRead.model_validate(wave)


def wave_by_code(session: Session, *, code: str) -> WaveRead:
    wave = repository.wave_by_code(session, code)
    if wave is None:
        raise NotFound(f"no survey wave {code}")
    return WaveRead.model_validate(wave)


def _read(model: type[ReadT], wave: SurveyWave, **extra: Any) -> ReadT:
    return model.model_validate({**WaveRead.model_validate(wave).model_dump(), **extra})


def list_waves(session: Session, *, user: StaffUser) -> list[WaveSummary]:
    """Every wave with the invitations issued and completed that ``user`` may see."""
    totals = SurveyRepository(session, user).wave_totals()
    return [
        _read(WaveSummary, wave, **_counts(response_rate(totals.get(wave.id, InvitationCounts()))))
        for wave in repository.waves(session)
    ]


def _counts(rate: ResponseRate) -> dict[str, Any]:
    return {**asdict(rate.counts), "rate": rate.rate}


def get_wave(session: Session, *, user: StaffUser, wave_id: int) -> WaveDetail:
    """The wave with its response rate overall and per branch, of the invitations ``user``
    may see."""
    wave = _wave(session, wave_id)
    rates = response_rates(SurveyRepository(session, user).counts_by_branch(wave.id))
    return _read(
        WaveDetail,
        wave,
        overall=_counts(rates.overall),
        by_branch=[{"branch": branch, **_counts(rate)} for branch, rate in rates.by_branch.items()],
        predictions=repository.prediction_count(session, wave.id),
    )


def change_status(session: Session, *, wave_id: int, status: WaveStatus, version: int) -> WaveRead:
    """Open or close a wave; ``version`` is the one the caller saw (409 when stale)."""
    wave = _wave(session, wave_id)
    if wave.version != version:
        raise Conflict(f"wave {wave.code} was changed meanwhile (version {wave.version})")
    if status not in STATUS_CHANGES[wave.status]:
        raise Conflict(f"a {wave.status.value} wave cannot become {status.value}")
    wave.status = status
    session.flush()
    return WaveRead.model_validate(wave)


def _check_not_closed(wave: SurveyWave) -> None:
    if wave.status is WaveStatus.CLOSED:
        raise Conflict(f"wave {wave.code} is closed")


def _invite(
    session: Session,
    wave: SurveyWave,
    record: dict[str, Any],
    people: Sequence[tuple[int, int | None, int | None]],
) -> list[SurveyInvitation]:
    """One invitation per (customer, branch, interaction), after adding the round to the
    wave's record of how its respondents were picked; that write takes the wave row (and its
    version), so two rounds issued at once cannot both pass."""
    moment = utcnow()
    record = {**record, "issued": len(people), "at": moment.isoformat()}
    rounds = [*(wave.selection or {}).get("rounds", []), record]
    wave.selection = {**(wave.selection or {}), "rounds": rounds}
    session.flush()
    invitations = [
        SurveyInvitation(
            wave_id=wave.id,
            customer_id=customer_id,
            branch_id=branch_id,
            interaction_id=interaction_id,
            token=new_token(),
            issued_at=moment,
            reminders=0,
        )
        for customer_id, branch_id, interaction_id in people
    ]
    repository.add_all(session, invitations)
    return invitations


def issue_invitations(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    selection: Selection,
) -> IssueRead:
    """Pick respondents as ``selection`` says and give each a one-time link.

    Only active customers who were never erased and are not yet invited to the wave are
    picked, from the customers ``user`` may see; each invitation is made out for the
    customer's branch."""
    wave = _wave(session, wave_id)
    _check_not_closed(wave)
    rows = SurveyRepository(session, user)
    invited = rows.invited_customers(wave.id)
    pool = eligible(rows.candidates(), selection, already_invited=invited)
    chosen = select_respondents(pool, selection, already_invited=invited)
    people = [(candidate.customer_id, candidate.branch_id, None) for candidate in chosen]
    invitations = _invite(session, wave, asdict(selection), people)
    links = _links(rows, wave.id, invitations)
    return IssueRead(eligible=len(pool), issued=len(invitations), invitations=links)


def _links(
    rows: SurveyRepository, wave_id: int, invitations: Sequence[SurveyInvitation] | None = None
) -> list[InvitationLink]:
    customer_ids = None if invitations is None else [row.customer_id for row in invitations]
    return [
        InvitationLink(customer_external_id=external_id, token=token, reminders=reminders)
        for external_id, token, reminders in rows.links(wave_id, customer_ids)
    ]


def invitation_links(session: Session, *, user: StaffUser, wave_id: int) -> list[InvitationLink]:
    """Every link of the wave ``user`` may see, for the bank's SMS or e-mail gateway."""
    return _links(SurveyRepository(session, user), _wave(session, wave_id).id)


def send_reminders(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    min_days: int | None = None,
    max_reminders: int | None = None,
) -> ReminderRead:
    """Count a reminder on every unanswered invitation ``user`` may see that is due one,
    and return their links for the gateway to send again."""
    return _send_reminders(SurveyRepository(session, user), wave_id, min_days, max_reminders)


def send_reminders_job(session: Session, *, wave_id: int) -> ReminderRead:
    """The reminder job (``bankcrm quality remind``): every unanswered invitation of the
    wave that is due one, whichever branch it is about, as the settings say."""
    return _send_reminders(SurveySystemRepository(session), wave_id, None, None)


def _send_reminders(
    rows: SurveyRepository, wave_id: int, min_days: int | None, max_reminders: int | None
) -> ReminderRead:
    knobs = get_settings().quality
    wave = _wave(rows.session, wave_id)
    if wave.status is not WaveStatus.OPEN:
        raise Conflict(f"wave {wave.code} is not open")
    moment = utcnow()
    due = [
        invitation
        for invitation in rows.open_invitations(wave.id)
        if reminder_due(
            issued_at=as_utc(invitation.issued_at),
            reminded_at=invitation.reminded_at and as_utc(invitation.reminded_at),
            reminders=invitation.reminders,
            completed=invitation.completed_at is not None,
            now=moment,
            min_days=knobs.reminder_after_days if min_days is None else min_days,
            max_reminders=knobs.max_reminders if max_reminders is None else max_reminders,
        )
    ]
    for invitation in due:
        invitation.reminders += 1
        invitation.reminded_at = moment
    rows.session.flush()
    return ReminderRead(reminded=len(due), invitations=_links(rows, wave.id, due))


def issue_follow_up_invitations(
    session: Session,
    *,
    wave_id: int,
    since: date,
    until: date | None = None,
) -> int:
    """Invite every customer who had an interaction from ``since`` to ``until`` (bank days,
    both included; today when left out) to a short CSAT or NPS wave, asking about their
    latest interaction in that window. Returns how many were invited.

    A job for the whole bank (``bankcrm quality follow-up``, the demo), not a staff action."""
    wave = _wave(session, wave_id)
    if wave.kind is SurveyKind.SERVQUAL:
        raise ValidationFailed(
            f"wave {wave.code} is a SERVQUAL survey; follow-ups go to a CSAT or NPS wave",
            field="wave_id",
        )
    _check_not_closed(wave)
    last = until or bank_today()
    if last < since:
        raise ValidationFailed("the window ends before it begins", field="until")
    bank = SurveySystemRepository(session)
    invited = bank.invited_customers(wave.id)
    window = bank.latest_interactions(
        start=bank_day_start(since), end=bank_day_start(last + timedelta(days=1))
    )
    contacts = [contact for contact in window if contact[0] not in invited]
    follow_up = {"since": since.isoformat(), "until": last.isoformat()}
    return len(_invite(session, wave, {"follow_up": follow_up}, contacts))


# --- the respondent's side -----------------------------------------------------------------


@dataclass(frozen=True)
class Survey:
    """What the public page shows for one link: the wave's questions, no customer data."""

    wave_code: str
    wave_title: str
    kind: SurveyKind
    instrument: Instrument | None
    answers: dict[str, int]
    """What the respondent saved or entered so far."""


def _answered_first(written: bool) -> None:
    """Refuse a link answered already, or meanwhile (a conditional write that changed nothing)."""
    if not written:
        raise AlreadyAnswered("this survey has already been answered")


def _answerable(session: Session, token: str) -> tuple[SurveyInvitation, SurveyWave, datetime]:
    moment = utcnow()
    found = SurveyLinkSystemRepository(session).invitation_by_token(token)
    if found is None:
        raise NotFound("no survey behind this link")
    invitation, wave = found
    _answered_first(invitation.completed_at is None)
    today = bank_day(moment)
    if wave.status is not WaveStatus.OPEN or not wave.opens_on <= today <= wave.closes_on:
        raise SurveyClosed("this survey is closed")
    return invitation, wave, moment


def _survey(wave: SurveyWave, answers: dict[str, int]) -> Survey:
    return Survey(wave.code, wave.title, wave.kind, wave_instrument(wave), answers)


def open_survey(session: Session, *, token: str) -> Survey:
    """The survey behind a link, with the answers saved so far; stamps the first opening."""
    invitation, wave, moment = _answerable(session, token)
    SurveyLinkSystemRepository(session).mark_opened(invitation.id, moment)
    return _survey(wave, dict(invitation.draft or {}))


def save_draft(session: Session, *, token: str, form: Mapping[str, object]) -> Survey:
    """Keep what was answered so far, to finish later from the same link."""
    invitation, wave, moment = _answerable(session, token)
    checked = check_answers(form, survey_questions(wave.kind, wave_instrument(wave)))
    link = SurveyLinkSystemRepository(session)
    _answered_first(link.save_draft(invitation.id, checked.answers, moment))
    return _survey(wave, checked.answers)


def submit(session: Session, *, token: str, form: Mapping[str, object]) -> int:
    """Take the answers of a link once; returns the new response's id.

    Answers missing or off the scale are kept as a draft and refused
    (:class:`AnswersIncomplete`); a link already answered is refused (:class:`AlreadyAnswered`),
    also when two submits arrive at the same moment."""
    invitation, wave, moment = _answerable(session, token)
    checked = check_answers(form, survey_questions(wave.kind, wave_instrument(wave)))
    link = SurveyLinkSystemRepository(session)
    if checked.problems:
        _answered_first(link.save_draft(invitation.id, checked.answers, moment))
        raise AnswersIncomplete(checked.problems, _survey(wave, checked.answers))
    _answered_first(link.claim(invitation.id, moment))
    scored = wave.kind is not SurveyKind.SERVQUAL
    response = SurveyResponse(
        external_id=f"SI{invitation.id:09d}",
        kind=wave.kind,
        wave=wave.code,
        customer_id=invitation.customer_id,
        branch_id=invitation.branch_id,
        answered_on=bank_day(moment),
        score=checked.answers[SCORE] if scored else None,
        answers=None if scored else checked.answers,
    )
    repository.add(session, response)
    link.link_response(invitation.id, response.id)
    return response.id


# --- management's predictions (gap 1) ------------------------------------------------------


def save_prediction(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    answers: Mapping[str, object],
) -> PredictionRead:
    """A manager's prediction of what customers expect of every item; answering again
    replaces the earlier one."""
    wave, instrument = _servqual_wave(session, wave_id)
    questions = prediction_questions(instrument)
    checked = check_answers(answers, questions)
    if checked.problems:
        raise ValidationFailed(
            f"predict every item on the scale: {describe(checked.problems)}", field="answers"
        )
    unknown = sorted(set(answers) - set(questions.required))
    if unknown:
        raise ValidationFailed(
            f"not items of wave {wave.code}: {', '.join(unknown[:5])}", field="answers"
        )
    row = repository.prediction(session, wave.id, user.id) or ManagementPrediction(
        wave_id=wave.id, respondent_id=user.id
    )
    row.answers = checked.answers
    row.answered_at = utcnow()
    repository.add(session, row)
    return PredictionRead.model_validate(row, from_attributes=True)


def prediction_of(session: Session, *, user: StaffUser, wave_id: int) -> dict[str, int]:
    """The user's own prediction for the wave; empty before they gave one."""
    row = repository.prediction(session, _wave(session, wave_id).id, user.id)
    return {} if row is None else {key: int(value) for key, value in row.answers.items()}


# --- analysis input ------------------------------------------------------------------------


def wave_responses(
    session: Session, *, user: StaffUser, wave_id: int
) -> tuple[Instrument, ServqualResponses | None]:
    """The wave's instrument and the SERVQUAL answers ``user`` may see as the analysis takes
    them; ``None`` before anyone answered."""
    wave, instrument = _servqual_wave(session, wave_id)
    rows = SurveyRepository(session, user).servqual_answers(wave.code)
    return instrument, stored_responses(rows, instrument)[0]
