"""Everything the HTML side adds to the application: static files, sessions, page routers."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from bankcrm.core.config import get_settings
from bankcrm.web.headers import SWAGGER_UI_POLICY, SecurityHeadersMiddleware
from bankcrm.web.ratelimit import FailedLoginLimit
from bankcrm.web.security import require_csrf

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def _redirect_to_login(request: Request, error: Exception) -> Response:
    from bankcrm.web.deps import LoginRequired

    assert isinstance(error, LoginRequired)
    return RedirectResponse(error.login_url, status_code=303)


def mount_web(app: FastAPI) -> None:
    from bankcrm.audit.pages import router as audit_pages
    from bankcrm.branches.pages import router as branch_pages
    from bankcrm.branches.queue.pages import router as queue_pages
    from bankcrm.campaigns.pages import router as campaign_pages
    from bankcrm.campaigns.planning.pages import router as plan_pages
    from bankcrm.campaigns.prospects.pages import router as pipeline_pages
    from bankcrm.churn.pages import router as churn_pages
    from bankcrm.clv.pages import router as clv_pages
    from bankcrm.complaints.pages import router as complaint_pages
    from bankcrm.credit.pricing_pages import router as pricing_pages
    from bankcrm.credit.rating_pages import router as rating_pages
    from bankcrm.customers.pages import router as customer_pages
    from bankcrm.home.pages import router as home_pages
    from bankcrm.jobs.pages import router as job_pages
    from bankcrm.offers.pages import router as offer_pages
    from bankcrm.privacy.pages import router as privacy_pages
    from bankcrm.products.pages import router as product_pages
    from bankcrm.quality.improvement.pages import router as improvement_pages
    from bankcrm.quality.inspections.pages import router as inspection_pages
    from bankcrm.quality.pages import router as quality_pages
    from bankcrm.quality.reporting.pages import router as quality_report_pages
    from bankcrm.quality.surveys.pages import router as survey_pages
    from bankcrm.quality.surveys.respondent import router as respondent_pages
    from bankcrm.segmentation.pages import router as segment_pages
    from bankcrm.staff.incentives.pages import router as incentive_pages
    from bankcrm.staff.pages import router as staff_pages
    from bankcrm.staff.performance.pages import router as performance_pages
    from bankcrm.staff.training.pages import router as training_pages
    from bankcrm.tasks.pages import router as task_pages
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
    # added last, so outermost: it also covers what the session middleware answers
    app.add_middleware(
        SecurityHeadersMiddleware,
        strict_transport_security=settings.cookie_secure,
        policies={app.docs_url: SWAGGER_UI_POLICY} if app.docs_url else None,
    )
    app.state.failed_logins = FailedLoginLimit.from_settings(settings)
    app.add_exception_handler(LoginRequired, _redirect_to_login)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (
        home_pages,
        web_pages,
        staff_pages,
        customer_pages,
        offer_pages,
        pricing_pages,
        rating_pages,
        product_pages,
        segment_pages,
        churn_pages,
        clv_pages,
        privacy_pages,
        complaint_pages,
        survey_pages,
        respondent_pages,
        quality_report_pages,
        quality_pages,
        inspection_pages,
        improvement_pages,
        audit_pages,
        pipeline_pages,
        plan_pages,
        campaign_pages,
        performance_pages,
        incentive_pages,
        training_pages,
        queue_pages,
        branch_pages,
        task_pages,
        job_pages,
    ):
        app.include_router(router, include_in_schema=False, dependencies=[Depends(require_csrf)])
