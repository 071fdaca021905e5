"""The five-gap diagnosis from a small hand-built bank, and the one-click PDCA action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.complaints.models import Complaint
from bankcrm.core import clock
from bankcrm.core.clock import utcnow
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    ActionOrigin,
    ActionStage,
    ComplaintChannel,
    ComplaintStatus,
    InspectionKind,
    Role,
    Severity,
    StandardCategory,
    SurveyKind,
    TargetDirection,
    WaveStatus,
)
from bankcrm.customers.models import Customer
from bankcrm.quality import gaps
from bankcrm.quality.gaps import GapStatus
from bankcrm.quality.improvement import flows, service
from bankcrm.quality.models import (
    ImprovementAction,
    Inspection,
    InspectionResult,
    ManagementPrediction,
    ServicePromise,
    ServiceStandard,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in

RESPONSIVENESS = (10, 11, 12, 13)


@dataclass(frozen=True)
class Planted:
    officer: str
    failing_branch_id: int
    failing_label: str
    branch_manager_id: int


def _plant(session: Session, main_branch_id: int) -> Planted:
    """Four respondents whose perceptions fall 3 points short on responsiveness only; two
    managers who under-estimate responsiveness by 1 point; standards covering items 1–13;
    the main branch passing 3 of 10 checklist lines, the other 10 of 10; two of three
    promises broken; one complaint not as advertised among four customer contacts."""
    today = clock.bank_today()
    officer = factories.staff(session, role=Role.QUALITY_OFFICER)
    wave = SurveyWave(
        code="SQ-TEST",
        title="SERVQUAL test wave",
        kind=SurveyKind.SERVQUAL,
        instrument="servqual_bank",
        status=WaveStatus.CLOSED,
        opens_on=today - timedelta(days=60),
        closes_on=today - timedelta(days=30),
    )
    session.add(wave)
    session.flush()
    for respondent in range(4):
        expectation = 5 + respondent % 2
        answers: dict[str, int] = {}
        for item in range(1, 23):
            answers[f"E{item}"] = expectation
            answers[f"P{item}"] = expectation - 3 if item in RESPONSIVENESS else expectation
        session.add(
            SurveyResponse(
                external_id=f"SQ-TEST-{respondent}",
                kind=SurveyKind.SERVQUAL,
                wave=wave.code,
                branch_id=main_branch_id,
                answered_on=today - timedelta(days=40),
                answers=answers,
            )
        )
    for _ in range(2):
        manager = factories.staff(session, role=Role.BRANCH_MANAGER)
        session.add(
            ManagementPrediction(
                wave_id=wave.id,
                respondent_id=manager.id,
                answers={
                    f"E{item}": 4.5 if item in RESPONSIVENESS else 5.5 for item in range(1, 23)
                },
                answered_at=utcnow(),
            )
        )
    standards = []
    for code, items, active in (
        ("ENV-1", [1, 2, 3, 4], True),
        ("PRO-1", [5, 6, 7, 8, 9], True),
        ("EFF-1", [10, 11, 12, 13], True),
        ("ETI-1", list(range(14, 23)), False),
    ):
        standard = ServiceStandard(
            code=code,
            category=StandardCategory.PROCESS,
            title=code,
            servqual_items=items,
            active=active,
        )
        session.add(standard)
        standards.append(standard)
    session.flush()
    other = session.scalars(select(Branch).where(Branch.id != main_branch_id)).first()
    assert other is not None
    for branch_id, passed in ((main_branch_id, 3), (other.id, 10)):
        for visit in range(5):
            inspection = Inspection(
                kind=InspectionKind.MYSTERY_SHOPPER,
                branch_id=branch_id,
                inspector_id=officer.id,
                inspected_on=today - timedelta(days=10 + visit),
                created_at=utcnow(),
            )
            session.add(inspection)
            session.flush()
            for line, standard in enumerate(standards[:2]):
                session.add(
                    InspectionResult(
                        inspection_id=inspection.id,
                        standard_id=standard.id,
                        passed=visit * 2 + line < passed,
                    )
                )
    for title, promised, delivered, direction in (
        ("排队等候不超过15分钟", 15.0, 19.5, TargetDirection.AT_MOST),
        ("理财产品预期年化收益4.5%", 4.5, 3.1, TargetDirection.AT_LEAST),
        ("ATM可用率不低于99.5%", 99.5, 99.7, TargetDirection.AT_LEAST),
    ):
        session.add(
            ServicePromise(
                title=title,
                promised=promised,
                delivered=delivered,
                direction=direction,
                measured_on=today - timedelta(days=5),
                active=True,
            )
        )
    received = datetime.now(UTC) - timedelta(days=5)
    for number, issue in enumerate(
        ("not_as_advertised", "waiting_time", "service_attitude", "waiting_time")
    ):
        session.add(
            Complaint(
                external_id=f"C-DIAG-{number}",
                branch_id=main_branch_id,
                channel=ComplaintChannel.COUNTER,
                product_line="wealth_management",
                issue=issue,
                severity=Severity.MEDIUM,
                text="投诉",
                status=ComplaintStatus.RECEIVED,
                received_at=received,
                deadline_at=received,
                reopen_count=0,
            )
        )
    customer = session.scalars(select(Customer).where(Customer.branch_id == main_branch_id)).first()
    assert customer is not None
    for _ in range(4):
        factories.interaction(session, customer=customer, staff_id=None).occurred_at = received
    main = session.get(Branch, main_branch_id)
    assert main is not None
    manager_id = session.scalars(
        select(StaffUser.id).where(
            StaffUser.branch_id == main_branch_id, StaffUser.role == Role.BRANCH_MANAGER
        )
    ).first()
    assert manager_id is not None
    session.commit()
    return Planted(
        officer=officer.username,
        failing_branch_id=main_branch_id,
        failing_label=f"{main.external_id} {main.name}",
        branch_manager_id=manager_id,
    )


@pytest.fixture
def planted(small_bank: SmallBank, app_settings: str) -> Planted:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        found = _plant(session, small_bank.branch_id)
    engine.dispose()
    return found


@contextmanager
def _session(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _staff(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def test_the_diagnosis_names_the_weak_dimension_and_the_failing_branch(
    planted: Planted, app_settings: str
) -> None:
    with _session(app_settings) as session:
        report = flows.diagnose(
            session, user=_staff(session, planted.officer), today=clock.bank_today()
        )
    diagnosis = report.diagnosis
    # gaps 3, 4 and 5 all reach the failing end of their ramps (severity 1), then gap 2
    assert [finding.gap for finding in diagnosis.open_gaps] == [3, 4, 5, 2]
    assert diagnosis.closed_gaps == (1,)
    assert diagnosis.unknown_gaps == ()
    by_gap = {finding.gap: finding for finding in diagnosis.open_gaps}

    assert by_gap[5].weakest == "responsiveness"
    fifth = report.evidence.record(5)
    assert isinstance(fifth, gaps.PerceivedQualityEvidence)
    assert fifth.dimension_gaps["responsiveness"] == pytest.approx(-3.0)
    assert fifth.dimension_gaps["empathy"] == pytest.approx(0.0)

    assert by_gap[3].weakest == planted.failing_label
    third = report.evidence.record(3)
    assert isinstance(third, gaps.InspectionComplianceEvidence)
    assert third.branch_compliance[planted.failing_label] == pytest.approx(0.3)
    assert third.overall_compliance == pytest.approx(13 / 20)

    # 13 of 22 items covered: the inactive standard does not count
    second = report.evidence.record(2)
    assert isinstance(second, gaps.StandardsCoverageEvidence)
    assert second.coverage == pytest.approx(13 / 22)
    assert by_gap[2].severity == pytest.approx((13 / 22 - 1) / (0.5 - 1))
    assert by_gap[2].weakest == "14"

    # 4.5 → 3.1 misses by 31 %, 15 → 19.5 by 30 %: the yield promise is the weakest
    assert by_gap[4].weakest == "理财产品预期年化收益4.5%"
    fourth = report.evidence.record(4)
    assert isinstance(fourth, gaps.PromiseKeepingEvidence)
    assert fourth.kept_share == pytest.approx(1 / 3)
    assert fourth.not_as_advertised_complaints == 1
    assert fourth.complaints_per_thousand_cases == pytest.approx(250.0)

    # managers under-estimate items 10–13 by 1 point: mean |difference| 4/22
    first = report.evidence.record(1)
    assert isinstance(first, gaps.ManagementPerceptionEvidence)
    assert first.mean_absolute_difference == pytest.approx(4 / 22)
    assert first.weakest == "E10"


def test_missing_records_leave_gaps_unknown(session: Session) -> None:
    officer = factories.staff(session, role=Role.QUALITY_OFFICER)
    report = flows.diagnose(session, user=officer, today=clock.bank_today())
    assert report.diagnosis.unknown_gaps == (1, 3, 4, 5)
    # no standard at all: no survey item is covered
    assert [finding.gap for finding in report.diagnosis.open_gaps] == [2]
    assert report.diagnosis.open_gaps[0].severity == 1.0


def test_the_page_shows_the_findings_and_one_click_creates_the_action(
    planted: Planted, client: TestClient, app_settings: str
) -> None:
    log_in(client, planted.officer)
    page = client.get("/quality/diagnosis", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "响应性" in html
    assert planted.failing_label in html
    assert "建立有效的监督控制体系" in html  # a control method of gap 3, in Chinese
    assert html.index('data-testid="gap-3"') < html.index('data-testid="gap-5"')

    answer = client.post(
        "/quality/diagnosis/actions",
        data={"gap": "3", "csrf_token": csrf_of(html)},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    action_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert answer.headers["location"] == f"/quality/actions/{action_id}"
    with _session(app_settings) as session:
        action = session.get(ImprovementAction, action_id)
        assert action is not None
        assert (action.origin, action.gap, action.branch_id, action.owner_id) == (
            ActionOrigin.GAP,
            3,
            planted.failing_branch_id,
            planted.branch_manager_id,
        )
        assert action.stage is ActionStage.PLAN
        assert action.metric_before == pytest.approx(0.3)
        assert action.higher_is_better is True
        assert action.due_on == clock.bank_today() + timedelta(days=30)
        assert planted.failing_label in action.title
        assert action.description is not None and "建立有效的监督控制体系" in action.description

    detail = client.get(answer.headers["location"], headers=HTML)
    assert detail.status_code == 200
    assert 'href="/quality/diagnosis#gap-3"' in detail.text

    closed = client.post(
        "/quality/diagnosis/actions",
        data={"gap": "1", "csrf_token": csrf_of(html)},
        headers=HTML,
        follow_redirects=False,
    )
    assert closed.status_code == 409
    assert "gap 1 is closed" in closed.text


def test_the_api_diagnosis_and_its_action(
    planted: Planted, small_bank: SmallBank, client: TestClient, app_settings: str
) -> None:
    headers = login(client, planted.officer)
    answer = client.get("/api/v1/quality/diagnosis", params={"locale": "en"}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [gap["gap"] for gap in body["open_gaps"]] == [3, 4, 5, 2]
    fifth = next(gap for gap in body["open_gaps"] if gap["gap"] == 5)
    assert (fifth["weakest"], fifth["weakest_label"]) == ("responsiveness", "responsiveness")
    third = body["open_gaps"][0]
    assert third["weakest_label"] == planted.failing_label
    assert third["figures"]["branch_compliance"][planted.failing_label] == pytest.approx(0.3)
    assert [gap["gap"] for gap in body["closed_gaps"]] == [1]
    assert third["methods"][1]["zh"] == "建立有效的监督控制体系"

    created = client.post(
        "/api/v1/quality/diagnosis/actions",
        json={"gap": 5},
        params={"locale": "en"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    action = created.json()
    assert (action["origin"], action["gap"], action["dimension"], action["branch_id"]) == (
        "gap",
        5,
        "responsiveness",
        None,
    )
    assert action["metric_before"] == pytest.approx(-3.0)
    assert action["title"] == "gap 5: responsiveness"
    with _session(app_settings) as session:
        officer = session.scalars(
            select(StaffUser).where(StaffUser.username == planted.officer)
        ).one()
        assert action["owner_id"] == officer.id

    for gap, status in ((1, 409), (9, 422)):
        refused = client.post(
            "/api/v1/quality/diagnosis/actions", json={"gap": gap}, headers=headers
        )
        assert refused.status_code == status
        assert refused.json()["detail"]

    analyst = login(client, small_bank.analyst)
    assert client.get("/api/v1/quality/diagnosis", headers=analyst).status_code == 200
    denied = client.post("/api/v1/quality/diagnosis/actions", json={"gap": 5}, headers=analyst)
    assert denied.status_code == 403


def test_gap_status_helper_matches_the_diagnosis(planted: Planted, app_settings: str) -> None:
    with _session(app_settings) as session:
        report = flows.diagnose(
            session, user=_staff(session, planted.officer), today=clock.bank_today()
        )
    assert report.status(1) is GapStatus.CLOSED
    assert report.status(5) is GapStatus.OPEN


def test_the_demo_board_and_promises(planted: Planted, app_settings: str) -> None:
    from bankcrm.demo.quality_improvement import ACTIONS, PROMISES, plant_improvement

    today = clock.bank_today()
    with _session(app_settings) as session:
        plant_improvement(session, as_of=today - timedelta(days=3), today=today, seed=7)
        session.commit()
        board = service.list_actions(
            session,
            user=session.scalars(
                select(StaffUser).where(StaffUser.username == planted.officer)
            ).one(),
        )
        promises = service.list_promises(session)
    demo = [action for action in board if action.created_by_id is not None]
    assert len(demo) == len(ACTIONS)
    assert {action.stage for action in demo} == set(ActionStage)
    closed = next(action for action in demo if action.stage is ActionStage.CLOSED)
    assert (closed.metric_before, closed.metric_after, closed.effective) == (19.5, 13.8, True)
    assert closed.complaint_id is not None  # a real case of the planted desk
    in_check = next(action for action in demo if action.stage is ActionStage.CHECK)
    assert in_check.effective is True
    assert [action.title for action in demo if action.overdue] == ["大堂经理服务礼仪专项培训"]
    acting = next(action for action in demo if action.stage is ActionStage.ACT)
    assert acting.effective is False and acting.next_stages == [ActionStage.PLAN]
    # three promises from the hand-built bank, then the demo's
    assert [promise.kept for promise in promises[3:]] == [False, False, True, True]
    assert len(promises) == 3 + len(PROMISES)
