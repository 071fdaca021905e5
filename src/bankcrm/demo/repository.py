"""Queries the demo flow needs: whom to give a login, whose privacy requests to show."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.enums import Role
from bankcrm.customers.models import Customer
from bankcrm.staff.models import StaffUser


def staff_with_largest_books(session: Session, *, limit: int) -> list[StaffUser]:
    """Account managers ordered by the number of customers they manage, largest first."""
    book_size = func.count(Customer.id)
    statement = (
        select(StaffUser)
        .join(Customer, Customer.manager_id == StaffUser.id)
        .where(StaffUser.role == Role.ACCOUNT_MANAGER)
        .group_by(StaffUser.id)
        .order_by(book_size.desc(), StaffUser.username)
        .limit(limit)
    )
    return list(session.scalars(statement))


def first_staff_in_role(session: Session, *, role: Role) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.role == role).order_by(StaffUser.username)
    return session.scalars(statement.limit(1)).first()


def book_customers(session: Session, *, manager_id: int, limit: int) -> list[Customer]:
    statement = (
        select(Customer).where(Customer.manager_id == manager_id).order_by(Customer.id).limit(limit)
    )
    return list(session.scalars(statement))


def branch_customers(session: Session, *, branch_id: int, limit: int) -> list[Customer]:
    statement = (
        select(Customer).where(Customer.branch_id == branch_id).order_by(Customer.id).limit(limit)
    )
    return list(session.scalars(statement))
