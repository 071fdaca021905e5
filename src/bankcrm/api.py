"""The ``/api/v1`` router: every feature's REST endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from bankcrm.audit.endpoints import router as audit_router
from bankcrm.churn.endpoints import router as churn_router
from bankcrm.clv.endpoints import router as clv_router
from bankcrm.customers.endpoints import router as customers_router
from bankcrm.privacy.endpoints import router as privacy_router
from bankcrm.segmentation.endpoints import router as segments_router
from bankcrm.staff.endpoints import router as staff_router

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(staff_router)
api_router.include_router(customers_router)
api_router.include_router(segments_router)
api_router.include_router(clv_router)
api_router.include_router(churn_router)
api_router.include_router(privacy_router)
api_router.include_router(audit_router)
