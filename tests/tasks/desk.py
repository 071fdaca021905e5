"""A branch desk with tasks: two account managers and their branch manager at one branch,
a third account manager at another, and tasks of each book due at different days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.enums import Role, TaskPriority, TaskStatus
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests import factories


@dataclass
class Desk:
    manager_a: StaffUser
    manager_b: StaffUser
    manager_c: StaffUser
    """At the other branch."""
    branch_manager: StaffUser
    admin: StaffUser
    customer_a: int
    customer_a_number: str
    overdue: int
    due_today: int
    later: int
    undated: int
    done: int
    of_b: int
    of_c: int
    formula: int
    """Of book A, due in two weeks, titled as a spreadsheet formula."""


def _task(
    session: Session,
    *,
    customer_id: int,
    assignee: StaffUser,
    title: str,
    due_on: date | None,
    status: TaskStatus = TaskStatus.OPEN,
    kind: str = "retention",
    priority: TaskPriority = TaskPriority.NORMAL,
) -> int:
    task = Task(
        customer_id=customer_id,
        assignee_id=assignee.id,
        kind=kind,
        source="churn",
        title=title,
        status=status,
        priority=priority,
        due_on=due_on,
    )
    session.add(task)
    session.flush()
    return task.id


def build_desk(session: Session) -> Desk:
    today = clock.bank_today()
    main = factories.branch(session)
    other = factories.branch(session, name="杭州分行")
    manager_a = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    manager_b = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    manager_c = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=other.id)
    branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
    admin = factories.staff(session, role=Role.ADMIN)
    customer_a = factories.customer(
        session, branch_id=main.id, manager_id=manager_a.id, name="王芳"
    )
    customer_b = factories.customer(
        session, branch_id=main.id, manager_id=manager_b.id, name="李雷"
    )
    customer_c = factories.customer(
        session, branch_id=other.id, manager_id=manager_c.id, name="越界客户"
    )
    desk = Desk(
        manager_a=manager_a,
        manager_b=manager_b,
        manager_c=manager_c,
        branch_manager=branch_manager,
        admin=admin,
        customer_a=customer_a.id,
        customer_a_number=customer_a.external_id,
        later=_task(
            session,
            customer_id=customer_a.id,
            assignee=manager_a,
            title="回访理财到期",
            due_on=today + timedelta(days=5),
        ),
        undated=_task(
            session, customer_id=customer_a.id, assignee=manager_a, title="整理资料", due_on=None
        ),
        due_today=_task(
            session,
            customer_id=customer_a.id,
            assignee=manager_a,
            title="电话挽留",
            due_on=today,
            priority=TaskPriority.HIGH,
        ),
        overdue=_task(
            session,
            customer_id=customer_a.id,
            assignee=manager_a,
            title="逾期回访",
            due_on=today - timedelta(days=3),
            kind="reassessment",
        ),
        done=_task(
            session,
            customer_id=customer_a.id,
            assignee=manager_a,
            title="已办结",
            due_on=today - timedelta(days=10),
            status=TaskStatus.DONE,
        ),
        of_b=_task(
            session,
            customer_id=customer_b.id,
            assignee=manager_b,
            title="乙的任务",
            due_on=today - timedelta(days=1),
        ),
        of_c=_task(
            session,
            customer_id=customer_c.id,
            assignee=manager_c,
            title="丙的任务",
            due_on=today - timedelta(days=20),
        ),
        formula=_task(
            session,
            customer_id=customer_a.id,
            assignee=manager_a,
            title='=HYPERLINK("http://evil.example","点击")',
            due_on=today + timedelta(days=14),
        ),
    )
    session.flush()
    return desk
