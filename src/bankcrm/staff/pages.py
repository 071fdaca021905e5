"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.core.enums import SessionKind
from bankcrm.core.exceptions import AuthenticationFailed
from bankcrm.staff import service
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.ratelimit import FailedLogins, client_address
from bankcrm.web.security import (
    SESSION_KEY,
    SESSION_USER,
    csrf_token,
    end_session,
    safe_next,
    start_session,
)
from bankcrm.web.templating import render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    csrf_token(request)
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


# The CSRF token of both posts is checked by the dependency mount_web puts on every page route.
@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    failed_logins: FailedLogins,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/customers",
) -> Response:
    locale = request_locale(request)
    address = client_address(request)
    retry_after = failed_logins.retry_after(address)
    if retry_after is not None:
        message = gettext(
            locale,
            "Too many failed logins from this network address. "
            "Wait %(seconds)s seconds and try again.",
        ) % {"seconds": retry_after}
        response = _login_page(request, next, username, message, status_code=429)
        response.headers["Retry-After"] = str(retry_after)
        return response
    try:
        user = service.authenticate(session, username=username, password=password, address=address)
    except service.LoginBackedOff as error:
        session.commit()
        message = gettext(
            locale,
            "Too many failed logins for this user from this network address. "
            "Wait %(seconds)s seconds and try again.",
        ) % {"seconds": error.seconds}
        response = _login_page(request, next, username, message, status_code=429)
        response.headers["Retry-After"] = str(error.seconds)
        return response
    except AuthenticationFailed:
        session.commit()
        failed_logins.record(address)
        message = gettext(locale, "Invalid username or password.")
        return _login_page(request, next, username, message, status_code=401)
    start_session(request, user.id, service.open_session(session, user=user, kind=SessionKind.PAGE))
    return RedirectResponse(safe_next(next), status_code=303)


def _login_page(
    request: Request, next: str, username: str, error: str, *, status_code: int
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "username": username, "error": error},
        status_code=status_code,
    )


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    """Ends the server-side session, so a copy of the cookie is worth nothing afterwards."""
    user_id = request.session.get(SESSION_USER)
    session_key = request.session.get(SESSION_KEY)
    if isinstance(session_key, str):
        service.close_session(session, key=session_key)
    if isinstance(user_id, int):
        service.record_logout(session, user_id=user_id)
    end_session(request)
    return RedirectResponse("/login", status_code=303)
