"""The survey-wave report on a hand-built wave: seven answers (six complete) in two
branches, an earlier wave of the same instrument, segments and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from scipy import stats
from sqlalchemy.orm import Session

from bankcrm.core.enums import (
    AnalyticsEngine,
    CustomerType,
    LifecycleStage,
    Quadrant,
    Role,
    SurveyKind,
    ValueTier,
    WaveStatus,
)
from bankcrm.core.exceptions import NotFound
from bankcrm.quality.models import SurveyInvitation, SurveyResponse, SurveyWave
from bankcrm.quality.reporting.report import build_wave_report
from bankcrm.quality.servqual import cronbach_alpha, mean_confidence_interval
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.staff.models import StaffUser
from tests import factories

MINI_INSTRUMENT = """
id = "mini"
title = { zh = "迷你服务质量量表", en = "Mini SERVQUAL" }
source = "test"

[scale]
min = 1
max = 7
min_label = { zh = "非常不同意", en = "strongly disagree" }
max_label = { zh = "非常同意", en = "strongly agree" }

[[dimensions]]
code = "reliability"
name = { zh = "可靠性", en = "reliability" }
weight = 60

[[dimensions]]
code = "empathy"
name = { zh = "移情性", en = "empathy" }
weight = 40

[[items]]
number = 1
dimension = "reliability"
expectation = { zh = "优秀的银行会按承诺办事。", en = "Excellent banks keep their promises." }
perception = { zh = "本行按承诺办事。", en = "This bank keeps its promises." }

[[items]]
number = 2
dimension = "reliability"
expectation = { zh = "优秀的银行一次办对。", en = "Excellent banks get it right first time." }
perception = { zh = "本行第一次就把业务办对。", en = "This bank gets it right first time." }

[[items]]
number = 3
dimension = "empathy"
expectation = { zh = "优秀的银行关注每位客户。", en = "Excellent banks give customers attention." }
perception = { zh = "本行关注每位客户。", en = "This bank gives customers attention." }

[[items]]
number = 4
dimension = "empathy"
expectation = { zh = "优秀的银行营业时间方便客户。", en = "Excellent banks keep convenient hours." }
perception = { zh = "本行营业时间方便客户。", en = "This bank keeps convenient hours." }
"""

# (branch, E1..E4, P1..P4, month); None is a blank answer.
CURRENT = [
    ("A", (6, 6, 5, 5), (5, 5, 5, 4), 3),
    ("A", (7, 6, 6, 6), (5, 6, 6, 5), 3),
    ("A", (6, 7, 5, 6), (4, 5, 5, 5), 3),
    ("A", (7, 7, 6, 5), (6, 6, 4, 5), 4),
    ("B", (5, 5, 5, 5), (5, 6, 6, 5), 4),
    ("B", (6, 6, 6, 6), (6, 5, 7, 6), 4),
    ("A", (6, 6, 6, 6), (5, 5, 5, None), 4),
]
EARLIER = [
    ("A", (6, 6, 6, 6), (4, 4, 5, 5), 9),
    ("A", (6, 6, 6, 6), (5, 5, 5, 5), 9),
    ("A", (7, 7, 6, 6), (5, 6, 6, 6), 9),
]


@dataclass(frozen=True)
class Planted:
    current: int
    earlier: int
    empty: int
    branch_a: int
    branch_b: int
    branch_a_name: str
    branch_b_name: str
    reader: StaffUser
    """An analyst: the report's figures are of every branch."""


def _wave(session: Session, code: str, opens_on: date, closes_on: date) -> SurveyWave:
    wave = SurveyWave(
        code=code,
        title=f"客户满意度调查 {code}",
        kind=SurveyKind.SERVQUAL,
        instrument="mini",
        instrument_text=MINI_INSTRUMENT,
        status=WaveStatus.CLOSED,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    session.add(wave)
    session.flush()
    return wave


def _segment(
    run: SegmentRun, customer_id: int, quadrant: Quadrant, tier: ValueTier
) -> CustomerSegment:
    return CustomerSegment(
        run_id=run.id,
        customer_id=customer_id,
        customer_type=CustomerType.INDIVIDUAL,
        branch_id=None,
        manager_id=None,
        business_volume_cents=100_000,
        business_share=0.1,
        loyalty_index=0.5,
        quadrant=quadrant,
        value_tier=tier,
        recency_score=3,
        frequency_score=3,
        monetary_score=3,
        lifecycle_stage=LifecycleStage.MATURE,
        trust_score=50,
        communication_score=50,
        transaction_frequency_score=50,
        annual_transactions_score=50,
        product_dependency_score=50,
        share_of_wallet_score=50,
        credit_grade_score=50,
    )


def _run(session: Session, as_of: date) -> SegmentRun:
    run = SegmentRun(
        as_of=as_of,
        engine=AnalyticsEngine.DUCKDB,
        period_months=12,
        customers=3,
        settings={},
        summary={},
    )
    session.add(run)
    session.flush()
    return run


def plant_waves(session: Session) -> Planted:
    """The earlier wave (autumn 2025), the current one (spring 2026) with ten invitations
    of which seven were answered, an empty later wave, and two segmentation runs."""
    branch_a = factories.branch(session, name="上海分行营业部")
    branch_b = factories.branch(session, name="杭州分行")
    branches = {"A": branch_a.id, "B": branch_b.id}
    earlier = _wave(session, "MINI-2025H2", date(2025, 9, 1), date(2025, 9, 30))
    current = _wave(session, "MINI-2026H1", date(2026, 3, 1), date(2026, 4, 30))
    empty = _wave(session, "MINI-2026H2", date(2026, 9, 1), date(2026, 9, 30))
    customers = [
        factories.customer(session, branch_id=branch_a.id, manager_id=None) for _ in range(10)
    ]
    number = 0
    for wave, answers, year in ((current, CURRENT, 2026), (earlier, EARLIER, 2025)):
        for index, (branch, expected, perceived, month) in enumerate(answers):
            number += 1
            values = {f"E{i + 1}": value for i, value in enumerate(expected)}
            values |= {f"P{i + 1}": value for i, value in enumerate(perceived) if value is not None}
            session.add(
                SurveyResponse(
                    external_id=f"SRT{number:05d}",
                    kind=SurveyKind.SERVQUAL,
                    wave=wave.code,
                    customer_id=customers[index].id,
                    branch_id=branches[branch],
                    answered_on=date(year, month, 10),
                    answers=values,
                )
            )
    session.flush()
    issued = datetime(2026, 3, 1, 2, tzinfo=UTC)
    for index, customer in enumerate(customers):
        session.add(
            SurveyInvitation(
                wave_id=current.id,
                customer_id=customer.id,
                branch_id=branch_a.id,
                token=f"token-{index}",
                issued_at=issued,
                completed_at=issued if index < len(CURRENT) else None,
            )
        )
    # The run before the wave closed puts the first three respondents in the loyal quadrant,
    # tier A; a later run (ignored) would call everyone ordinary.
    before = _run(session, date(2026, 4, 1))
    for customer in customers[:3]:
        session.add(_segment(before, customer.id, Quadrant.LOYAL, ValueTier.A))
    after = _run(session, date(2026, 5, 15))
    for customer in customers:
        session.add(_segment(after, customer.id, Quadrant.ORDINARY, ValueTier.C))
    reader = factories.staff(session, role=Role.MARKETING_ANALYST)
    session.commit()
    return Planted(
        current=current.id,
        earlier=earlier.id,
        empty=empty.id,
        branch_a=branch_a.id,
        branch_b=branch_b.id,
        branch_a_name=branch_a.name,
        branch_b_name=branch_b.name,
        reader=reader,
    )


def test_the_report_of_a_hand_built_wave(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )

    participation = report.participation
    assert (participation.answers, participation.respondents) == (7, 6)
    assert (participation.invitations, participation.completed) == (10, 7)
    assert participation.response_rate == pytest.approx(0.7)
    assert report.wave.instrument_title == "迷你服务质量量表"

    figures = report.servqual
    assert figures is not None
    reliability, empathy = figures.dimensions
    assert (reliability.name, empathy.name) == ("可靠性", "移情性")
    # Reliability: all seven answered items 1-2; respondent gaps -1, -1, -2, -1, 0.5, -0.5, -1.
    assert reliability.respondents == 7
    assert reliability.expectation == pytest.approx(43 / 7)
    assert reliability.perception == pytest.approx(37 / 7)
    assert reliability.gap == pytest.approx(-6 / 7)
    # Empathy: the seventh left P4 blank; gaps -0.5, -0.5, -0.5, -1, 0.5, 0.5.
    assert empathy.respondents == 6
    assert empathy.gap == pytest.approx(-0.25)
    interval = mean_confidence_interval([-0.5, -0.5, -0.5, -1, 0.5, 0.5])
    assert (empathy.gap_low, empathy.gap_high) == pytest.approx((interval.low, interval.high))
    assert figures.servqual_unweighted == pytest.approx((-6 / 7 - 0.25) / 2)
    assert figures.servqual_weighted == pytest.approx(0.6 * (-6 / 7) + 0.4 * (-0.25))
    assert figures.weights_source == "instrument"

    # α of reliability's expectations by hand: item variances 10/21 each, total variance
    # 11/7, so α = 2 · (1 − (20/21) / (11/7)) = 26/33; and the same from the pure function.
    assert reliability.alpha_expectation == pytest.approx(26 / 33)
    e_block = [[6, 6], [7, 6], [6, 7], [7, 7], [5, 5], [6, 6], [6, 6]]
    assert reliability.alpha_expectation == pytest.approx(cronbach_alpha(e_block))
    p_block = [[5, 4], [6, 5], [5, 5], [4, 5], [6, 5], [7, 6]]
    assert empathy.alpha_perception == pytest.approx(cronbach_alpha(p_block))

    item_1, _, _, item_4 = figures.items
    assert (item_1.respondents, item_1.gap) == (7, pytest.approx(-1.0))
    assert item_1.statement == "本行按承诺办事。"
    assert (item_4.respondents, item_4.expectation, item_4.perception) == (6, 5.5, 5.0)

    # Importance cut 50 (weights 60, 40); performance cut the mean of 37/7 and 5.25:
    # reliability is above both, empathy below both.
    assert reliability.quadrant == "keep_up_the_good_work"
    assert {point.code: point.quadrant for point in figures.grid.points}["empathy"] == (
        "low_priority"
    )

    # Branches at the default minimum of five: both too few, listed by score, unranked.
    assert [(row.label, row.too_few, row.rank) for row in figures.branches] == [
        (planted.branch_b_name, True, None),
        (planted.branch_a_name, True, None),
    ]

    # Months answered: March (three) and April (three complete of four answers).
    assert [(row.key, row.respondents) for row in figures.months] == [
        ("2026-03", 3),
        ("2026-04", 3),
    ]
    # Segments come from the run of 1 April, the last before the wave closed.
    assert figures.segment_run == date(2026, 4, 1)
    loyal = {row.key: row for row in figures.quadrants}["loyal"]
    assert loyal.respondents == 3
    assert loyal.servqual == pytest.approx((-4 / 3 - 0.5) / 2)
    assert {row.key for row in figures.value_tiers} == {"A", ""}


def test_the_league_table_ranks_branches_with_enough_respondents(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="en", min_branch_respondents=3
    )
    assert report.servqual is not None
    first, second = report.servqual.branches
    # Branch A: reliability gaps -1, -1, -2, -1, -1 → -1.2; empathy -0.5, -0.5, -0.5, -1 →
    # -0.625; branch B: 0 and 0.5. B scores better but has two respondents: listed after A.
    assert (first.label, first.rank, first.too_few, first.respondents) == (
        planted.branch_a_name,
        1,
        False,
        4,
    )
    assert first.servqual == pytest.approx((-1.2 - 0.625) / 2)
    assert (first.weakest, first.weakest_name) == ("reliability", "reliability")
    assert first.weakest_gap == pytest.approx(-1.2)
    overall = mean_confidence_interval([-0.75, -0.75, -1.25, -1.0])
    assert (first.low, first.high) == pytest.approx((overall.low, overall.high))
    assert (second.label, second.rank, second.too_few, second.respondents) == (
        planted.branch_b_name,
        None,
        True,
        2,
    )
    assert second.servqual == pytest.approx(0.25)
    assert second.weakest == "reliability"


def test_the_change_against_the_previous_wave_and_the_trend(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )
    assert report.servqual is not None
    change = report.servqual.change
    assert change is not None
    assert (change.previous_id, change.previous_code) == (planted.earlier, "MINI-2025H2")
    rows = {row.code: row for row in change.rows}
    assert list(rows) == ["reliability", "empathy", "servqual"]
    reliability = rows["reliability"]
    assert reliability.gap_earlier == pytest.approx(-1.5)
    assert reliability.difference == pytest.approx(-6 / 7 + 1.5)
    welch = stats.ttest_ind([-1, -1, -2, -1, 0.5, -0.5, -1], [-2, -1, -1.5], equal_var=False)
    assert reliability.p_value == pytest.approx(welch.pvalue)
    assert welch.pvalue == pytest.approx(0.1638, abs=1e-4)
    assert reliability.significant is False
    assert rows["empathy"].gap_earlier == pytest.approx(-2 / 3)

    trend = report.servqual.trend
    # The empty wave has no score and is left out of the line.
    assert [(point.code, point.current) for point in trend] == [
        ("MINI-2025H2", False),
        ("MINI-2026H1", True),
    ]
    assert trend[0].servqual == pytest.approx((-1.5 - 2 / 3) / 2)
    assert trend[0].respondents == 3

    first = build_wave_report(session, user=planted.reader, wave_id=planted.earlier)
    assert first.servqual is not None
    assert first.servqual.change is None
    assert first.participation.invitations is None


def test_a_wave_nobody_answered_says_so(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(session, user=planted.reader, wave_id=planted.empty)
    assert not report.has_answers
    assert report.servqual is None
    assert report.participation.respondents == 0
    assert report.participation.response_rate is None


def test_an_unknown_wave_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        build_wave_report(
            session, user=factories.staff(session, role=Role.MARKETING_ANALYST), wave_id=12345
        )


def test_a_csat_wave_shows_its_score_and_monthly_trend(session: Session) -> None:
    wave = SurveyWave(
        code="CSAT-2026-03",
        title="网点服务满意度",
        kind=SurveyKind.CSAT,
        status=WaveStatus.OPEN,
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 4, 30),
    )
    session.add(wave)
    session.flush()
    for number, (score, month) in enumerate([(5, 3), (4, 3), (2, 3), (5, 4)]):
        session.add(
            SurveyResponse(
                external_id=f"CS{number}",
                kind=SurveyKind.CSAT,
                wave=wave.code,
                answered_on=date(2026, month, 5),
                score=score,
            )
        )
    session.commit()
    reader = factories.staff(session, role=Role.MARKETING_ANALYST)
    report = build_wave_report(session, user=reader, wave_id=wave.id)
    short = report.satisfaction
    assert report.servqual is None
    assert short is not None
    assert (short.measure, short.answers) == ("csat", 4)
    assert short.score == pytest.approx(75.0)
    assert short.mean == pytest.approx(4.0)
    interval = mean_confidence_interval([100, 100, 0, 100])
    assert (short.low, short.high) == pytest.approx((interval.low, interval.high))
    assert short.months == ("2026-03", "2026-04")
    assert short.values == pytest.approx((200 / 3, 100.0))
    assert short.counts == (3, 1)
