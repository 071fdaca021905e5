"""The credit REST endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bankcrm.core.config import get_settings
from bankcrm.core.pagination import RowId
from bankcrm.credit import prequalifications, quotes, ratings
from bankcrm.credit.schemas import (
    PrequalificationCreate,
    PrequalificationRead,
    QuoteCreate,
    QuoteDecision,
    QuoteRead,
    RatingCreate,
    RatingRead,
    RatingReview,
)
from bankcrm.web.deps import CreditApprove, CreditAssess, CreditRead, DbSession
from bankcrm.web.locale import request_locale

router = APIRouter(tags=["credit"])


# --- pricing quotes -------------------------------------------------------------------------


@router.post("/pricing/quotes", response_model=QuoteRead, status_code=201)
def create_quote(session: DbSession, user: CreditAssess, body: QuoteCreate) -> QuoteRead:
    """Price a loan for the customer and keep the quote: agreed when within the quoter's
    authority, else waiting for a branch manager (``pending_approval``). The grade is the
    customer's credit grade unless given."""
    return quotes.create_quote(
        session,
        user=user,
        settings=get_settings(),
        customer_id=body.customer_id,
        amount=body.amount,
        term_months=body.term_months,
        product=body.product,
        grade=body.grade,
    )


@router.get("/customers/{customer_id}/quotes", response_model=list[QuoteRead])
def customer_quotes(session: DbSession, user: CreditRead, customer_id: RowId) -> list[QuoteRead]:
    """The customer's latest quotes, newest first."""
    return quotes.customer_quotes(
        session, user=user, settings=get_settings(), customer_id=customer_id
    )


@router.post("/pricing/quotes/{quote_id}/approve", response_model=QuoteRead)
def approve_quote(
    session: DbSession, user: CreditApprove, quote_id: RowId, body: QuoteDecision
) -> QuoteRead:
    """A branch manager other than the quoter agrees a quote beyond its quoter's authority."""
    return quotes.decide(
        session,
        user=user,
        settings=get_settings(),
        quote_id=quote_id,
        version=body.version,
        approve=True,
        note=body.note,
    )


@router.post("/pricing/quotes/{quote_id}/reject", response_model=QuoteRead)
def reject_quote(
    session: DbSession, user: CreditApprove, quote_id: RowId, body: QuoteDecision
) -> QuoteRead:
    return quotes.decide(
        session,
        user=user,
        settings=get_settings(),
        quote_id=quote_id,
        version=body.version,
        approve=False,
        note=body.note,
    )


# --- corporate ratings and pre-qualifications ----------------------------------------------


@router.post("/customers/{customer_id}/ratings", response_model=RatingRead, status_code=201)
def submit_rating(
    request: Request,
    session: DbSession,
    user: CreditAssess,
    customer_id: RowId,
    body: RatingCreate,
) -> RatingRead:
    """Rate a corporate customer with the scorecard in force (factor code → option code or
    figure); the rating waits for a branch manager's review."""
    return ratings.submit_rating(
        session,
        user=user,
        customer_id=customer_id,
        answers=dict(body.answers),
        locale=request_locale(request),
    )


@router.get("/customers/{customer_id}/ratings", response_model=list[RatingRead])
def customer_ratings(
    request: Request, session: DbSession, user: CreditRead, customer_id: RowId
) -> list[RatingRead]:
    """The customer's corporate ratings, newest first; the newest approved one is in force."""
    return ratings.ratings(
        session, user=user, customer_id=customer_id, locale=request_locale(request)
    )


@router.post("/ratings/{rating_id}/review", response_model=RatingRead)
def review_rating(
    request: Request,
    session: DbSession,
    user: CreditApprove,
    rating_id: RowId,
    body: RatingReview,
) -> RatingRead:
    """A branch manager other than the preparer approves (setting the customer's credit
    grade) or rejects a submitted rating, at the version they saw."""
    return ratings.review_rating(
        session,
        user=user,
        rating_id=rating_id,
        approve=body.approve,
        version=body.version,
        note=body.note,
        locale=request_locale(request),
    )


@router.post(
    "/customers/{customer_id}/prequalifications",
    response_model=PrequalificationRead,
    status_code=201,
)
def prequalify(
    request: Request,
    session: DbSession,
    user: CreditAssess,
    customer_id: RowId,
    body: PrequalificationCreate,
) -> PrequalificationRead:
    """Run the loan pre-qualification checklist on the customer's application and keep the
    result: the outcome, every rule's result and reason, and the documents to bring."""
    return prequalifications.prequalify(
        session,
        user=user,
        customer_id=customer_id,
        application=prequalifications.ApplicationInput(
            residence=body.residence,
            employment_months=body.employment_months,
            income_proof=body.income_proof,
            monthly_income=body.monthly_income,
            declared_monthly_debt=body.declared_monthly_debt,
            purchase_price=body.purchase_price,
            down_payment=body.down_payment,
            term_months=body.term_months,
            annual_rate=body.annual_rate,
        ),
        locale=request_locale(request),
    )
