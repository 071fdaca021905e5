from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core.enums import Role
from bankcrm.staff.models import StaffUser


def get_by_username(session: Session, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def get_by_id(session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def branch_id_for_external_id(session: Session, external_id: str) -> int | None:
    return session.scalars(select(Branch.id).where(Branch.external_id == external_id)).first()


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)))


def list_account_managers(session: Session, *, branch_id: int | None) -> list[StaffUser]:
    statement = select(StaffUser).where(StaffUser.role == Role.ACCOUNT_MANAGER)
    if branch_id is not None:
        statement = statement.where(StaffUser.branch_id == branch_id)
    return list(session.scalars(statement.order_by(StaffUser.full_name)))


def branch_manager(session: Session, branch_id: int) -> StaffUser | None:
    """The branch's active branch manager (the oldest account when there are two)."""
    statement = (
        select(StaffUser)
        .where(
            StaffUser.branch_id == branch_id,
            StaffUser.role == Role.BRANCH_MANAGER,
            StaffUser.is_active.is_(True),
        )
        .order_by(StaffUser.id)
        .limit(1)
    )
    return session.scalars(statement).first()
