"""The page session: who is logged in, and the CSRF token every form must echo."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from bankcrm.core.exceptions import PermissionDenied

SESSION_USER = "user_id"
SESSION_CSRF = "csrf_token"
CSRF_FIELD = "csrf_token"


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


def start_session(request: Request, user_id: int) -> None:
    """A new session on login, so that a session fixed before login is worth nothing."""
    request.session.clear()
    request.session[SESSION_USER] = user_id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    request.session.clear()


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/customers"
