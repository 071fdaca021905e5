"""A limit on failed logins per client address, shared by the login page and the token API.

The per-account lockout (``staff.service.authenticate``) stops guessing one account's
password; this limit stops one address from trying many accounts, and answers before the
password is hashed, so a flood of attempts costs no Argon2 work. Only failures count: the
staff of a branch often share one address through the bank's proxy, and their successful
logins must never lock each other out.

With the default ``rate_limit_storage`` (``memory://``) the count is kept **per process**:
under ``bankcrm serve --workers N`` each worker counts on its own (N times the limit) and a
restart forgets it; a shared store (``redis://…``) makes it one count.

The address is the peer the ASGI server reports. ``bankcrm serve`` takes it from
``X-Forwarded-For`` only when the connection comes from one of ``BANKCRM_TRUSTED_PROXIES``
(none by default): behind a reverse proxy, list the proxy there, or every user counts as the
proxy.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bankcrm.core.clock import epoch_seconds
from bankcrm.core.config import Settings

_NAMESPACE = "failed-login"


class FailedLoginLimit:
    """Counts failed logins per client address in a moving window."""

    def __init__(self, *, failures: int, window_seconds: int, storage_uri: str) -> None:
        self._limit = RateLimitItemPerSecond(failures, window_seconds)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    @classmethod
    def from_settings(cls, settings: Settings) -> FailedLoginLimit:
        return cls(
            failures=settings.login_failures_per_window,
            window_seconds=settings.login_window_seconds,
            storage_uri=settings.rate_limit_storage,
        )

    def retry_after(self, address: str) -> int | None:
        """Whole seconds ``address`` must wait before its next attempt, or None if it may try."""
        if self._limiter.test(self._limit, _NAMESPACE, address):
            return None
        window = self._limiter.get_window_stats(self._limit, _NAMESPACE, address)
        return max(1, math.ceil(window.reset_time - epoch_seconds()))

    def record(self, address: str) -> None:
        self._limiter.hit(self._limit, _NAMESPACE, address)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_failed_logins(request: Request) -> FailedLoginLimit:
    """The application's limit, made by ``mount_web`` (one per app, so tests never share one)."""
    limit: FailedLoginLimit = request.app.state.failed_logins
    return limit


FailedLogins = Annotated[FailedLoginLimit, Depends(get_failed_logins)]
