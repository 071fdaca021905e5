"""Staff accounts: creation, passwords, login with lockout."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import utcnow
from bankcrm.core.enums import AuditAction, Role
from bankcrm.core.exceptions import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from bankcrm.core.security import hash_password, verify_password
from bankcrm.staff import repository
from bankcrm.staff.models import StaffUser

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
INVALID_LOGIN = "invalid username or password"


def authenticate(session: Session, *, username: str, password: str) -> StaffUser:
    """The active user with these credentials; failures count towards a temporary lockout."""
    user = repository.get_by_username(session, username)
    if user is None or not user.is_active or user.password_hash is None:
        _record_login(session, None, username, AuditAction.LOGIN_FAILED, "no such active user")
        raise AuthenticationFailed(INVALID_LOGIN)
    now = utcnow()
    locked_until = user.locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=now.tzinfo)
    if locked_until is not None and locked_until > now:
        _record_login(session, user.id, username, AuditAction.LOGIN_FAILED, "account locked")
        raise AuthenticationFailed(
            "the account is locked after repeated failed logins; try again later"
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.flush()
        _record_login(session, user.id, username, AuditAction.LOGIN_FAILED, "wrong password")
        raise AuthenticationFailed(INVALID_LOGIN)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    _record_login(session, user.id, username, AuditAction.LOGIN, None)
    return user


def _record_login(
    session: Session, user_id: int | None, username: str, action: AuditAction, reason: str | None
) -> None:
    audit_recorder.act_as(session, actor_id=user_id, label=username[:64])
    audit_recorder.record(
        session, action=action, entity="staff_users", entity_id=user_id, reason=reason
    )


def record_logout(session: Session, *, user_id: int) -> None:
    user = repository.get_by_id(session, user_id)
    if user is not None:
        audit_recorder.act_as(session, actor_id=user.id, label=user.username)
        audit_recorder.record(
            session, action=AuditAction.LOGOUT, entity="staff_users", entity_id=user.id
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    branch_id: int | None = None,
    external_id: str | None = None,
) -> StaffUser:
    if repository.get_by_username(session, username) is not None:
        raise Conflict(f"a user named {username!r} already exists")
    _check_password(password)
    user = StaffUser(
        external_id=external_id or f"user:{username}",
        username=username,
        full_name=full_name,
        role=role,
        branch_id=branch_id,
        password_hash=hash_password(password),
        is_active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, username: str, password: str) -> StaffUser:
    user = repository.get_by_username(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    _check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def get_user(session: Session, *, user_id: int) -> StaffUser:
    user = repository.get_by_id(session, user_id)
    if user is None or not user.is_active:
        raise NotFound("no such user")
    return user


def branch_id_for(session: Session, *, branch_external_id: str) -> int:
    branch_id = repository.branch_id_for_external_id(session, branch_external_id)
    if branch_id is None:
        raise NotFound(f"no branch with id {branch_external_id!r}")
    return branch_id


def list_users(session: Session) -> list[StaffUser]:
    return repository.list_users(session)


def list_account_managers(session: Session, *, branch_id: int | None = None) -> list[StaffUser]:
    return repository.list_account_managers(session, branch_id=branch_id)


def branch_manager(session: Session, *, branch_id: int) -> StaffUser | None:
    """Who answers for the branch: escalations and corrective actions go to them."""
    return repository.branch_manager(session, branch_id)
