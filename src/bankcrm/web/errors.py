"""Error pages for browsers, in the request's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bankcrm.web.templating import render


def render_error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )
