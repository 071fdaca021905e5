"""The demo's training records: a course catalogue, a year of attendance for every member of
staff with assessment scores (some below the pass mark, retaken later), and the
wealth-sales certificates most account managers hold, one of them expiring within the month
and one already expired, so the training page opens on a warning and the sales desk refuses
an R3 sale by the manager whose certificate lapsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from bankcrm.core.enums import Role
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training import qualifications
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance, TrainingCourse

YEAR_DAYS = 365
QUALIFIED_SHARE = 0.85
"""Of the account managers, the share holding a wealth-sales certificate."""
EXPIRING_IN_DAYS = 12
"""The one certificate expiring soon does so this many days from today."""
EXPIRED_DAYS_AGO = 20


@dataclass(frozen=True)
class DemoCourse:
    code: str
    name: str
    hours: float
    pass_mark: float | None
    qualification: str | None
    validity_months: int | None
    mean_score: float
    """Scores are drawn around this mean (a spread of eight points), capped at 100."""
    for_sellers_only: bool = False


CATALOGUE = (
    DemoCourse("WS-101", "理财产品销售资格培训", 16.0, 80.0, "wealth_sales", 24, 86.0, True),
    DemoCourse("FUND-201", "基金销售从业培训", 12.0, 70.0, "fund_sales", 36, 78.0, True),
    DemoCourse("AML-301", "反洗钱与合规年度培训", 4.0, 60.0, "anti_money_laundering", 12, 82.0),
    DemoCourse("SRV-110", "网点服务礼仪与流程", 3.0, None, None, None, 0.0),
    DemoCourse("PRD-120", "新产品知识培训", 2.0, 60.0, None, None, 75.0),
    DemoCourse("CMP-130", "客户投诉处理技巧", 3.0, None, None, None, 0.0),
)
YEARLY = ("AML-301", "SRV-110", "CMP-130")
"""Courses everyone attends once a year."""
QUARTERLY = "PRD-120"


def plant_training(session: Session, *, today: date, seed: int) -> int:
    """Plant the catalogue, the attendance and the certificates; the rows written."""
    rng = np.random.default_rng(seed)
    courses = {}
    for spec in CATALOGUE:
        course = TrainingCourse(
            code=spec.code,
            name=spec.name,
            hours=spec.hours,
            pass_mark=spec.pass_mark,
            qualification=spec.qualification,
            validity_months=spec.validity_months,
            is_active=True,
        )
        session.add(course)
        courses[spec.code] = course
    session.flush()
    staff = [user for user in staff_repository.list_users(session) if user.is_active]
    recorders = _recorders(staff)
    planter = _Planter(session, rng, today, courses, recorders)
    for person in staff:
        for code in YEARLY:
            planter.attend(person, code, planter.day_in_year())
        for quarter in range(4):
            planter.attend(person, QUARTERLY, today - timedelta(days=int(quarter * 91 + 10)))
    managers = [person for person in staff if person.role is Role.ACCOUNT_MANAGER]
    lapsing = managers[:2]
    for index, manager in enumerate(managers):
        if manager in lapsing:
            # passed two years ago: one certificate expires this month, the other has expired
            last_day = (
                today + timedelta(days=EXPIRING_IN_DAYS)
                if index == 0
                else today - timedelta(days=EXPIRED_DAYS_AGO)
            )
            attended = last_day + timedelta(days=1) - relativedelta(months=24)
            planter.attend(manager, "WS-101", attended, score=88.0)
        elif rng.random() < QUALIFIED_SHARE:
            first = planter.day_in_year()
            # a fifth fail the first sitting and pass a retake a month later
            if rng.random() < 0.2 and first + timedelta(days=30) <= today:
                planter.attend(manager, "WS-101", first, score=float(rng.integers(60, 79)))
                first += timedelta(days=30)
            planter.attend(manager, "WS-101", first, score=float(rng.integers(80, 99)))
        else:
            planter.attend(
                manager, "WS-101", planter.day_in_year(), score=float(rng.integers(55, 79))
            )
        if rng.random() < 0.5:
            planter.attend(manager, "FUND-201", planter.day_in_year())
    session.flush()
    return planter.written + len(courses)


def _recorders(staff: list[StaffUser]) -> dict[int | None, int]:
    """Who records a branch's attendance: its branch manager, an admin for the rest."""
    admin = next((user.id for user in staff if user.role is Role.ADMIN), staff[0].id)
    recorders: dict[int | None, int] = {None: admin}
    for user in staff:
        if user.role is Role.BRANCH_MANAGER and user.branch_id not in recorders:
            recorders[user.branch_id] = user.id
    return recorders


class _Planter:
    def __init__(
        self,
        session: Session,
        rng: np.random.Generator,
        today: date,
        courses: dict[str, TrainingCourse],
        recorders: dict[int | None, int],
    ) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.courses = courses
        self.recorders = recorders
        self.specs = {spec.code: spec for spec in CATALOGUE}
        self.taken: set[tuple[str, int, date]] = set()
        self.written = 0

    def day_in_year(self) -> date:
        return self.today - timedelta(days=int(self.rng.integers(1, YEAR_DAYS)))

    def attend(
        self, person: StaffUser, code: str, day: date, *, score: float | None = None
    ) -> None:
        """One attendance, and the certificate when it passes a qualifying course; a second
        sitting of the same course on the same day is skipped."""
        if (code, person.id, day) in self.taken:
            return
        self.taken.add((code, person.id, day))
        spec = self.specs[code]
        course = self.courses[code]
        if spec.pass_mark is not None and score is None:
            score = float(min(100, round(self.rng.normal(spec.mean_score, 8.0))))
        passed = qualifications.assessment_passed(score, spec.pass_mark)
        attendance = TrainingAttendance(
            course_id=course.id,
            staff_id=person.id,
            branch_id=person.branch_id,
            attended_on=day,
            hours=spec.hours,
            assessment_score=score,
            passed=passed,
            recorded_by_id=self.recorders.get(person.branch_id, self.recorders[None]),
        )
        self.session.add(attendance)
        self.written += 1
        if passed and spec.qualification is not None:
            self.session.flush()
            self.session.add(
                StaffCertificate(
                    staff_id=person.id,
                    branch_id=person.branch_id,
                    qualification=spec.qualification,
                    attendance_id=attendance.id,
                    issued_on=day,
                    expires_on=qualifications.expiry_day(day, spec.validity_months),
                )
            )
            self.written += 1
