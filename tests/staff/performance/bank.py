"""A hand-built bank for the KPI tests: one branch with two account managers and a branch
manager, another branch with one manager, and February 2026's records of their books, every
figure of which the tests work out by hand. The clock stands at 10 March 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account
from bankcrm.campaigns.prospects.models import Prospect, ProspectFollowUp
from bankcrm.complaints.models import Complaint
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    ComplaintChannel,
    ComplaintStatus,
    CustomerType,
    Direction,
    FollowUpChannel,
    ProductCategory,
    ProspectSource,
    ProspectStage,
    Role,
    Severity,
    SurveyKind,
    TaskStatus,
)
from bankcrm.customers.models import Customer
from bankcrm.quality.models import SurveyResponse
from bankcrm.staff.performance.indicators import KpiRules, parse_rules
from bankcrm.staff.training.models import TrainingAttendance, TrainingCourse
from bankcrm.tasks.models import Task
from tests import factories
from tests.timing import bank_moment

TODAY = date(2026, 3, 10)
MONTH = date(2026, 2, 1)

RULES_TOML = """
[margins]
deposit = 0.015
loan = 0.025
wealth = 0.008

[roles.account_manager.indicators]
volume = { weight = 0.4, target = 2_000_000, cap = 1.2 }
retention = { weight = 0.2, target = 0.8, cap = 1.0 }
complaints = { weight = 0.2, target = 2, cap = 1.5 }
training_hours = { weight = 0.2, target = 3, cap = 1.5 }

[roles.branch_manager.indicators]
training_hours = { weight = 1.0, target = 2, cap = 1.5 }
"""


def rules() -> KpiRules:
    return parse_rules(RULES_TOML, origin="test rules")


@dataclass
class KpiBank:
    branch_id: int
    other_branch_id: int
    manager_a: int
    manager_b: int
    branch_manager: int
    manager_c: int
    usernames: dict[int, str]
    names: dict[int, str]


def _at(day: date, hour: int = 10) -> datetime:
    return bank_moment(day, hour=hour)


def build(database_url: str) -> KpiBank:
    engine = make_engine(database_url)
    with Session(engine) as session:
        bank = _plant(session)
        session.commit()
    engine.dispose()
    return bank


def _plant(session: Session) -> KpiBank:
    main = factories.branch(session)
    other = factories.branch(session, name="杭州分行")
    a = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    b = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    boss = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
    c = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=other.id)
    deposit = factories.product(session)
    loan = factories.product(session, category=ProductCategory.LOAN)
    wealth = factories.product(session, category=ProductCategory.WEALTH)

    def customer(manager: int, branch: int, onboarded: date | None) -> Customer:
        row = factories.customer(session, branch_id=branch, manager_id=manager)
        row.onboarded_on = onboarded
        return row

    def account(
        owner: Customer, product: int, balance_yuan: int, opened: date, closed: date | None = None
    ) -> Account:
        row = factories.account(
            session, customer=owner, product_id=product, balance_cents=balance_yuan * 100
        )
        row.opened_on = opened
        row.closed_on = closed
        return row

    def moved(row: Account, yuan: int, day: date, direction: Direction = Direction.CREDIT) -> None:
        factories.transaction(
            session, account=row, amount_cents=yuan * 100, booked_at=_at(day), direction=direction
        )

    # Manager A's book.
    c1 = customer(a.id, main.id, date(2024, 1, 15))
    c1_deposit = account(c1, deposit.id, 1_200_000, date(2024, 2, 1))
    moved(c1_deposit, 50_000, date(2026, 1, 20))
    moved(c1_deposit, 100_000, date(2026, 2, 10))
    moved(c1_deposit, 200_000, date(2026, 3, 5))
    factories.holding(session, customer=c1, product_id=wealth.id, amount_cents=500_000_00)

    c2 = customer(a.id, main.id, date(2024, 1, 15))
    c2_loan = account(c2, loan.id, -300_000, date(2024, 2, 1))
    moved(c2_loan, 10_000, date(2026, 1, 25), Direction.DEBIT)

    c3 = customer(a.id, main.id, date(2024, 1, 15))
    c3_deposit = account(c3, deposit.id, 0, date(2024, 2, 1), closed=date(2026, 2, 15))
    moved(c3_deposit, 20_000, date(2026, 1, 5), Direction.DEBIT)

    c4 = customer(a.id, main.id, date(2026, 2, 3))
    moved(account(c4, deposit.id, 50_000, date(2026, 2, 3)), 50_000, date(2026, 2, 3))

    c5 = customer(a.id, main.id, None)
    moved(account(c5, deposit.id, 10_000, date(2026, 2, 20)), 10_000, date(2026, 2, 20))

    # Manager B's book: one customer, silent until February.
    b1 = customer(b.id, main.id, date(2024, 1, 15))
    moved(account(b1, deposit.id, 3_000_000, date(2024, 2, 1)), 1_000_000, date(2026, 2, 1))

    # Manager C, in the other branch.
    c_1 = customer(c.id, other.id, date(2024, 1, 15))
    moved(account(c_1, deposit.id, 800_000, date(2024, 2, 1)), 1_000, date(2026, 2, 2))

    # Survey answers.
    def answer(owner: Customer, kind: SurveyKind, day: date, **fields: object) -> None:
        session.add(
            SurveyResponse(
                external_id=f"SR{owner.id}-{kind.value}-{day.isoformat()}",
                kind=kind,
                customer_id=owner.id,
                branch_id=owner.branch_id,
                answered_on=day,
                **fields,
            )
        )

    answer(c1, SurveyKind.CSAT, date(2026, 2, 11), score=5)
    answer(c2, SurveyKind.CSAT, date(2026, 2, 12), score=3)
    answer(c4, SurveyKind.CSAT, date(2026, 2, 13), score=4)
    answer(c1, SurveyKind.CSAT, date(2026, 1, 13), score=1)
    answer(c1, SurveyKind.SERVQUAL, date(2026, 2, 14), answers={"E1": 7, "P1": 5, "P2": 6})
    answer(c2, SurveyKind.SERVQUAL, date(2026, 2, 15), answers={"P1": 4, "P2": 4, "P3": None})
    answer(b1, SurveyKind.CSAT, date(2026, 2, 16), score=2)

    # Complaints.
    def complaint(
        owner: Customer,
        received: date,
        deadline: date,
        *,
        replied: date | None = None,
        cause: str | None = None,
        status: ComplaintStatus = ComplaintStatus.REPLIED,
    ) -> None:
        session.add(
            Complaint(
                external_id=f"K{owner.id}-{received.isoformat()}-{status.value}",
                customer_id=owner.id,
                branch_id=owner.branch_id,
                channel=ComplaintChannel.COUNTER,
                issue="fees",
                severity=Severity.MEDIUM,
                text="投诉",
                status=status,
                received_at=_at(received),
                deadline_at=_at(deadline, hour=18),
                first_replied_at=_at(replied) if replied else None,
                root_cause=cause,
            )
        )

    complaint(c1, date(2026, 2, 5), date(2026, 2, 20), replied=date(2026, 2, 18), cause="process")
    complaint(
        c2, date(2026, 2, 10), date(2026, 2, 25), replied=date(2026, 2, 27), cause="unfounded"
    )
    complaint(c3, date(2026, 2, 26), date(2026, 3, 20), status=ComplaintStatus.INVESTIGATING)
    complaint(c1, date(2026, 2, 7), date(2026, 2, 22), status=ComplaintStatus.WITHDRAWN)
    complaint(c1, date(2026, 1, 30), date(2026, 2, 14), replied=date(2026, 2, 1))

    # Tasks and a prospect follow-up.
    def task(owner: Customer, due: date, status: TaskStatus, done: date | None = None) -> None:
        session.add(
            Task(
                customer_id=owner.id,
                assignee_id=a.id,
                kind="call",
                title="回访",
                status=status,
                due_on=due,
                completed_at=_at(done) if done else None,
            )
        )

    task(c1, date(2026, 2, 10), TaskStatus.DONE, date(2026, 2, 9))
    task(c2, date(2026, 2, 12), TaskStatus.DONE, date(2026, 2, 14))
    task(c1, date(2026, 2, 20), TaskStatus.OPEN)
    task(c1, date(2026, 2, 15), TaskStatus.CANCELLED)
    task(c1, date(2026, 3, 15), TaskStatus.OPEN)
    prospect = Prospect(
        name="辛公司",
        kind=CustomerType.CORPORATE,
        source=ProspectSource.REFERRAL,
        owner_id=a.id,
        branch_id=main.id,
        stage=ProspectStage.NEEDS,
        reached_stage=ProspectStage.NEEDS,
    )
    session.add(prospect)
    session.flush()
    session.add(
        ProspectFollowUp(
            prospect_id=prospect.id,
            planned_on=date(2026, 2, 18),
            channel=FollowUpChannel.VISIT,
            purpose="拜访财务总监",
            done_at=_at(date(2026, 2, 18), hour=15),
        )
    )

    # Training.
    course = TrainingCourse(code="WM-101", name="理财销售合规", hours=4)
    session.add(course)
    session.flush()
    for staff_id, day, hours in (
        (a.id, date(2026, 2, 12), 3.5),
        (a.id, date(2026, 2, 25), 1.0),
        (a.id, date(2026, 1, 10), 2.0),
    ):
        session.add(
            TrainingAttendance(
                course_id=course.id,
                staff_id=staff_id,
                branch_id=main.id,
                attended_on=day,
                hours=hours,
                recorded_by_id=boss.id,
            )
        )
    session.flush()
    people = (a, b, boss, c)
    return KpiBank(
        branch_id=main.id,
        other_branch_id=other.id,
        manager_a=a.id,
        manager_b=b.id,
        branch_manager=boss.id,
        manager_c=c.id,
        usernames={person.id: person.username for person in people},
        names={person.id: person.full_name for person in people},
    )
