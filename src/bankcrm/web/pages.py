"""Pages that belong to no feature: the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bankcrm.web.i18n import normalise_locale
from bankcrm.web.locale import LOCALE_COOKIE
from bankcrm.web.security import safe_next

router = APIRouter()

ONE_YEAR = 365 * 24 * 3600


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str | None = None) -> Response:
    """Remember the chosen language in a cookie and go back to the page it was chosen on."""
    locale = normalise_locale(code)
    referer = request.headers.get("referer", "")
    back = next or (referer.split(str(request.base_url).rstrip("/"), 1)[-1] if referer else None)
    response = RedirectResponse(safe_next(back), status_code=303)
    if locale:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=ONE_YEAR, samesite="lax")
    return response
