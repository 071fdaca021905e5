from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from bankcrm.core.clock import bank_today
from bankcrm.core.config import get_settings
from bankcrm.core.enums import SaleStatus
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.offers import service
from bankcrm.offers.schemas import (
    AssessmentCreate,
    AssessmentRead,
    OfferRead,
    QuestionnaireRead,
    SaleCancel,
    SaleCreate,
    SaleDecision,
    SalePage,
    SaleRead,
    SalesSummary,
)
from bankcrm.web.deps import (
    CurrentUser,
    DbSession,
    OffersApprove,
    OffersRead,
    OffersSell,
    OffersSummary,
)
from bankcrm.web.locale import request_locale

router = APIRouter(tags=["offers"])


@router.get("/risk-questionnaire", response_model=QuestionnaireRead)
def risk_questionnaire(request: Request, _user: CurrentUser) -> QuestionnaireRead:
    """The risk questionnaire in force, in the caller's language."""
    return service.questionnaire_read(get_settings().offers, request_locale(request))


@router.post("/customers/{customer_id}/assessments", response_model=AssessmentRead, status_code=201)
def assess(
    session: DbSession, user: OffersSell, customer_id: RowId, body: AssessmentCreate
) -> AssessmentRead:
    """Score the customer's answers (question code → option code) into C1–C5; the result
    holds for ``offers.assessment_valid_months``."""
    return service.assess(
        session,
        user=user,
        settings=get_settings().offers,
        customer_id=customer_id,
        answers=body.answers,
        vulnerable=body.vulnerable,
    )


@router.get("/customers/{customer_id}/assessments", response_model=list[AssessmentRead])
def assessments(session: DbSession, user: OffersRead, customer_id: RowId) -> list[AssessmentRead]:
    """The customer's assessments, newest (the one in force) first."""
    return service.assessments(session, user=user, customer_id=customer_id)


@router.get("/customers/{customer_id}/offers", response_model=list[OfferRead])
def offers(
    request: Request, session: DbSession, user: OffersSell, customer_id: RowId
) -> list[OfferRead]:
    """Suitable products the customer does not hold, most likely taken up first, with the
    reasons, the FAB talking points and the objection-handling lines."""
    return service.offers_for(
        session,
        user=user,
        settings=get_settings().offers,
        customer_id=customer_id,
        locale=request_locale(request),
    )


@router.post(
    "/sales",
    response_model=SaleRead,
    status_code=201,
    responses={202: {"model": SaleRead, "description": "A mismatch waiting for approval"}},
)
def sell(
    request: Request, response: Response, session: DbSession, user: OffersSell, body: SaleCreate
) -> SaleRead:
    """201 when the product suits the customer; 409 with ``reasons`` when it does not (no
    sale is kept, the refusal is audited); 202 when an ``override_reason`` sends the mismatch
    to a branch manager for approval."""
    try:
        sale = service.sell(
            session,
            user=user,
            settings=get_settings().offers,
            request=service.SaleRequest(
                customer_id=body.customer_id,
                product_id=body.product_id,
                amount=body.amount,
                override_reason=body.override_reason,
                disclosure_confirmed=body.disclosure_confirmed,
                customer_confirmed=body.customer_confirmed,
            ),
            locale=request_locale(request),
        )
    except service.SaleRefused:
        # the refusal's audit entry must outlive the failed request
        session.commit()
        raise
    if sale.status == SaleStatus.PENDING_APPROVAL:
        response.status_code = 202
    return sale


@router.get("/sales", response_model=SalePage)
def list_sales(
    request: Request,
    session: DbSession,
    user: OffersRead,
    status: SaleStatus | None = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> SalePage:
    """Sales the caller may see, newest first; ``status=pending_approval`` is the checker's
    queue."""
    return service.list_sales(
        session,
        user=user,
        locale=request_locale(request),
        status=status,
        customer_id=customer_id,
        page=page,
        page_size=page_size,
    )


@router.get("/sales/summary", response_model=SalesSummary)
def sales_summary(
    session: DbSession,
    user: OffersSummary,
    start: Day | None = None,
    end: Day | None = None,
) -> SalesSummary:
    """Sales by product, risk level and status, and the refused attempts; the last 12
    months unless a period is given."""
    last = end or bank_today()
    first = start or last - timedelta(days=365)
    return service.summary(session, user=user, start=first, end=last)


@router.get("/sales/{sale_id}", response_model=SaleRead)
def get_sale(request: Request, session: DbSession, user: OffersRead, sale_id: RowId) -> SaleRead:
    return service.get_sale(session, user=user, sale_id=sale_id, locale=request_locale(request))


@router.post("/sales/{sale_id}/approve", response_model=SaleRead)
def approve(
    request: Request,
    session: DbSession,
    user: OffersApprove,
    sale_id: RowId,
    body: SaleDecision | None = None,
) -> SaleRead:
    """The checker lets a mismatch sale go ahead; its seller never can."""
    return _decide(request, session, user, sale_id, body, approve=True)


@router.post("/sales/{sale_id}/reject", response_model=SaleRead)
def reject(
    request: Request,
    session: DbSession,
    user: OffersApprove,
    sale_id: RowId,
    body: SaleDecision | None = None,
) -> SaleRead:
    return _decide(request, session, user, sale_id, body, approve=False)


def _decide(
    request: Request,
    session: DbSession,
    user: OffersApprove,
    sale_id: int,
    body: SaleDecision | None,
    *,
    approve: bool,
) -> SaleRead:
    return service.decide(
        session,
        user=user,
        settings=get_settings().offers,
        sale_id=sale_id,
        approve=approve,
        note=body.note if body else None,
        locale=request_locale(request),
    )


@router.post("/sales/{sale_id}/cancel", response_model=SaleRead)
def cancel(
    request: Request, session: DbSession, user: OffersSell, sale_id: RowId, body: SaleCancel
) -> SaleRead:
    """The customer cancels within the cooling-off period."""
    return service.cancel(
        session, user=user, sale_id=sale_id, reason=body.reason, locale=request_locale(request)
    )
