"""All SQL of the KPIs. The monthly computation reads the whole bank's records through
:class:`KpiSystemRepository`; the pages and the API read the stored months through
:class:`KpiRepository`, which keeps a person's rows to them and their branch
(``scope.OWNERSHIP``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account, Holding, Transaction
from bankcrm.branches.models import Branch
from bankcrm.campaigns.prospects.models import Prospect, ProspectFollowUp
from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import (
    ComplaintStatus,
    Direction,
    PoolStatus,
    ProductCategory,
    Role,
    TaskStatus,
)
from bankcrm.customers.models import Customer
from bankcrm.products.models import Product
from bankcrm.quality.models import SurveyResponse
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.incentives.models import IncentivePool
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance.models import KpiMonth
from bankcrm.staff.training.models import TrainingAttendance
from bankcrm.tasks.models import Task

FOLLOW_UP_TASK_KIND = "prospect_follow_up"
"""A prospect follow-up's reminder task: the follow-up itself is counted, not its task."""


@dataclass(frozen=True)
class BookCustomer:
    customer_id: int
    manager_id: int
    onboarded_on: date | None


@dataclass(frozen=True)
class AccountPosition:
    customer_id: int
    category: ProductCategory
    opened_on: date
    closed_on: date | None
    balance_cents: int
    """The balance now."""
    moved_since_cents: int
    """The signed sum of what was booked after the day asked about (credits positive)."""


@dataclass(frozen=True)
class HoldingPosition:
    customer_id: int
    category: ProductCategory
    amount_cents: int


@dataclass(frozen=True)
class ComplaintFact:
    customer_id: int
    root_cause: str | None
    deadline_at: datetime
    first_replied_at: datetime | None


@dataclass(frozen=True)
class DueItem:
    """A task or a prospect follow-up falling due: whose, by when, and when it was done."""

    staff_id: int
    due_on: date
    done_at: datetime | None


class KpiSystemRepository(SystemRepository):
    """What the monthly KPI computation reads of the whole bank, and the rows it writes."""

    def scored_staff(self, *, roles: Collection[Role]) -> list[StaffUser]:
        statement = (
            select(StaffUser)
            .where(StaffUser.is_active, StaffUser.role.in_(list(roles)))
            .order_by(StaffUser.id)
        )
        return list(self.session.scalars(statement))

    def book(self) -> list[BookCustomer]:
        """Every customer with an account manager, whose book they are in."""
        statement = self.customers(Customer.id, Customer.manager_id, Customer.onboarded_on).where(
            Customer.manager_id.is_not(None)
        )
        return [
            BookCustomer(customer_id=int(row), manager_id=int(manager), onboarded_on=onboarded)
            for row, manager, onboarded in self.session.execute(statement)
        ]

    def accounts(self, *, moved_after: datetime) -> list[AccountPosition]:
        """Every account of a customer with a manager, with what was booked after
        ``moved_after`` (to take the balance back to that moment)."""
        signed = case(
            (Transaction.direction == Direction.CREDIT, Transaction.amount_cents),
            else_=-Transaction.amount_cents,
        )
        moved = (
            self.owned(Transaction, Transaction.account_id, func.sum(signed).label("moved"))
            .where(Transaction.booked_at >= moved_after)
            .group_by(Transaction.account_id)
            .subquery()
        )
        statement = (
            self.owned(
                Account,
                Account.customer_id,
                Product.category,
                Account.opened_on,
                Account.closed_on,
                Account.balance_cents,
                func.coalesce(moved.c.moved, 0),
            )
            .join(Product, Product.id == Account.product_id)
            .outerjoin(moved, moved.c.account_id == Account.id)
            .where(Customer.manager_id.is_not(None))
        )
        return [
            AccountPosition(
                customer_id=int(customer),
                category=category,
                opened_on=opened,
                closed_on=closed,
                balance_cents=int(balance),
                moved_since_cents=int(since),
            )
            for customer, category, opened, closed, balance, since in self.session.execute(
                statement
            )
        ]

    def holdings(self, *, on: date) -> list[HoldingPosition]:
        """The wealth, fund and insurance positions held at the end of day ``on``."""
        statement = (
            self.owned(Holding, Holding.customer_id, Product.category, Holding.amount_cents)
            .join(Product, Product.id == Holding.product_id)
            .where(
                Customer.manager_id.is_not(None),
                Holding.started_on <= on,
                (Holding.ended_on.is_(None)) | (Holding.ended_on > on),
            )
        )
        return [
            HoldingPosition(customer_id=int(customer), category=category, amount_cents=int(amount))
            for customer, category, amount in self.session.execute(statement)
        ]

    def last_own_transactions(self, *, before: datetime) -> dict[int, datetime]:
        """Each customer's last transaction they made themselves before ``before``."""
        statement = (
            self.owned(Transaction, Transaction.customer_id, func.max(Transaction.booked_at))
            .where(Transaction.customer_initiated, Transaction.booked_at < before)
            .group_by(Transaction.customer_id)
        )
        return {int(customer): last for customer, last in self.session.execute(statement)}

    def survey_answers(
        self, *, start: date, end: date
    ) -> list[tuple[int, str, int | None, dict[str, Any] | None]]:
        """(customer, kind, score, answers) of the answers given from ``start`` to before
        ``end`` by customers with a manager."""
        statement = self.owned(
            SurveyResponse,
            SurveyResponse.customer_id,
            SurveyResponse.kind,
            SurveyResponse.score,
            SurveyResponse.answers,
        ).where(
            SurveyResponse.customer_id.is_not(None),
            Customer.manager_id.is_not(None),
            SurveyResponse.answered_on >= start,
            SurveyResponse.answered_on < end,
        )
        return [
            (int(customer), str(kind), score, answers)
            for customer, kind, score, answers in self.session.execute(statement)
        ]

    def complaints(
        self, *, received_from: datetime, received_before: datetime
    ) -> list[ComplaintFact]:
        """The cases received in the window from customers with a manager (withdrawn cases
        left out)."""
        statement = self.owned(
            Complaint,
            Complaint.customer_id,
            Complaint.root_cause,
            Complaint.deadline_at,
            Complaint.first_replied_at,
        ).where(
            Customer.manager_id.is_not(None),
            Complaint.status != ComplaintStatus.WITHDRAWN,
            Complaint.received_at >= received_from,
            Complaint.received_at < received_before,
        )
        return [
            ComplaintFact(
                customer_id=int(customer),
                root_cause=cause,
                deadline_at=deadline,
                first_replied_at=replied,
            )
            for customer, cause, deadline, replied in self.session.execute(statement)
        ]

    def tasks_due(self, *, start: date, end: date) -> list[DueItem]:
        """Tasks about a customer falling due from ``start`` to before ``end``, not
        cancelled; prospect follow-up reminders are left to :meth:`follow_ups_due`."""
        statement = self.owned(
            Task, Task.assignee_id, Task.due_on, Task.status, Task.completed_at
        ).where(
            Task.assignee_id.is_not(None),
            Task.due_on >= start,
            Task.due_on < end,
            Task.status != TaskStatus.CANCELLED,
            Task.kind != FOLLOW_UP_TASK_KIND,
        )
        return [
            DueItem(
                staff_id=int(assignee),
                due_on=due,
                done_at=completed if status is TaskStatus.DONE else None,
            )
            for assignee, due, status, completed in self.session.execute(statement)
        ]

    def follow_ups_due(self, *, start: date, end: date) -> list[DueItem]:
        """Prospect follow-ups planned from ``start`` to before ``end``, with their owner."""
        statement = self.owned(
            ProspectFollowUp,
            Prospect.owner_id,
            ProspectFollowUp.planned_on,
            ProspectFollowUp.done_at,
        ).where(ProspectFollowUp.planned_on >= start, ProspectFollowUp.planned_on < end)
        return [
            DueItem(staff_id=int(owner), due_on=planned, done_at=done)
            for owner, planned, done in self.session.execute(statement)
        ]

    def training_hours(self, *, start: date, end: date) -> dict[int, float]:
        """Hours of training each person attended from ``start`` to before ``end``."""
        statement = (
            self.owned(
                TrainingAttendance, TrainingAttendance.staff_id, func.sum(TrainingAttendance.hours)
            )
            .where(TrainingAttendance.attended_on >= start, TrainingAttendance.attended_on < end)
            .group_by(TrainingAttendance.staff_id)
        )
        return {int(staff): float(hours) for staff, hours in self.session.execute(statement)}

    def approved_branches(self, *, month: date) -> set[int]:
        """The branches whose incentive pool of the month is approved: their KPIs are frozen."""
        statement = select(IncentivePool.branch_id).where(
            IncentivePool.month == month, IncentivePool.status == PoolStatus.APPROVED
        )
        return {int(branch) for branch in self.session.scalars(statement)}

    def months(self, *, month: date) -> dict[int, KpiMonth]:
        """The month's stored rows, by member of staff."""
        statement = self.owned(KpiMonth).where(KpiMonth.month == month)
        return {row.staff_id: row for row in self.session.scalars(statement)}


class KpiRepository(ScopedRepository):
    """The stored KPI months the viewer may see: their own, and their branch's."""

    def months(self, *, month: date, branch_id: int | None = None) -> list[KpiMonth]:
        """The month's rows, best score first."""
        statement = self.owned(KpiMonth).where(KpiMonth.month == month)
        if branch_id is not None:
            statement = statement.where(KpiMonth.branch_id == branch_id)
        statement = statement.order_by(KpiMonth.role, KpiMonth.score.desc(), KpiMonth.staff_id)
        return list(self.session.scalars(statement))

    def of_staff(self, *, staff_id: int, since: date) -> list[KpiMonth]:
        """One person's rows from ``since`` on, oldest first."""
        statement = (
            self.owned(KpiMonth)
            .where(KpiMonth.staff_id == staff_id, KpiMonth.month >= since)
            .order_by(KpiMonth.month)
        )
        return list(self.session.scalars(statement))

    def latest_month(self) -> date | None:
        """The latest month the viewer sees a row of."""
        return self.session.scalar(self.owned(KpiMonth, func.max(KpiMonth.month)))


def staff_member(session: Session, staff_id: int) -> StaffUser | None:
    return session.get(StaffUser, staff_id)


def full_names(session: Session, staff_ids: Collection[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    statement = select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.in_(list(staff_ids)))
    return {int(staff): name for staff, name in session.execute(statement)}


def branch_name(session: Session, branch_id: int | None) -> str | None:
    if branch_id is None:
        return None
    row = session.get(Branch, branch_id)
    return row.name if row is not None else None
