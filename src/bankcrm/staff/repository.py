from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core.enums import Role
from bankcrm.staff.models import LoginBackoff, StaffSession, StaffUser


def get_by_username(session: Session, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def get_by_id(session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def username(session: Session, user_id: int | None) -> str | None:
    """The login name of the user with ``user_id``; ``None`` for no one or an unknown id."""
    user = get_by_id(session, user_id) if user_id is not None else None
    return user.username if user is not None else None


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


def login_backoff(session: Session, *, username: str, address: str) -> LoginBackoff | None:
    statement = select(LoginBackoff).where(
        LoginBackoff.username == username, LoginBackoff.address == address
    )
    return session.scalars(statement).first()


def clear_login_backoffs(session: Session, *, username: str) -> int:
    result = session.execute(delete(LoginBackoff).where(LoginBackoff.username == username))
    return int(getattr(result, "rowcount", 0) or 0)


def live_session_user(session: Session, *, key_digest: str) -> StaffUser | None:
    statement = (
        select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(
            StaffSession.key_digest == key_digest,
            StaffSession.ended_at.is_(None),
            StaffUser.is_active.is_(True),
        )
    )
    return session.scalars(statement).first()


def end_session(session: Session, *, key_digest: str, at: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.key_digest == key_digest, StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )


def end_user_sessions(session: Session, *, user_id: int, at: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )
