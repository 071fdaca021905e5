"""Security headers on every answer: pages, API, static files, redirects and error pages;
and ``Cache-Control: no-store`` on every answer but a static file.

A pure ASGI middleware, so that it also covers what never reaches a route (static files,
404s) and adds nothing to the body. Answers sent by Starlette's ``ServerErrorMiddleware``
(unexpected 500s) pass outside every added middleware: their handler
(``main.handle_unexpected_error``) has to add ``security_headers()`` to them itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # ECharts sets style attributes on its tooltips; scripts stay strictly 'self'.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SWAGGER_UI_POLICY = "; ".join(
    [
        "default-src 'self'",
        # FastAPI's Swagger UI page loads its bundle from a CDN and starts it inline.
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""For the interactive API docs only, which are served in development only."""
NOT_STORED = {"Cache-Control": "no-store"}
"""Pages and API answers carry personal data: no browser or proxy keeps a copy of them."""
STATIC_PREFIX = "/static/"
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
"""One year; without includeSubDomains, which would bind every other host of the bank's
domain to HTTPS on the say of this one."""


def security_headers(*, strict_transport_security: bool) -> dict[str, str]:
    """The headers every answer carries: the middleware adds them, and an answer made outside
    it (the unexpected-error handler) can add them itself."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if strict_transport_security:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP answer; ``policies`` gives some paths another CSP."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        strict_transport_security: bool,
        policies: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.headers = security_headers(strict_transport_security=strict_transport_security)
        self.headers_by_path = {
            path: {**self.headers, "Content-Security-Policy": policy}
            for path, policy in (policies or {}).items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self.headers_by_path.get(scope["path"], self.headers)
        if not scope["path"].startswith(STATIC_PREFIX):
            added = {**added, **NOT_STORED}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
