"""Which language a request is answered in."""

from __future__ import annotations

from fastapi import Request

from bankcrm.core.config import get_settings
from bankcrm.web.i18n import normalise_locale

LOCALE_COOKIE = "lang"


def request_locale(request: Request) -> str:
    """The ``lang`` cookie set by the switch, else the user's preference, else the default."""
    chosen = normalise_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen
    user = getattr(request.state, "user", None)
    preferred = normalise_locale(getattr(user, "preferred_locale", None))
    return preferred or get_settings().default_locale
