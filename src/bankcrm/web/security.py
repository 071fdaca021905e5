"""The page session: who is logged in, how long for, and the CSRF token every form must echo."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from bankcrm.core.clock import epoch_seconds
from bankcrm.core.config import get_settings
from bankcrm.core.exceptions import PermissionDenied

SESSION_USER = "user_id"
SESSION_KEY = "session_key"
"""The key of the server-side session (``staff_sessions``): without a live one the cookie is
worth nothing, whatever its signature."""
SESSION_CSRF = "csrf_token"
SESSION_STARTED = "started_at"
SESSION_SEEN = "seen_at"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse a form post whose token does not match the session's."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("the form has expired or did not come from this site; reload it")


async def require_csrf(request: Request) -> None:
    """Checks the token on every page request that may change something; ``mount_web`` puts
    it on every page router, so a new form route is covered without remembering to."""
    if request.method not in SAFE_METHODS:
        await check_csrf(request)


def start_session(request: Request, user_id: int, session_key: str) -> None:
    """A new session on login, so that a session fixed before login is worth nothing."""
    request.session.clear()
    now = epoch_seconds()
    request.session[SESSION_USER] = user_id
    request.session[SESSION_KEY] = session_key
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def keep_session_alive(request: Request) -> bool:
    """Mark the logged-in session as used now; False, with the session cleared, once it has
    been idle longer than ``session_idle_seconds`` or began more than
    ``session_max_age_seconds`` ago.

    The signed cookie's own max age restarts whenever the session is written, which is every
    page request: the login time kept inside the session is what makes the lifetime absolute.
    """
    settings = get_settings()
    now = epoch_seconds()
    started = request.session.get(SESSION_STARTED)
    seen = request.session.get(SESSION_SEEN)
    if (
        not isinstance(started, int | float)
        or not isinstance(seen, int | float)
        or now - started > settings.session_max_age_seconds
        or now - seen > settings.session_idle_seconds
    ):
        request.session.clear()
        return False
    request.session[SESSION_SEEN] = now
    return True


def end_session(request: Request) -> None:
    request.session.clear()


def safe_next(target: str | None) -> str:
    """Only same-site relative paths (with their query) are followed after login or a
    language switch; anything that could name another host goes to the start page.

    Browsers drop tabs and line breaks from a URL and read ``\\`` as ``/``, so a target
    holding any control character, space or backslash is refused along with ``//host``
    and ``scheme:`` forms.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not any(character.isspace() for character in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return "/customers"
