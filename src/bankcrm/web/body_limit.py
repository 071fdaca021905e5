"""A limit on the request body of every route, pages and API alike.

A pure ASGI middleware that counts the body as the route reads it: a declared length over the
limit is refused before a byte is read, a streamed body as soon as it passes the limit. The
refusal is an ``HTTPException`` raised inside the route's read, so the application's own
handler answers it (JSON for the API, the error page for pages) with every header."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestBodyLimit:
    def __init__(self, app: ASGIApp, *, limit_bytes: int) -> None:
        self.app = app
        self.limit_bytes = limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            if declared.isascii() and declared.isdigit() and int(declared) > self.limit_bytes:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, receive_within_limit, send)

    def _too_large(self) -> HTTPException:
        return HTTPException(
            status_code=413, detail=f"the request body is larger than {self.limit_bytes} bytes"
        )
