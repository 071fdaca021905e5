"""Queries the demo flow needs: whom to give a login, whose privacy requests to show, whom a
past survey wave reached."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import Role
from bankcrm.customers.models import Customer
from bankcrm.quality.models import SurveyResponse
from bankcrm.scope import SystemRepository
from bankcrm.staff.models import StaffUser


def first_staff_in_role(
    session: Session, *, role: Role, branch_id: int | None = None
) -> StaffUser | None:
    """The first member of staff in ``role`` by user name, one of ``branch_id`` if there is."""
    statement = (
        select(StaffUser)
        .where(StaffUser.role == role)
        .order_by(case((StaffUser.branch_id == branch_id, 0), else_=1), StaffUser.username)
    )
    return session.scalars(statement.limit(1)).first()


def staff_in_roles(
    session: Session, roles: tuple[Role, ...], *, by_id: bool = False
) -> list[StaffUser]:
    """Active staff of the given roles, by username (or by id)."""
    statement = (
        select(StaffUser)
        .where(StaffUser.role.in_(roles), StaffUser.is_active.is_(True))
        .order_by(StaffUser.id if by_id else StaffUser.username)
    )
    return list(session.scalars(statement))


class DemoSystemRepository(SystemRepository):
    """The demo builds a bank's story for the whole bank: it picks customers and cases."""

    def staff_with_largest_books(self, *, limit: int) -> list[StaffUser]:
        """Account managers ordered by the number of customers they manage, largest first."""
        book_size = func.count(Customer.id)
        statement = (
            self.customers(StaffUser)
            .join(StaffUser, Customer.manager_id == StaffUser.id)
            .where(StaffUser.role == Role.ACCOUNT_MANAGER)
            .group_by(StaffUser.id)
            .order_by(book_size.desc(), StaffUser.username)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def book_customers(self, *, manager_id: int, limit: int) -> list[Customer]:
        statement = (
            self.customers()
            .where(Customer.manager_id == manager_id)
            .order_by(Customer.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def branch_customers(self, *, branch_id: int, limit: int) -> list[Customer]:
        statement = (
            self.customers()
            .where(Customer.branch_id == branch_id)
            .order_by(Customer.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def complaints_with_issue(self, issue: str, *, limit: int) -> list[Complaint]:
        """The first cases with ``issue`` (by id), preferring those filed at a branch."""
        statement = (
            self.owned(Complaint)
            .where(Complaint.issue == issue)
            .order_by(Complaint.branch_id.is_(None), Complaint.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def answered_days(self, wave_code: str) -> tuple[date | None, date | None]:
        """The first and last day a wave code was answered on."""
        statement = self.owned(
            SurveyResponse,
            func.min(SurveyResponse.answered_on),
            func.max(SurveyResponse.answered_on),
        ).where(SurveyResponse.wave == wave_code)
        first, last = self.session.execute(statement).one()
        return first, last

    def wave_respondents(self, wave_code: str) -> list[tuple[int, int, int | None, date]]:
        """Response id, customer id, branch id and day of each answer of a wave code given
        by a known customer, oldest first."""
        statement = (
            self.owned(
                SurveyResponse,
                SurveyResponse.id,
                SurveyResponse.customer_id,
                SurveyResponse.branch_id,
                SurveyResponse.answered_on,
            )
            .where(SurveyResponse.wave == wave_code, SurveyResponse.customer_id.is_not(None))
            .order_by(SurveyResponse.answered_on, SurveyResponse.id)
        )
        return [
            (int(response_id), int(customer_id), branch_id, answered_on)
            for response_id, customer_id, branch_id, answered_on in self.session.execute(statement)
        ]
