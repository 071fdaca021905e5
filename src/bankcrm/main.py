"""The application: API and web routers, and one mapping from domain errors to HTTP."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bankcrm import __version__
from bankcrm.api import API_PREFIX, api_router
from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.config import get_settings
from bankcrm.core.exceptions import (
    AuthenticationFailed,
    BankcrmError,
    Conflict,
    ImportRejected,
    Refused,
    ValidationFailed,
)
from bankcrm.web.app import mount_web
from bankcrm.web.body_limit import RequestBodyLimit
from bankcrm.web.headers import NOT_STORED, security_headers

logger = logging.getLogger("bankcrm")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and "text/html" in request.headers.get(
        "accept", ""
    )


def domain_error_body(error: BankcrmError, locale: str | None = None) -> dict[str, object]:
    """The JSON of an API error, its detail in ``locale`` (English when none is given)."""
    from bankcrm.web.errors import error_detail

    detail = error.message if locale is None else error_detail(error, locale)
    body: dict[str, object] = {"detail": detail}
    if isinstance(error, ValidationFailed) and error.field:
        body["field"] = error.field
    if isinstance(error, Refused):
        body["reasons"] = error.reasons
    if isinstance(error, ImportRejected):
        body.update({"file": error.file, "row": error.row, "column": error.column})
    return body


async def handle_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BankcrmError)
    from bankcrm.web.errors import api_locale, render_domain_error_page

    if _wants_html(request):
        return render_domain_error_page(request, error)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationFailed) else None
    return JSONResponse(
        domain_error_body(error, api_locale(request)),
        status_code=error.status_code,
        headers=headers,
    )


async def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    fields = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        problems.append(f"{location}: {problem.get('msg', 'invalid')}")
        # the input at fault, without where it came from (query, path, body)
        fields.append(".".join(str(part) for part in problem.get("loc", ())[1:]))
    if _wants_html(request):
        from bankcrm.web.errors import render_error_page

        return render_error_page(request, 422, "; ".join(problems))
    body: dict[str, object] = {"detail": "; ".join(problems) or "invalid request"}
    if fields and fields[0]:
        body["field"] = fields[0]
    body["errors"] = problems
    return JSONResponse(body, status_code=422)


async def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if _wants_html(request):
        from bankcrm.web.errors import render_error_page

        return render_error_page(request, error.status_code, str(error.detail))
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )


async def handle_stale_write(request: Request, error: Exception) -> Response:
    """Two people saved the same record at once and the other was first (optimistic locking
    caught it at the write, after the service's own version check had passed)."""
    return await handle_domain_error(
        request, Conflict("someone else changed this record at the same moment; reload it")
    )


async def handle_unexpected_error(request: Request, error: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    response: Response
    if _wants_html(request):
        from bankcrm.web.errors import render_error_page

        response = render_error_page(request, 500, "internal error")
    else:
        response = JSONResponse({"detail": "internal error"}, status_code=500)
    # Starlette answers unexpected errors outside every middleware, the headers' one too
    response.headers.update(
        {
            **security_headers(strict_transport_security=get_settings().cookie_secure),
            **NOT_STORED,
        }
    )
    return response


def healthz() -> str:
    """Liveness for a load balancer: answers without touching the database, so it also
    measures what the server and its middleware cost on their own."""
    return "ok"


def create_app() -> FastAPI:
    audit_recorder.install()
    app = FastAPI(
        title="bankcrm",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # Swagger UI comes from a CDN, which bank networks do not reach, and starts with an
        # inline script: development only (the OpenAPI document is always served).
        docs_url="/api/docs" if get_settings().environment == "development" else None,
        # that page serves OAuth2 authorization-code logins, which bankcrm does not offer
        swagger_ui_oauth2_redirect_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(BankcrmError, handle_domain_error)
    app.add_exception_handler(StaleDataError, handle_stale_write)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected_error)
    app.include_router(api_router)
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        response_class=PlainTextResponse,
        include_in_schema=False,
    )
    # added first, so innermost: its refusal passes the session and the headers middleware
    app.add_middleware(RequestBodyLimit, limit_bytes=get_settings().request_body_limit_bytes)
    mount_web(app)
    return app
