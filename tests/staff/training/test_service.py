"""Training through the API and pages: passing a qualifying course issues a certificate
valid for the course's months, a score below the pass mark issues nothing, certificates
expiring soon are listed, a certificate is revoked once; each role sees and manages only
what its scope allows. Dates are relative to a frozen bank day."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.demo.training_desk import EXPIRED_DAYS_AGO, EXPIRING_IN_DAYS, plant_training
from bankcrm.main import create_app
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance, TrainingCourse
from tests import factories
from tests.timing import move_to_bank_day
from tests.web.test_pages import csrf_of, log_in

API = "/api/v1/training"
TODAY = date(2026, 6, 15)


@dataclass
class TrainingBranch:
    ids: dict[str, int]
    usernames: dict[str, str]
    course: int
    """Wealth-sales training: pass mark 80, certificate valid 24 months."""
    plain_course: int
    """No assessment, no qualification."""


@pytest.fixture
def bank(app_settings: str, time_machine: time_machine.TimeMachineFixture) -> TrainingBranch:
    move_to_bank_day(time_machine, TODAY)
    engine = make_engine(app_settings)
    with Session(engine) as session:
        main = factories.branch(session)
        other = factories.branch(session, name="杭州分行")
        people = {
            "manager_a": factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id),
            "manager_b": factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id),
            "manager_c": factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=other.id),
            "branch_manager": factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id),
            "other_branch_manager": factories.staff(
                session, role=Role.BRANCH_MANAGER, branch_id=other.id
            ),
            "admin": factories.staff(session, role=Role.ADMIN),
            "compliance": factories.staff(session, role=Role.COMPLIANCE_AUDITOR),
            "analyst": factories.staff(session, role=Role.MARKETING_ANALYST),
        }
        course = TrainingCourse(
            code="WS-101",
            name="理财产品销售资格培训",
            hours=16.0,
            pass_mark=80.0,
            qualification="wealth_sales",
            validity_months=24,
        )
        plain = TrainingCourse(code="SRV-110", name="网点服务礼仪", hours=3.0)
        session.add_all([course, plain])
        session.flush()
        bank = TrainingBranch(
            ids={name: user.id for name, user in people.items()},
            usernames={name: user.username for name, user in people.items()},
            course=course.id,
            plain_course=plain.id,
        )
        session.commit()
    engine.dispose()
    return bank


@pytest.fixture
def client(app_settings: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _as(app_settings: str, bank: TrainingBranch, who: str) -> dict[str, str]:
    return factories.api_headers(app_settings, bank.ids[who])


def _attend(
    client: TestClient,
    headers: dict[str, str],
    bank: TrainingBranch,
    who: str,
    *,
    days_ago: int,
    score: float | None,
    course: int | None = None,
) -> dict:
    body = {
        "course_id": course or bank.course,
        "staff_id": bank.ids[who],
        "attended_on": (TODAY - timedelta(days=days_ago)).isoformat(),
    }
    if score is not None:
        body["assessment_score"] = score
    answer = client.post(f"{API}/attendances", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_passing_issues_a_certificate_for_the_course_months_and_failing_issues_none(
    bank: TrainingBranch, client: TestClient, app_settings: str, db: Session
) -> None:
    checker = _as(app_settings, bank, "branch_manager")
    passed = _attend(client, checker, bank, "manager_a", days_ago=10, score=85)
    assert (passed["passed"], passed["hours"]) == (True, 16.0)
    certificate = passed["certificate"]
    # issued 2026-06-05, the last day 24 months on is 2028-06-04: 720 days from 2026-06-15
    assert (certificate["issued_on"], certificate["expires_on"]) == ("2026-06-05", "2028-06-04")
    assert (certificate["state"], certificate["days_left"]) == ("valid", 720)

    failed = _attend(client, checker, bank, "manager_b", days_ago=3, score=79.5)
    assert (failed["passed"], failed["certificate"]) == (False, None)
    unassessed = _attend(
        client, checker, bank, "manager_b", days_ago=3, score=None, course=bank.plain_course
    )
    assert (unassessed["passed"], unassessed["certificate"], unassessed["hours"]) == (
        None,
        None,
        3.0,
    )
    holders = db.scalars(select(StaffCertificate.staff_id)).all()
    assert holders == [bank.ids["manager_a"]]

    again = client.post(
        f"{API}/attendances",
        json={
            "course_id": bank.course,
            "staff_id": bank.ids["manager_a"],
            "attended_on": "2026-06-05",
        },
        headers=checker,
    )
    assert again.status_code == 409
    ahead = client.post(
        f"{API}/attendances",
        json={
            "course_id": bank.course,
            "staff_id": bank.ids["manager_a"],
            "attended_on": "2026-06-16",
        },
        headers=checker,
    )
    assert (ahead.status_code, ahead.json()["field"]) == (422, "attended_on")


def test_each_role_sees_the_training_its_scope_allows_and_manages_its_branch(
    bank: TrainingBranch, client: TestClient, app_settings: str
) -> None:
    admin = _as(app_settings, bank, "admin")
    for who in ("manager_a", "manager_b", "manager_c"):
        _attend(client, admin, bank, who, days_ago=20, score=90)

    def seen(who: str, what: str) -> list[int]:
        answer = client.get(f"{API}/{what}", headers=_as(app_settings, bank, who))
        assert answer.status_code == 200, answer.text
        return sorted(row["staff_id"] for row in answer.json())

    main = sorted([bank.ids["manager_a"], bank.ids["manager_b"]])
    everyone = sorted([*main, bank.ids["manager_c"]])
    for what in ("attendances", "certificates"):
        assert seen("manager_a", what) == [bank.ids["manager_a"]]
        assert seen("branch_manager", what) == main
        assert seen("admin", what) == everyone
        assert seen("compliance", what) == everyone
    analyst = _as(app_settings, bank, "analyst")
    assert client.get(f"{API}/attendances", headers=analyst).status_code == 403
    # asking for someone out of scope finds nothing rather than their records
    other = client.get(
        f"{API}/attendances",
        params={"staff_id": bank.ids["manager_c"]},
        headers=_as(app_settings, bank, "branch_manager"),
    )
    assert other.json() == []

    body = {
        "course_id": bank.course,
        "staff_id": bank.ids["manager_c"],
        "attended_on": "2026-06-01",
    }
    mine = _as(app_settings, bank, "manager_a")
    assert client.post(f"{API}/attendances", json=body, headers=mine).status_code == 403
    elsewhere = client.post(
        f"{API}/attendances", json=body, headers=_as(app_settings, bank, "branch_manager")
    )
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (422, "staff_id")
    course = {"code": "AML-301", "name": "反洗钱培训", "hours": 4, "pass_mark": 60}
    assert client.post(f"{API}/courses", json=course, headers=mine).status_code == 403
    assert client.post(f"{API}/courses", json=course, headers=admin).status_code == 201
    assert client.post(f"{API}/courses", json=course, headers=admin).status_code == 409
    unknown = client.post(
        f"{API}/courses",
        json={**course, "code": "X-1", "qualification": "astronaut", "validity_months": 12},
        headers=admin,
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "qualification")
    codes = [row["code"] for row in client.get(f"{API}/courses", headers=mine).json()]
    assert codes == ["AML-301", "SRV-110", "WS-101"]


def test_certificates_expiring_soon_are_listed_and_one_can_be_revoked_once(
    bank: TrainingBranch, client: TestClient, app_settings: str, db: Session
) -> None:
    a, b = bank.ids["manager_a"], bank.ids["manager_b"]
    rows = {
        "soon": StaffCertificate(
            staff_id=a,
            branch_id=None,
            qualification="wealth_sales",
            issued_on=TODAY - timedelta(days=700),
            expires_on=TODAY + timedelta(days=10),
        ),
        "later": StaffCertificate(
            staff_id=b,
            branch_id=None,
            qualification="wealth_sales",
            issued_on=TODAY - timedelta(days=300),
            expires_on=TODAY + timedelta(days=40),
        ),
        "lapsed": StaffCertificate(
            staff_id=b,
            branch_id=None,
            qualification="fund_sales",
            issued_on=TODAY - timedelta(days=800),
            expires_on=TODAY - timedelta(days=1),
        ),
        "revoked": StaffCertificate(
            staff_id=a,
            branch_id=None,
            qualification="fund_sales",
            issued_on=TODAY - timedelta(days=100),
            expires_on=TODAY + timedelta(days=5),
            revoked_at=datetime(2026, 6, 1, tzinfo=UTC),
        ),
    }
    for row in rows.values():
        row.branch_id = _branch_of(db, row.staff_id)
        db.add(row)
    db.commit()
    checker = _as(app_settings, bank, "branch_manager")
    listed = client.get(f"{API}/certificates", headers=checker).json()
    assert [row["id"] for row in listed] == [
        rows[name].id for name in ("lapsed", "revoked", "soon", "later")
    ]
    assert [row["state"] for row in listed] == ["expired", "revoked", "expiring", "valid"]
    soon = client.get(
        f"{API}/certificates", params={"expiring_within_days": 30}, headers=checker
    ).json()
    assert [(row["id"], row["days_left"]) for row in soon] == [(rows["soon"].id, 10)]

    url = f"{API}/certificates/{rows['soon'].id}/revoke"
    reason = {"reason": "资格核查未通过"}
    assert (
        client.post(url, json=reason, headers=_as(app_settings, bank, "manager_a")).status_code
        == 403
    )
    stranger = client.post(
        url, json=reason, headers=_as(app_settings, bank, "other_branch_manager")
    )
    assert stranger.status_code == 404
    revoked = client.post(url, json=reason, headers=checker)
    assert (revoked.status_code, revoked.json()["state"]) == (200, "revoked")
    assert client.post(url, json=reason, headers=checker).status_code == 409


def _branch_of(session: Session, staff_id: int) -> int | None:
    user = session.get(StaffUser, staff_id)
    return None if user is None else user.branch_id


def test_the_training_page_puts_the_branch_certificates_expiring_soon_first(
    bank: TrainingBranch, client: TestClient, app_settings: str
) -> None:
    admin = _as(app_settings, bank, "admin")
    # passed on 2024-07-05: the certificate's last day is 2026-07-04, 19 days from today
    passed = {
        "course_id": bank.course,
        "staff_id": bank.ids["manager_b"],
        "attended_on": "2024-07-05",
        "assessment_score": 90,
    }
    assert client.post(f"{API}/attendances", json=passed, headers=admin).status_code == 201
    log_in(client, bank.usernames["branch_manager"])
    client.get("/lang/en?next=/")
    page = client.get("/training")
    assert page.status_code == 200
    assert 'data-testid="expiring-soon"' in page.text
    assert "Expires in 19 days" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "course_id": str(bank.course),
        "staff_id": str(bank.ids["manager_a"]),
        "attended_on": "2026-06-10",
        "assessment_score": "70",
    }
    recorded = client.post("/training/attendances", data=form, follow_redirects=False)
    assert recorded.status_code == 303
    again = client.post("/training/attendances", data=form, follow_redirects=False)
    assert again.status_code == 409
    assert 'data-testid="problem"' in again.text
    assert client.get("/training/courses").status_code == 200


def test_the_demo_plants_a_year_of_training_with_failures_and_lapsing_certificates(
    db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    move_to_bank_day(time_machine, TODAY)
    branch = factories.branch(db)
    managers = [
        factories.staff(db, role=Role.ACCOUNT_MANAGER, branch_id=branch.id) for _ in range(8)
    ]
    everyone = {
        *(user.id for user in managers),
        factories.staff(db, role=Role.BRANCH_MANAGER, branch_id=branch.id).id,
        factories.staff(db, role=Role.ADMIN).id,
    }
    written = plant_training(db, today=TODAY, seed=7)
    attendances = db.scalars(select(TrainingAttendance)).all()
    certificates = db.scalars(select(StaffCertificate)).all()
    courses = db.scalar(select(func.count(TrainingCourse.id)))
    assert written == len(attendances) + len(certificates) + courses
    year_ago = TODAY - timedelta(days=365)
    recent = [row for row in attendances if row.attended_on >= year_ago]
    assert {row.staff_id for row in recent} == everyone
    assert any(row.passed is False for row in attendances)
    wealth = [row for row in certificates if row.qualification == "wealth_sales"]
    by_expiry = {(row.expires_on - TODAY).days for row in wealth if row.expires_on}
    assert EXPIRING_IN_DAYS in by_expiry
    assert -EXPIRED_DAYS_AGO in by_expiry
    holders = {row.staff_id for row in wealth if row.expires_on and row.expires_on >= TODAY}
    assert len(holders & {user.id for user in managers}) >= len(managers) // 2
