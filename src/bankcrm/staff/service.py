"""Staff accounts: creation, passwords, roles; logins, their back-off and their sessions."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.clock import as_utc, utcnow
from bankcrm.core.enums import AuditAction, Role, SessionKind
from bankcrm.core.exceptions import (
    AuthenticationFailed,
    BankcrmError,
    Conflict,
    NotFound,
    ValidationFailed,
)
from bankcrm.core.security import PASSWORD_MAX_LENGTH, hash_password, verify_password
from bankcrm.staff import repository
from bankcrm.staff.models import LoginBackoff, StaffSession, StaffUser

FREE_FAILURES = 5
"""Wrong passwords one address may try at one username before it has to wait."""
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
"""The wait doubles with every further failure, up to this."""
MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3
"""zxcvbn's 0–4 guessability score: 3 is "safely unguessable" against an online attack
limited to about 10⁸ guesses; common and breached passwords, keyboard walks, names with a
year and the user's own name score lower."""
INVALID_LOGIN = "invalid username or password"


class LoginBackedOff(BankcrmError):
    """Too many wrong passwords for this username from this address: wait before trying."""

    status_code = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"too many failed logins for this username from this address; "
            f"try again in {seconds} seconds"
        )
        self.seconds = seconds


@cache
def _stand_in_hash() -> str:
    """A hash to check a password against when there is no account, so that a login to a
    name that belongs to nobody costs what a wrong password costs."""
    return hash_password(secrets.token_urlsafe(24))


def authenticate(session: Session, *, username: str, password: str, address: str) -> StaffUser:
    """The active user with these credentials.

    Every attempt costs one password check, whether the name exists or not. After
    ``FREE_FAILURES`` wrong passwords for one username from one address, that address waits
    (doubling from ``FIRST_WAIT``) before its next try at that username; the owner logging in
    from elsewhere is not held up, and a right password clears the count."""
    now = utcnow()
    backoff = repository.login_backoff(session, username=username, address=address)
    wait_until = as_utc(backoff.wait_until) if backoff and backoff.wait_until else None
    if wait_until is not None and wait_until > now:
        user_id = _known_id(session, username)
        _record_login(session, user_id, username, AuditAction.LOGIN_FAILED, "waiting")
        raise LoginBackedOff(max(1, math.ceil((wait_until - now).total_seconds())))
    user = repository.get_by_username(session, username)
    stored = user.password_hash if user is not None and user.is_active else None
    matches = verify_password(stored or _stand_in_hash(), password)
    if stored is None or not matches:
        _count_failure(session, backoff, username=username, address=address, now=now)
        reason = "wrong password" if stored else "no such active user"
        _record_login(
            session, user.id if user else None, username, AuditAction.LOGIN_FAILED, reason
        )
        raise AuthenticationFailed(INVALID_LOGIN)
    assert user is not None
    if backoff is not None:
        session.delete(backoff)
    session.flush()
    _record_login(session, user.id, username, AuditAction.LOGIN, None)
    return user


def _known_id(session: Session, username: str) -> int | None:
    user = repository.get_by_username(session, username)
    return user.id if user else None


def _count_failure(
    session: Session, backoff: LoginBackoff | None, *, username: str, address: str, now: datetime
) -> None:
    if backoff is None:
        backoff = LoginBackoff(username=username, address=address, failures=0)
        session.add(backoff)
    backoff.failures += 1
    beyond = backoff.failures - FREE_FAILURES
    if beyond >= 0:
        backoff.wait_until = now + min(FIRST_WAIT * 2 ** min(beyond, 20), LONGEST_WAIT)
    session.flush()


def unlock(session: Session, *, username: str) -> int:
    """An administrator lifts every wait on ``username``; the number of addresses freed."""
    return repository.clear_login_backoffs(session, username=username)


def open_session(session: Session, *, user: StaffUser, kind: SessionKind) -> str:
    """A new login of ``user``; the key goes into the cookie or token and nowhere else."""
    key = secrets.token_urlsafe(32)
    session.add(
        StaffSession(key_digest=_digest(key), user_id=user.id, kind=kind, started_at=utcnow())
    )
    session.flush()
    return key


def session_user(session: Session, *, key: str, user_id: int) -> StaffUser | None:
    """The active user of a live session with this key, if it is ``user_id``'s."""
    user = repository.live_session_user(session, key_digest=_digest(key))
    return user if user is not None and user.id == user_id else None


def close_session(session: Session, *, key: str) -> None:
    repository.end_session(session, key_digest=_digest(key), at=utcnow())


def _end_every_session(session: Session, user: StaffUser) -> None:
    repository.end_user_sessions(session, user_id=user.id, at=utcnow())


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


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


def _check_password(password: str, *, username: str, full_name: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationFailed(
            f"the password may have at most {PASSWORD_MAX_LENGTH} characters", field="password"
        )
    strength = zxcvbn(password[:100], user_inputs=[username, full_name])
    if strength["score"] < MIN_PASSWORD_SCORE:
        hint = strength["feedback"]["warning"] or "it follows a pattern that is quickly guessed"
        raise ValidationFailed(
            f"the password is too easy to guess ({hint.rstrip('.').lower()}); "
            "a few unrelated words make a strong one",
            field="password",
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
    _check_password(password, username=username, full_name=full_name)
    user = StaffUser(
        external_id=external_id or f"user:{username}",
        username=username,
        full_name=full_name,
        role=role,
        branch_id=branch_id,
        password_hash=hash_password(password),
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, username: str, password: str) -> StaffUser:
    """A new password ends every session and token of the user and lifts their waits."""
    user = _existing(session, username)
    _check_password(password, username=username, full_name=user.full_name)
    user.password_hash = hash_password(password)
    _end_every_session(session, user)
    repository.clear_login_backoffs(session, username=username)
    session.flush()
    return user


def set_role(session: Session, *, username: str, role: Role) -> StaffUser:
    """A new role ends every session and token of the user: they log in again under it."""
    user = _existing(session, username)
    user.role = role
    _end_every_session(session, user)
    session.flush()
    return user


def set_active(session: Session, *, username: str, active: bool) -> StaffUser:
    """Disabling a user ends every session and token of theirs at once."""
    user = _existing(session, username)
    user.is_active = active
    if not active:
        _end_every_session(session, user)
    session.flush()
    return user


def _existing(session: Session, username: str) -> StaffUser:
    user = repository.get_by_username(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
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
