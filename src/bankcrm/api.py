"""The ``/api/v1`` router: every feature's REST endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from bankcrm.audit.endpoints import router as audit_router
from bankcrm.branches.endpoints import router as branches_router
from bankcrm.branches.queue.endpoints import router as queue_router
from bankcrm.campaigns.endpoints import router as campaigns_router
from bankcrm.campaigns.planning.endpoints import router as marketing_plans_router
from bankcrm.campaigns.prospects.endpoints import router as prospects_router
from bankcrm.churn.endpoints import router as churn_router
from bankcrm.clv.endpoints import router as clv_router
from bankcrm.complaints.endpoints import router as complaints_router
from bankcrm.credit.endpoints import router as credit_router
from bankcrm.customers.endpoints import router as customers_router
from bankcrm.jobs.endpoints import router as jobs_router
from bankcrm.offers.endpoints import router as offers_router
from bankcrm.privacy.endpoints import router as privacy_router
from bankcrm.products.endpoints import router as products_router
from bankcrm.quality.endpoints import router as quality_router
from bankcrm.quality.improvement.endpoints import router as improvement_router
from bankcrm.quality.inspections.endpoints import router as inspections_router
from bankcrm.quality.reporting.endpoints import router as quality_reports_router
from bankcrm.quality.surveys.endpoints import router as surveys_router
from bankcrm.segmentation.endpoints import router as segments_router
from bankcrm.staff.endpoints import router as staff_router
from bankcrm.staff.incentives.endpoints import router as incentives_router
from bankcrm.staff.performance.endpoints import router as performance_router
from bankcrm.staff.training.endpoints import router as training_router
from bankcrm.tasks.endpoints import router as tasks_router

API_PREFIX = "/api/v1"


class ErrorRead(BaseModel):
    """The body of every error answer (``main.py`` builds it, for domain and request errors)."""

    detail: str
    field: str | None = None
    """The input at fault, when a check on the request names one."""
    errors: list[str] | None = None
    """Every problem request validation found, as ``location: message``."""
    reasons: list[dict[str, str]] | None = None
    """Each rule a refused request broke (a sale the suitability gate refused)."""


_ERROR_DESCRIPTIONS = {
    400: "The request body cannot be parsed",
    401: "No valid bearer token (or, for a token, a wrong username or password)",
    403: "The caller's role may not do this",
    404: "No such object among those the caller may see",
    409: "The object changed or is in a state that does not allow this",
    422: "The input is not valid",
}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error answers a group of routes gives, with their body;
    422 here also replaces FastAPI's default, whose body is not the one ``main.py`` sends."""
    return {
        code: {"model": ErrorRead, "description": _ERROR_DESCRIPTIONS[code]}
        for code in status_codes
    }


api_router = APIRouter(prefix=API_PREFIX, responses=error_responses(401))
api_router.include_router(staff_router, responses=error_responses(400, 403, 422))
api_router.include_router(customers_router, responses=error_responses(400, 403, 404, 422))
api_router.include_router(products_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(segments_router, responses=error_responses(403, 404, 422))
api_router.include_router(clv_router, responses=error_responses(403, 404, 422))
api_router.include_router(churn_router, responses=error_responses(403, 404, 422))
api_router.include_router(privacy_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(complaints_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(offers_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(credit_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(campaigns_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(
    marketing_plans_router, responses=error_responses(400, 403, 404, 409, 422)
)
api_router.include_router(prospects_router, responses=error_responses(400, 403, 404, 409, 422))
QUALITY_ERRORS = error_responses(400, 403, 404, 409, 422)
api_router.include_router(surveys_router, responses=QUALITY_ERRORS)
api_router.include_router(quality_reports_router, responses=QUALITY_ERRORS)
api_router.include_router(quality_router, responses=QUALITY_ERRORS)
api_router.include_router(inspections_router, responses=QUALITY_ERRORS)
api_router.include_router(improvement_router, responses=QUALITY_ERRORS)
for router in (
    performance_router,
    incentives_router,
    training_router,
    queue_router,
    branches_router,
):
    api_router.include_router(router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(tasks_router, responses=error_responses(400, 403, 404, 409, 422))
api_router.include_router(audit_router, responses=error_responses(403, 422))
api_router.include_router(jobs_router, responses=error_responses(403, 404, 409, 422))
