"""Errors in the request's language: the error page for browsers, the detail of an API
error and of a refused form."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bankcrm.core.config import get_settings
from bankcrm.core.exceptions import BankcrmError
from bankcrm.web.i18n import gettext, normalise_locale
from bankcrm.web.locale import LOCALE_COOKIE, request_locale
from bankcrm.web.templating import render


def accepted_locale(header: str | None) -> str | None:
    """The supported locale the ``Accept-Language`` header prefers most, if any."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, options = part.strip().partition(";")
        quality = 1.0
        if options.strip().startswith("q="):
            try:
                quality = float(options.strip()[2:])
            except ValueError:
                quality = 0.0
        chosen = normalise_locale(tag.strip())
        if chosen and quality > 0:
            ranked.append((-quality, position, chosen))
    return min(ranked)[2] if ranked else None


def api_locale(request: Request) -> str:
    """The language of an API answer: the ``lang`` cookie the pages set, else the
    ``Accept-Language`` header, else the bank's default."""
    return (
        normalise_locale(request.cookies.get(LOCALE_COOKIE))
        or accepted_locale(request.headers.get("accept-language"))
        or get_settings().default_locale
    )


def error_detail(error: BankcrmError, locale: str) -> str:
    """The error's message from the catalog in ``locale`` (as it is when the catalog lacks it)."""
    return error.localized(lambda message: gettext(locale, message))


def render_error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )


def render_domain_error_page(request: Request, error: BankcrmError) -> HTMLResponse:
    """The error page, its detail (the 403 page's reason) in the page's language."""
    detail = error_detail(error, request_locale(request))
    return render_error_page(request, error.status_code, detail)
