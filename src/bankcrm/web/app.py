"""Everything the HTML side adds to the application: static files, sessions, page routers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from bankcrm.core.config import get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def _redirect_to_login(request: Request, error: Exception) -> Response:
    from bankcrm.web.deps import LoginRequired

    assert isinstance(error, LoginRequired)
    return RedirectResponse(error.login_url, status_code=303)


def mount_web(app: FastAPI) -> None:
    from bankcrm.churn.pages import router as churn_pages
    from bankcrm.clv.pages import router as clv_pages
    from bankcrm.customers.pages import router as customer_pages
    from bankcrm.segmentation.pages import router as segment_pages
    from bankcrm.staff.pages import router as staff_pages
    from bankcrm.web.deps import LoginRequired
    from bankcrm.web.pages import router as web_pages

    settings = get_settings()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="bankcrm_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_exception_handler(LoginRequired, _redirect_to_login)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (web_pages, staff_pages, customer_pages, segment_pages, churn_pages, clv_pages):
        app.include_router(router, include_in_schema=False)
