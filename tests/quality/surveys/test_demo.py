"""The demo's survey waves: past waves closed, an open wave half answered with responsiveness
weakest, managers under-predicting on responsiveness and empathy, a CSAT follow-up wave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role, SurveyKind, WaveStatus
from bankcrm.core.migrate import upgrade
from bankcrm.customers.models import Customer
from bankcrm.demo.quality_surveys import plant_survey_waves
from bankcrm.quality.instrument import Instrument
from bankcrm.quality.models import ManagementPrediction, SurveyInvitation, SurveyResponse
from bankcrm.quality.servqual import ServqualAnalysis
from bankcrm.quality.surveys import service
from bankcrm.quality.surveys.schemas import WaveDetail, WaveSummary
from tests import factories

AS_OF = date(2026, 9, 30)
TODAY = date(2026, 11, 26)


@dataclass
class Planted:
    waves: dict[str, WaveSummary]
    invited: list[int]
    detail: WaveDetail
    gaps: dict[str, float]
    predictions: list[tuple[int, dict[str, int]]]
    follow_up: WaveDetail
    scores: list[int | None]
    instrument: Instrument


def _plant(url: str, seed: int) -> Planted:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            branches = [factories.branch(session) for _ in range(2)]
            for branch in branches:
                factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branch.id)
            officer = factories.staff(session, role=Role.QUALITY_OFFICER)
            customers: list[Customer] = []
            for index in range(400):
                customers.append(
                    factories.customer(session, branch_id=branches[index % 2].id, manager_id=None)
                )
            for index, customer in enumerate(customers[:40]):
                contact = factories.interaction(session, customer=customer, staff_id=None)
                contact.occurred_at = datetime(2026, 9, 29, 2, tzinfo=UTC) - timedelta(
                    days=index % 10
                )
            session.flush()
            plant_survey_waves(session, as_of=AS_OF, today=TODAY, seed=seed)
            session.commit()
            waves = {wave.code: wave for wave in service.list_waves(session, user=officer)}
            open_wave = waves["SERVQUAL-2026H2"]
            invited = sorted(
                session.scalars(
                    select(SurveyInvitation.customer_id).where(
                        SurveyInvitation.wave_id == open_wave.id
                    )
                )
            )
            instrument, responses = service.wave_responses(
                session, user=officer, wave_id=open_wave.id
            )
            assert responses is not None
            analysis = ServqualAnalysis(instrument).fit(responses)
            predictions = session.scalars(select(ManagementPrediction)).all()
            follow_up = service.get_wave(
                session, user=officer, wave_id=waves["CSAT-AFTER-CONTACT"].id
            )
            scores = session.scalars(
                select(SurveyResponse.score).where(SurveyResponse.wave == "CSAT-AFTER-CONTACT")
            ).all()
            return Planted(
                waves=waves,
                invited=invited,
                detail=service.get_wave(session, user=officer, wave_id=open_wave.id),
                gaps={code: found.gap.mean for code, found in analysis.dimensions_.items()},
                predictions=[(row.wave_id, row.answers) for row in predictions],
                follow_up=follow_up,
                scores=list(scores),
                instrument=instrument,
            )
    finally:
        engine.dispose()


def test_the_demo_waves(sqlite_url: str) -> None:
    planted = _plant(sqlite_url, seed=7)
    waves = planted.waves
    assert waves["SERVQUAL-2025H2"].status is WaveStatus.CLOSED
    assert waves["SERVQUAL-2026H1"].status is WaveStatus.CLOSED
    open_wave = waves["SERVQUAL-2026H2"]
    assert open_wave.status is WaveStatus.OPEN
    assert (open_wave.opens_on, open_wave.closes_on) == (date(2026, 11, 12), date(2026, 12, 26))

    detail = planted.detail
    # 15 % of 400 active customers
    assert detail.overall.issued == 60
    assert 10 <= detail.overall.completed <= 35
    assert detail.overall.partial >= 1
    assert detail.overall.opened > detail.overall.completed
    gaps = planted.gaps
    assert min(gaps, key=lambda code: gaps[code]) == "responsiveness"

    predictions = planted.predictions
    # two branch managers and a quality officer, for the open wave and the last closed one
    assert len(predictions) == 6
    assert {wave_id for wave_id, _ in predictions} == {open_wave.id, waves["SERVQUAL-2026H1"].id}
    instrument = planted.instrument
    low_items = [
        f"E{item.number}"
        for item in instrument.items
        if item.dimension in ("responsiveness", "empathy")
    ]
    other_items = [
        f"E{item.number}"
        for item in instrument.items
        if item.dimension not in ("responsiveness", "empathy")
    ]
    low = sum(answers[key] for _, answers in predictions for key in low_items) / (
        6 * len(low_items)
    )
    rest = sum(answers[key] for _, answers in predictions for key in other_items) / (
        6 * len(other_items)
    )
    assert 0.5 < rest - low < 1.5

    follow_up = planted.follow_up
    assert follow_up.kind is SurveyKind.CSAT and follow_up.status is WaveStatus.OPEN
    # contacts 0–9 days before 29 September, four customers a day; the last week of the
    # data (24–30 September) holds days 0–5
    assert follow_up.overall.issued == 24
    scores = planted.scores
    assert len(scores) == follow_up.overall.completed and all(
        s is not None and 1 <= s <= 5 for s in scores
    )


def test_the_demo_waves_follow_the_seed(sqlite_url: str) -> None:
    other_url = sqlite_url.replace("bankcrm.db", "again.db")
    upgrade(other_url)
    first = _plant(sqlite_url, seed=11)
    again = _plant(other_url, seed=11)
    assert first.invited == again.invited
    assert first.gaps == again.gaps
    assert first.predictions == again.predictions
