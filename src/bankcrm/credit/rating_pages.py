"""The credit desk's pages: a corporate rating entered on the scorecard, the branch
manager's review queue, and a loan pre-qualification with the papers to bring."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import CustomerType
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormText, ascii_digits, parse_number
from bankcrm.core.messages import _
from bankcrm.core.pagination import RowId, whole_number
from bankcrm.credit import prequalifications, ratings
from bankcrm.credit import rating as rating_model
from bankcrm.credit.prequalification import IncomeProof, Residence
from bankcrm.credit.repository import CreditRepository
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageCreditApprove, PageCreditAssess
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter()

NoteText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
FieldText = Annotated[str, Form(max_length=40)]
Choice = TypeVar("Choice", Residence, IncomeProof)


RATING_FAILED = _("The rating was not saved")
REVIEW_CONFLICT = _(
    "Someone else reviewed this rating already, or it changed. It is shown as it is now."
)
REVIEW_DENIED = _("You may not review this rating")
PREQUALIFICATION_FAILED = _("The pre-qualification was not saved")
RESIDENCE_TEXTS = {
    Residence.LOCAL_HUKOU: _("Local household register (hukou)"),
    Residence.RESIDENCE_PERMIT: _("Local residence permit"),
    Residence.NONE: _("Neither"),
}
INCOME_PROOF_TEXTS = {
    IncomeProof.EMPLOYER_CERTIFICATE: _("Certificate of income from the employer"),
    IncomeProof.BUSINESS_LICENCE: _("Business licence (owner of a business)"),
    IncomeProof.BANK_STATEMENT_ONLY: _("Bank statements only"),
    IncomeProof.NONE: _("None"),
}


# --- the corporate rating -------------------------------------------------------------------


@router.get("/customers/{customer_id}/rating", response_class=HTMLResponse)
def rating_page(
    request: Request,
    session: DbSession,
    user: PageCreditAssess,
    customer_id: RowId,
    saved: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The customer's ratings (the newest with its points) and the scorecard to rate on."""
    return _render_rating(request, session, user, customer_id, saved=saved == "1")


def _typed_answers(form: FormData) -> dict[str, str]:
    """The answers as typed (to show the form again)."""
    typed = {
        factor.code: str(form.get(factor.code) or "").strip()[:40]
        for factor in ratings.model().factors
    }
    return {code: text for code, text in typed.items() if text}


def _rating_answers(typed: dict[str, str]) -> dict[str, rating_model.RatingAnswer]:
    """The answers as the scorecard takes them: a figure for a ratio, an option's code."""
    answers: dict[str, rating_model.RatingAnswer] = {}
    for factor in ratings.model().factors:
        text = typed.get(factor.code)
        if text is None:
            continue
        if isinstance(factor, rating_model.RatioFactor):
            try:
                number = parse_number(ascii_digits(text))
            except ValueError:
                raise ValidationFailed(
                    f"factor {factor.code!r} needs a number", field=factor.code
                ) from None
            if number is not None:
                answers[factor.code] = float(number)
        else:
            answers[factor.code] = text
    return answers


@router.post("/customers/{customer_id}/rating", response_class=HTMLResponse)
async def submit_rating(
    request: Request, session: DbSession, user: PageCreditAssess, customer_id: RowId
) -> Response:
    typed = _typed_answers(await request.form())
    try:
        ratings.submit_rating(
            session,
            user=user,
            customer_id=customer_id,
            answers=_rating_answers(typed),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=RATING_FAILED,
            denied=RATING_FAILED,
            otherwise=RATING_FAILED,
        )
        return _render_rating(
            request,
            session,
            user,
            customer_id,
            answers=typed,
            problem=problem,
            status_code=422,
        )
    session.commit()
    return RedirectResponse(f"/customers/{customer_id}/rating?saved=1", status_code=303)


def _render_rating(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    *,
    saved: bool = False,
    answers: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    customer = CreditRepository(session, user).customer_in_scope(customer_id)
    history = ratings.ratings(session, user=user, customer_id=customer_id, locale=locale)
    current = ratings.model()
    factors = [
        {
            "code": factor.code,
            "name": factor.name.text(locale),
            "weight": factor.weight,
            "ratio": isinstance(factor, rating_model.RatioFactor),
            "options": [
                {"code": option.code, "text": option.text.text(locale), "points": option.points}
                for option in getattr(factor, "options", ())
            ],
        }
        for factor in current.factors
    ]
    return render(
        request,
        "credit/rating.html",
        {
            "customer_id": customer_id,
            "customer_name": customer.name,
            "corporate": customer.customer_type == CustomerType.CORPORATE,
            "credit_grade": customer.credit_grade,
            "latest": history[0] if history else None,
            "history": history,
            "saved": saved,
            "title": current.title.text(locale),
            "model_version": current.version,
            "factors": factors,
            "answers": answers or {},
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


# --- the review queue -----------------------------------------------------------------------


@router.get("/ratings", response_class=HTMLResponse)
def rating_queue(request: Request, session: DbSession, user: PageCreditApprove) -> Response:
    """The submitted ratings of the viewer's branch waiting for review, oldest first."""
    return _render_queue(request, session, user)


@router.post("/ratings/{rating_id}/review", response_class=HTMLResponse)
async def review_rating(
    request: Request,
    session: DbSession,
    user: PageCreditApprove,
    rating_id: RowId,
    approve: FieldText = "",
    version: FieldText = "",
    note: NoteText = "",
) -> Response:
    try:
        seen = whole_number(version)
        if seen is None:
            raise ValidationFailed("the rating's version is missing", field="version")
        reviewed = ratings.review_rating(
            session,
            user=user,
            rating_id=rating_id,
            approve=approve == "1",
            version=seen,
            note=note.strip() or None,
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=REVIEW_CONFLICT,
            denied=REVIEW_DENIED,
            otherwise=REVIEW_CONFLICT,
        )
        return _render_queue(request, session, user, problem=problem, status_code=409)
    session.commit()
    return RedirectResponse(f"/customers/{reviewed.customer_id}/rating", status_code=303)


def _render_queue(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    return render(
        request,
        "credit/ratings.html",
        {
            "queue": ratings.review_queue(session, user=user, locale=locale),
            "user_id": user.id,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


# --- the loan pre-qualification -------------------------------------------------------------

PREQUALIFICATION_FIELDS = (
    "residence",
    "employment_months",
    "income_proof",
    "monthly_income",
    "declared_monthly_debt",
    "purchase_price",
    "down_payment",
    "term_months",
    "annual_rate",
)


@router.get("/customers/{customer_id}/prequalification", response_class=HTMLResponse)
def prequalification_page(
    request: Request,
    session: DbSession,
    user: PageCreditAssess,
    customer_id: RowId,
    saved: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The pre-qualification form; the newest result above it."""
    return _render_prequalification(request, session, user, customer_id, saved=saved == "1")


def _money(typed: dict[str, str], field: str) -> Decimal:
    try:
        number = parse_number(ascii_digits(typed.get(field, "")))
    except ValueError:
        number = None
    if number is None:
        raise ValidationFailed(f"{field} must be a number", field=field)
    return number


def _whole(typed: dict[str, str], field: str, *, low: int, high: int) -> int:
    number = whole_number(ascii_digits(typed.get(field, "")), low=low, high=high)
    if number is None:
        raise ValidationFailed(f"a whole number from {low} to {high}", field=field)
    return number


def _choice(typed: dict[str, str], field: str, kind: type[Choice]) -> Choice:
    try:
        return kind(typed.get(field, ""))
    except ValueError:
        raise ValidationFailed("pick one of the options", field=field) from None


def _application(typed: dict[str, str]) -> prequalifications.ApplicationInput:
    rate_percent = _money(typed, "annual_rate")
    return prequalifications.ApplicationInput(
        residence=_choice(typed, "residence", Residence),
        employment_months=_whole(typed, "employment_months", low=0, high=1_200),
        income_proof=_choice(typed, "income_proof", IncomeProof),
        monthly_income=_money(typed, "monthly_income"),
        declared_monthly_debt=_money(typed, "declared_monthly_debt"),
        purchase_price=_money(typed, "purchase_price"),
        down_payment=_money(typed, "down_payment"),
        term_months=_whole(typed, "term_months", low=1, high=600),
        annual_rate=rate_percent / 100,
    )


@router.post("/customers/{customer_id}/prequalification", response_class=HTMLResponse)
async def prequalify(
    request: Request, session: DbSession, user: PageCreditAssess, customer_id: RowId
) -> Response:
    form = await request.form()
    typed = {field: str(form.get(field) or "").strip()[:40] for field in PREQUALIFICATION_FIELDS}
    try:
        prequalifications.prequalify(
            session,
            user=user,
            customer_id=customer_id,
            application=_application(typed),
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=PREQUALIFICATION_FAILED,
            denied=PREQUALIFICATION_FAILED,
            otherwise=PREQUALIFICATION_FAILED,
        )
        return _render_prequalification(
            request, session, user, customer_id, typed=typed, problem=problem, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/customers/{customer_id}/prequalification?saved=1", status_code=303)


def _render_prequalification(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    *,
    saved: bool = False,
    typed: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    customer = CreditRepository(session, user).customer_in_scope(customer_id)
    history = prequalifications.prequalifications(
        session, user=user, customer_id=customer_id, locale=locale
    )
    return render(
        request,
        "credit/prequalification.html",
        {
            "customer_id": customer_id,
            "customer_name": customer.name,
            "birth_date": customer.birth_date,
            "latest": history[0] if history else None,
            "saved": saved,
            "title": prequalifications.checklist().title.text(locale),
            "residences": [
                (value.value, gettext(locale, text)) for value, text in RESIDENCE_TEXTS.items()
            ],
            "income_proofs": [
                (value.value, gettext(locale, text)) for value, text in INCOME_PROOF_TEXTS.items()
            ],
            "typed": typed or {},
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )
