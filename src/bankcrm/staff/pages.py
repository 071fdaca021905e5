"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import AuthenticationFailed
from bankcrm.staff import service
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.security import check_csrf, csrf_token, end_session, safe_next, start_session
from bankcrm.web.templating import render

router = APIRouter()

LOCKED_MARK = "locked"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    csrf_token(request)
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/customers",
) -> Response:
    await check_csrf(request)
    try:
        user = service.authenticate(session, username=username, password=password)
    except AuthenticationFailed as error:
        session.commit()
        locale = request_locale(request)
        message = (
            gettext(locale, "The account is locked after repeated failed logins. Try again later.")
            if LOCKED_MARK in error.message
            else gettext(locale, "Invalid username or password.")
        )
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "username": username, "error": message},
            status_code=401,
        )
    start_session(request, user.id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    end_session(request)
    return RedirectResponse("/login", status_code=303)
