"""Survey waves through the service on SQLite and PostgreSQL: issue, draft, submit once,
reminders, follow-ups, predictions, and the answers read back by the SERVQUAL analysis."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import CustomerStatus, Role, SurveyKind, WaveStatus
from bankcrm.core.exceptions import Conflict, NotFound, ValidationFailed
from bankcrm.customers.models import Customer
from bankcrm.quality.models import ManagementPrediction, SurveyInvitation, SurveyResponse
from bankcrm.quality.servqual import ServqualAnalysis
from bankcrm.quality.surveys import service
from bankcrm.quality.surveys.sampling import Selection
from bankcrm.quality.surveys.service import AlreadyAnswered, AnswersIncomplete, SurveyClosed
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.timing import move_to_bank_day

ISSUE_DAY = date(2026, 11, 20)


def _today() -> date:
    return clock.bank_today()


def _officer(session: Session) -> StaffUser:
    """The quality officer who runs the waves: they see every branch's invitations."""
    found = session.scalars(
        select(StaffUser).where(StaffUser.role == Role.QUALITY_OFFICER).limit(1)
    ).first()
    return found or factories.staff(session, role=Role.QUALITY_OFFICER)


def _bank(session: Session) -> dict[str, list[Customer]]:
    """Two branches: three active customers in one, one active, one closed, one erased in
    the other."""
    main = factories.branch(session)
    other = factories.branch(session)
    manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    active = [
        factories.customer(session, branch_id=main.id, manager_id=manager.id) for _ in range(3)
    ]
    elsewhere = factories.customer(session, branch_id=other.id, manager_id=None)
    closed = factories.customer(session, branch_id=other.id, manager_id=None)
    closed.status = CustomerStatus.CLOSED
    erased = factories.customer(session, branch_id=other.id, manager_id=None)
    erased.name = "ANON-0123456789"
    erased.erased_at = datetime(2026, 1, 1, tzinfo=UTC)
    session.flush()
    return {"active": [*active, elsewhere], "closed": [closed], "erased": [erased]}


def _servqual_wave(session: Session, code: str = "SQ-TEST", *, open_: bool = True) -> int:
    today = _today()
    wave = service.create_wave(
        session,
        user=None,
        code=code,
        title="服务质量调查",
        kind=SurveyKind.SERVQUAL,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=10),
    )
    if open_:
        service.change_status(
            session, wave_id=wave.id, status=WaveStatus.OPEN, version=wave.version
        )
    return wave.id


def _answers(expectation: int = 6, perception: int = 5) -> dict[str, str]:
    form = {f"E{n}": str(expectation) for n in range(1, 23)}
    form.update({f"P{n}": str(perception) for n in range(1, 23)})
    return form


def _token(session: Session, wave_id: int, customer_id: int) -> str:
    return session.scalars(
        select(SurveyInvitation.token).where(
            SurveyInvitation.wave_id == wave_id, SurveyInvitation.customer_id == customer_id
        )
    ).one()


def test_a_wave_keeps_its_instruments_text_and_refuses_a_second_code(session: Session) -> None:
    wave_id = _servqual_wave(session, open_=False)
    wave = service.get_wave(session, user=_officer(session), wave_id=wave_id)
    assert wave.status is WaveStatus.DRAFT
    assert wave.instrument == "servqual_bank"
    instrument = service.prediction_instrument(session, wave_id=wave_id)
    assert instrument.n_items == 22
    with pytest.raises(Conflict):
        _servqual_wave(session, open_=False)
    with pytest.raises(ValidationFailed):
        service.create_wave(
            session,
            user=None,
            code="X",
            title="x",
            kind=SurveyKind.SERVQUAL,
            instrument="no_such_instrument",
            opens_on=date(2026, 1, 2),
            closes_on=date(2026, 1, 3),
        )


def test_issue_draft_submit_once_and_remind(
    session: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    issued_at = move_to_bank_day(time_machine, ISSUE_DAY)
    people = _bank(session)
    wave_id = _servqual_wave(session)

    issued = service.issue_invitations(
        session, user=_officer(session), wave_id=wave_id, selection=Selection()
    )
    assert issued.issued == 4
    assert {link.customer_external_id for link in issued.invitations} == {
        customer.external_id for customer in people["active"]
    }
    rows = session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.wave_id == wave_id)
    ).all()
    branches = {customer.id: customer.branch_id for customer in people["active"]}
    assert all(row.branch_id == branches[row.customer_id] for row in rows)
    assert (
        service.issue_invitations(
            session, user=_officer(session), wave_id=wave_id, selection=Selection()
        ).issued
        == 0
    )

    now = issued_at + timedelta(days=5)
    time_machine.move_to(now, tick=False)
    first = people["active"][0]
    token = _token(session, wave_id, first.id)
    survey = service.open_survey(session, token=token)
    assert survey.answers == {} and survey.instrument is not None

    service.save_draft(session, token=token, form={"E1": "7", "P1": "3", "E2": ""})
    session.expire_all()
    assert service.open_survey(session, token=token).answers == {"E1": 7, "P1": 3}

    incomplete = {**_answers(), "P22": "9"}
    del incomplete["E5"]
    with pytest.raises(AnswersIncomplete) as refused:
        service.submit(session, token=token, form=incomplete)
    assert {problem.key for problem in refused.value.problems} == {"E5", "P22"}
    session.expire_all()
    kept = service.open_survey(session, token=token).answers
    assert len(kept) == 42 and "E5" not in kept

    response_id = service.submit(session, token=token, form={**_answers(), "W_tangibles": "100"})
    session.expire_all()
    response = session.get(SurveyResponse, response_id)
    assert response is not None
    assert response.kind is SurveyKind.SERVQUAL and response.wave == "SQ-TEST"
    assert response.customer_id == first.id and response.branch_id == first.branch_id
    assert response.answered_on == _today()
    assert response.answers is not None
    assert response.answers["E1"] == 6 and response.answers["P22"] == 5
    assert response.answers["W_tangibles"] == 100 and response.answers["W_empathy"] == 0
    invitation = session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.token == token)
    ).one()
    assert invitation.response_id == response_id
    assert invitation.completed_at is not None and invitation.draft is None

    with pytest.raises(AlreadyAnswered):
        service.submit(session, token=token, form=_answers())
    with pytest.raises(AlreadyAnswered):
        service.open_survey(session, token=token)
    with pytest.raises(AlreadyAnswered):
        service.save_draft(session, token=token, form={"E1": "1"})
    assert session.scalar(select(func.count(SurveyResponse.id))) == 1

    second = _token(session, wave_id, people["active"][1].id)
    service.save_draft(session, token=second, form={"E1": "4"})
    detail = service.get_wave(session, user=_officer(session), wave_id=wave_id)
    assert (detail.overall.issued, detail.overall.opened, detail.overall.partial) == (4, 2, 1)
    assert detail.overall.completed == 1
    assert detail.overall.rate == pytest.approx(0.25)
    by_branch = {row.branch: (row.issued, row.completed) for row in detail.by_branch}
    main_name = session.scalars(select(Branch.name).where(Branch.id == first.branch_id)).one()
    assert by_branch[main_name] == (3, 1)

    reminded = service.send_reminders(session, user=_officer(session), wave_id=wave_id)
    assert reminded.reminded == 3
    assert token not in {link.token for link in reminded.invitations}
    assert service.send_reminders(session, user=_officer(session), wave_id=wave_id).reminded == 0
    time_machine.move_to(now + timedelta(days=3), tick=False)
    assert service.send_reminders(session, user=_officer(session), wave_id=wave_id).reminded == 3
    time_machine.move_to(now + timedelta(days=9), tick=False)
    assert service.send_reminders(session, user=_officer(session), wave_id=wave_id).reminded == 0, (
        "two at most"
    )
    links = service.invitation_links(session, user=_officer(session), wave_id=wave_id)
    assert sorted(link.reminders for link in links) == [0, 2, 2, 2]


def test_unknown_closed_and_out_of_days_links_take_no_answers(
    session: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    issued_at = move_to_bank_day(time_machine, ISSUE_DAY)
    people = _bank(session)
    wave_id = _servqual_wave(session)
    service.issue_invitations(
        session, user=_officer(session), wave_id=wave_id, selection=Selection()
    )
    token = _token(session, wave_id, people["active"][0].id)
    with pytest.raises(NotFound):
        service.open_survey(session, token="no-such-token")
    assert service.open_survey(session, token=token).wave_code == "SQ-TEST"
    time_machine.move_to(issued_at + timedelta(days=30), tick=False)
    with pytest.raises(SurveyClosed):
        service.submit(session, token=token, form=_answers())
    time_machine.move_to(issued_at, tick=False)
    wave = service.get_wave(session, user=_officer(session), wave_id=wave_id)
    with pytest.raises(Conflict):
        service.change_status(
            session, wave_id=wave_id, status=WaveStatus.CLOSED, version=wave.version - 1
        )
    service.change_status(session, wave_id=wave_id, status=WaveStatus.CLOSED, version=wave.version)
    with pytest.raises(SurveyClosed):
        service.open_survey(session, token=token)
    with pytest.raises(Conflict):
        service.issue_invitations(
            session, user=_officer(session), wave_id=wave_id, selection=Selection()
        )


def test_submitted_answers_are_what_the_servqual_analysis_reads(session: Session) -> None:
    people = _bank(session)
    wave_id = _servqual_wave(session)
    service.issue_invitations(
        session, user=_officer(session), wave_id=wave_id, selection=Selection()
    )
    # three respondents; responsiveness (items 10–13) perceived a point lower than the rest
    plans = [(7, 6), (6, 5), (5, 4)]
    for customer, (expectation, perception) in zip(people["active"], plans, strict=False):
        form = _answers(expectation, perception)
        for number in range(10, 14):
            form[f"P{number}"] = str(perception - 1)
        service.submit(session, token=_token(session, wave_id, customer.id), form=form)
    instrument, responses = service.wave_responses(session, user=_officer(session), wave_id=wave_id)
    assert responses is not None
    analysis = ServqualAnalysis(instrument).fit(responses)
    assert analysis.n_respondents_ == 3
    responsiveness = analysis.dimensions_["responsiveness"]
    assert responsiveness.expectation == pytest.approx(6.0)
    assert responsiveness.perception == pytest.approx(4.0)
    assert responsiveness.gap.mean == pytest.approx(-2.0)
    assert analysis.dimensions_["tangibles"].gap.mean == pytest.approx(-1.0)
    # (−1 × 4 dimensions − 2) / 5
    assert analysis.servqual_unweighted_ == pytest.approx(-1.2)


def test_follow_up_invites_each_contacted_customer_once_for_the_latest_contact(
    session: Session,
) -> None:
    people = _bank(session)
    customer, other = people["active"][0], people["active"][3]
    early = factories.interaction(session, customer=customer, staff_id=None)
    late = factories.interaction(session, customer=customer, staff_id=None)
    outside = factories.interaction(session, customer=other, staff_id=None)
    erased = factories.interaction(session, customer=people["erased"][0], staff_id=None)
    early.occurred_at = datetime(2026, 9, 10, 2, tzinfo=UTC)
    late.occurred_at = datetime(2026, 9, 20, 2, tzinfo=UTC)
    outside.occurred_at = datetime(2026, 8, 1, 2, tzinfo=UTC)
    erased.occurred_at = datetime(2026, 9, 15, 2, tzinfo=UTC)
    session.flush()
    wave = service.create_wave(
        session,
        user=None,
        code="CSAT-1",
        title="回访",
        kind=SurveyKind.CSAT,
        opens_on=_today(),
        closes_on=_today() + timedelta(days=5),
    )
    issued = service.issue_follow_up_invitations(
        session, wave_id=wave.id, since=date(2026, 9, 1), until=date(2026, 9, 30)
    )
    assert issued == 1
    invitation = session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.wave_id == wave.id)
    ).one()
    assert invitation.customer_id == customer.id and invitation.interaction_id == late.id
    assert (
        service.issue_follow_up_invitations(
            session, wave_id=wave.id, since=date(2026, 9, 1), until=date(2026, 9, 30)
        )
        == 0
    )
    servqual_id = _servqual_wave(session, "SQ-2", open_=False)
    with pytest.raises(ValidationFailed):
        service.issue_follow_up_invitations(session, wave_id=servqual_id, since=date(2026, 9, 1))

    # every round of invitations is recorded on the wave, which counts as a change
    version = service.get_wave(session, user=_officer(session), wave_id=wave.id).version
    assert version == wave.version + 2
    service.change_status(session, wave_id=wave.id, status=WaveStatus.OPEN, version=version)
    with pytest.raises(AnswersIncomplete):
        service.submit(session, token=invitation.token, form={"score": "6"})
    response_id = service.submit(session, token=invitation.token, form={"score": "4"})
    response = session.get(SurveyResponse, response_id)
    assert response is not None and response.kind is SurveyKind.CSAT
    assert response.score == 4 and response.answers is None and response.wave == "CSAT-1"


def test_a_managers_prediction_is_one_per_wave_and_replaced(session: Session) -> None:
    branch = factories.branch(session)
    manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branch.id)
    wave_id = _servqual_wave(session)
    first = service.save_prediction(
        session, user=manager, wave_id=wave_id, answers={f"E{n}": 5 for n in range(1, 23)}
    )
    assert first.answers["E1"] == 5
    service.save_prediction(
        session, user=manager, wave_id=wave_id, answers={f"E{n}": "6" for n in range(1, 23)}
    )
    rows = session.scalars(select(ManagementPrediction)).all()
    assert len(rows) == 1 and rows[0].answers["E22"] == 6
    assert service.prediction_of(session, user=manager, wave_id=wave_id)["E3"] == 6
    with pytest.raises(ValidationFailed):
        service.save_prediction(session, user=manager, wave_id=wave_id, answers={"E1": 5})
    with pytest.raises(ValidationFailed):
        service.save_prediction(
            session,
            user=manager,
            wave_id=wave_id,
            answers={**{f"E{n}": 5 for n in range(1, 23)}, "P1": 3},
        )
    assert service.get_wave(session, user=_officer(session), wave_id=wave_id).predictions == 1


@pytest.mark.postgres
def test_two_simultaneous_submits_make_one_response(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with Session(engine) as session:
            people = _bank(session)
            wave_id = _servqual_wave(session)
            service.issue_invitations(
                session, user=_officer(session), wave_id=wave_id, selection=Selection()
            )
            token = _token(session, wave_id, people["active"][0].id)
            session.commit()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def answer() -> None:
            with Session(engine) as own:
                barrier.wait()
                try:
                    service.submit(own, token=token, form=_answers())
                    own.commit()
                    outcomes.append("answered")
                except AlreadyAnswered:
                    own.rollback()
                    outcomes.append("refused")

        threads = [threading.Thread(target=answer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["answered", "refused"]
        with Session(engine) as session:
            assert session.scalar(select(func.count(SurveyResponse.id))) == 1
    finally:
        engine.dispose()
