"""Password hashing (argon2) and signed API tokens."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bankcrm.core.config import get_settings
from bankcrm.core.exceptions import AuthenticationFailed

_hasher = PasswordHasher()
_TOKEN_SALT = "bankcrm.api-token"


PASSWORD_MAX_LENGTH = 1024
"""Longer passwords are refused before any hashing: a login body may not buy seconds of work."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_TOKEN_SALT)


def create_access_token(user_id: int, session_key: str) -> str:
    """A signed token naming the user and the server-side session it belongs to."""
    return _serializer().dumps({"sub": user_id, "sid": session_key})


def read_access_token(token: str) -> tuple[int, str]:
    """The user id and session key a token was issued with; refuses forged, malformed or
    expired tokens (whether the session still holds is the caller's to check)."""
    try:
        payload = _serializer().loads(token, max_age=get_settings().token_max_age_seconds)
    except SignatureExpired as error:
        raise AuthenticationFailed("the access token has expired") from error
    except BadSignature as error:
        raise AuthenticationFailed("the access token is not valid") from error
    subject = payload.get("sub") if isinstance(payload, dict) else None
    session_key = payload.get("sid") if isinstance(payload, dict) else None
    if not isinstance(subject, int) or not isinstance(session_key, str):
        raise AuthenticationFailed("the access token is not valid")
    return subject, session_key
