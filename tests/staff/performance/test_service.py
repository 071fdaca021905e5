"""KPIs on a hand-built bank (``bank.py``): every figure of February 2026 equals the hand
computation written beside it, the score and rank follow the rules' weights, a rerun
replaces the month, and the API keeps a person's KPIs to them and their branch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import PoolStatus, Role
from bankcrm.staff.incentives.models import IncentivePool
from bankcrm.staff.performance import service
from bankcrm.staff.performance.models import KpiMonth
from bankcrm.staff.training.models import TrainingAttendance, TrainingCourse
from tests import factories
from tests.staff.performance import bank as kpi_bank
from tests.staff.performance.bank import MONTH, TODAY, KpiBank
from tests.timing import move_to_bank_day

API = "/api/v1/performance"


@pytest.fixture
def hand_bank(app_settings: str, time_machine: time_machine.TimeMachineFixture) -> KpiBank:
    move_to_bank_day(time_machine, TODAY)
    return kpi_bank.build(app_settings)


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _computed(db: Session) -> dict[int, KpiMonth]:
    service.compute_month(db, month=MONTH, rules=kpi_bank.rules())
    db.commit()
    rows = db.scalars(select(KpiMonth).where(KpiMonth.month == MONTH))
    return {row.staff_id: row for row in rows}


def test_every_figure_of_a_book_equals_the_hand_computation(
    hand_bank: KpiBank, db: Session
) -> None:
    rows = _computed(db)
    figures = rows[hand_bank.manager_a].figures
    # Feb end: c1 deposit 1,200,000 − 200,000 booked in March, c1 wealth 500,000,
    # c2 loan |−300,000|, c3 closed, c4 50,000, c5 10,000.
    assert figures["volume"] == 1_860_000.00
    # Jan end: c1 deposit 1,000,000 − 100,000 booked in February, wealth 500,000, loan 300,000.
    assert figures["volume_growth"] == pytest.approx((1_860_000 - 1_700_000) / 1_700_000, abs=1e-6)
    # (1,060,000 × 1.5 % + 300,000 × 2.5 % + 500,000 × 0.8 %) ÷ 12
    assert figures["profit"] == pytest.approx(2_283.33, abs=0.005)
    # c4 onboarded 3 Feb; c5, never onboarded, opened its first account on 20 Feb.
    assert figures["new_customers"] == 2
    # Live at Jan end: c1, c2, c3; c3's only account closed on 15 Feb.
    assert figures["retention"] == pytest.approx(2 / 3, abs=1e-6)
    # CSAT 5, 3, 4 in February (the January 1 is another month's).
    assert figures["csat"] == pytest.approx(2 / 3, abs=1e-6)
    # Perception means (5 + 6) ÷ 2 and (4 + 4) ÷ 2; the expectation item and the blank left out.
    assert figures["servqual"] == pytest.approx(4.75)
    # Three cases in February (the withdrawn one left out); one upheld ("unfounded" is not);
    # of the two answered or due, one answered in time.
    assert figures["complaints"] == 3
    assert figures["complaints_upheld"] == 1
    assert figures["complaint_timeliness"] == pytest.approx(0.5)
    # Due in February: on time, late, still open past due, and the follow-up done on its day.
    assert figures["tasks_on_time"] == pytest.approx(0.5)
    assert figures["training_hours"] == pytest.approx(4.5)

    other = rows[hand_bank.manager_b].figures
    assert other["volume"] == 3_000_000.00
    assert other["volume_growth"] == pytest.approx(0.5)
    assert other["profit"] == pytest.approx(3_750.00)
    # b1 had made no transaction for six months by Jan end: not live, so nothing to keep.
    assert other["retention"] is None
    assert other["csat"] == 0.0
    assert other["servqual"] is None
    assert other["complaints"] == 0
    assert other["complaint_timeliness"] is None
    assert other["tasks_on_time"] is None
    assert other["training_hours"] == 0


def test_score_and_rank_follow_the_rules_weights(hand_bank: KpiBank, db: Session) -> None:
    rows = _computed(db)
    a, b = rows[hand_bank.manager_a], rows[hand_bank.manager_b]
    assert a.attainment["volume"] == pytest.approx(1_860_000 / 2_000_000)
    assert a.attainment["complaints"] == pytest.approx(2 - 3 / 2)
    # 100 × (0.4 × 0.93 + 0.2 × (2/3 ÷ 0.8) + 0.2 × 0.5 + 0.2 × min(4.5 ÷ 3, 1.5))
    assert a.score == pytest.approx(100 * (0.372 + 0.2 * (0.666667 / 0.8) + 0.1 + 0.3), abs=1e-3)
    # Volume capped at 1.2, no complaint capped at 1.5, no training; retention has no figure,
    # so the other weights (0.8) are re-normalised.
    assert b.score == pytest.approx(100 * (0.4 * 1.2 + 0.2 * 1.5 + 0.2 * 0) / 0.8)
    assert (b.rank, b.ranked_among) == (1, 2)
    assert (a.rank, a.ranked_among) == (2, 2)
    boss = rows[hand_bank.branch_manager]
    assert (boss.role, boss.score, boss.rank, boss.ranked_among) == ("branch_manager", 0, 1, 1)
    assert set(boss.weights) == {"training_hours"}
    assert (rows[hand_bank.manager_c].rank, rows[hand_bank.manager_c].ranked_among) == (1, 1)
    assert a.targets["volume"] == 2_000_000
    assert a.weights == {
        "volume": 0.4,
        "retention": 0.2,
        "complaints": 0.2,
        "training_hours": 0.2,
    }


def test_a_rerun_replaces_the_month(hand_bank: KpiBank, db: Session) -> None:
    first = _computed(db)
    first_id = first[hand_bank.manager_a].id
    again = _computed(db)
    assert len(again) == 4
    assert again[hand_bank.manager_a].id == first_id


def test_an_approved_incentive_pool_freezes_its_branch_month(
    hand_bank: KpiBank, db: Session
) -> None:
    first = _computed(db)
    scores = {staff: row.score for staff, row in first.items()}
    db.add(
        IncentivePool(
            branch_id=hand_bank.branch_id,
            month=MONTH,
            amount_cents=100_000_00,
            status=PoolStatus.APPROVED,
            rules={},
            created_by_id=hand_bank.branch_manager,
        )
    )
    db.add(
        TrainingAttendance(
            course_id=db.scalars(select(TrainingCourse.id)).one(),
            staff_id=hand_bank.manager_b,
            branch_id=hand_bank.branch_id,
            attended_on=date(2026, 2, 27),
            hours=6.0,
            recorded_by_id=hand_bank.branch_manager,
        )
    )
    db.commit()
    result = service.compute_month(db, month=MONTH, rules=kpi_bank.rules())
    db.commit()
    assert (result.staff, result.branches, result.frozen) == (1, 1, 3)
    db.expire_all()
    rows = {row.staff_id: row for row in db.scalars(select(KpiMonth))}
    assert {staff: row.score for staff, row in rows.items()} == scores
    assert rows[hand_bank.manager_b].figures["training_hours"] == 0


def test_the_shipped_rules_score_every_role_that_keeps_a_book(
    hand_bank: KpiBank, db: Session
) -> None:
    result = service.compute_month(db, month=MONTH)
    assert (result.month, result.staff, result.branches, result.frozen) == ("2026-02", 4, 2, 0)


@pytest.fixture
def computed(hand_bank: KpiBank, app_settings: str) -> KpiBank:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        service.compute_month(session, month=MONTH, rules=kpi_bank.rules())
        session.commit()
    engine.dispose()
    return hand_bank


def _headers(app_settings: str, staff_id: int) -> dict[str, str]:
    return factories.api_headers(app_settings, staff_id)


def test_an_account_manager_sees_only_their_own_kpis(
    client: TestClient, computed: KpiBank, app_settings: str
) -> None:
    headers = _headers(app_settings, computed.manager_a)
    rows = client.get(f"{API}/months", params={"month": "2026-02"}, headers=headers).json()
    assert [row["staff_id"] for row in rows] == [computed.manager_a]
    assert rows[0]["staff_name"] == computed.names[computed.manager_a]
    by_code = {item["code"]: item for item in rows[0]["indicators"]}
    assert by_code["volume"]["figure"] == 1_860_000.0
    assert by_code["complaints"]["lower_is_better"] is True
    own = client.get(f"{API}/staff/{computed.manager_a}", headers=headers)
    assert own.status_code == 200
    assert [month["month"] for month in own.json()["months"]] == ["2026-02"]
    assert client.get(f"{API}/staff/{computed.manager_b}", headers=headers).status_code == 404
    branch = client.get(
        f"{API}/branches/{computed.branch_id}", params={"month": "2026-02"}, headers=headers
    )
    assert branch.status_code == 200
    assert [row["staff_id"] for row in branch.json()["ranking"]] == [computed.manager_a]
    assert branch.json()["ranking"][0]["rank"] == 2
    elsewhere = client.get(f"{API}/branches/{computed.other_branch_id}", headers=headers)
    assert elsewhere.status_code == 404


def test_a_branch_manager_sees_their_branch_and_its_roll_up(
    client: TestClient, computed: KpiBank, app_settings: str
) -> None:
    headers = _headers(app_settings, computed.branch_manager)
    rows = client.get(f"{API}/months", params={"month": "2026-02"}, headers=headers).json()
    assert {row["staff_id"] for row in rows} == {
        computed.manager_a,
        computed.manager_b,
        computed.branch_manager,
    }
    answer = client.get(
        f"{API}/branches/{computed.branch_id}", params={"month": "2026-02"}, headers=headers
    )
    assert answer.status_code == 200
    rollup = answer.json()
    indicators = {item["code"]: item for item in rollup["indicators"]}
    assert indicators["volume"]["total"] == 4_860_000.0
    assert indicators["volume"]["measured"] == 3
    assert indicators["training_hours"]["total"] == 4.5
    assert indicators["retention"]["total"] is None
    assert indicators["retention"]["mean"] == pytest.approx(2 / 3, abs=1e-6)
    ranking = [
        (row["staff_id"], row["rank"])
        for row in rollup["ranking"]
        if row["role"] == "account_manager"
    ]
    assert ranking == [(computed.manager_b, 1), (computed.manager_a, 2)]
    trend = client.get(f"{API}/staff/{computed.manager_a}", headers=headers)
    assert trend.status_code == 200
    assert client.get(f"{API}/staff/{computed.manager_c}", headers=headers).status_code == 404
    elsewhere = client.get(f"{API}/branches/{computed.other_branch_id}", headers=headers)
    assert elsewhere.status_code == 404


def test_roles_without_the_permission_and_bad_months_are_refused(
    client: TestClient, computed: KpiBank, app_settings: str, db: Session
) -> None:
    analyst = factories.staff(db, role=Role.MARKETING_ANALYST)
    db.commit()
    answer = client.get(f"{API}/months", headers=_headers(app_settings, analyst.id))
    assert answer.status_code == 403
    headers = _headers(app_settings, computed.manager_a)
    bad = client.get(f"{API}/months", params={"month": "2026-13"}, headers=headers)
    assert bad.status_code == 422
    assert (
        client.get(f"{API}/staff/{computed.manager_a}?months=0", headers=headers).status_code == 422
    )
