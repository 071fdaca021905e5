"""The loan pricing pages: a quote for a customer with its breakdown, the branch manager's
queue of quotes beyond their quoter's authority, and the price simulation across grades."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import CreditGrade, CustomerType
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormText, ascii_digits, parse_number
from bankcrm.core.messages import _
from bankcrm.core.money import CENT
from bankcrm.core.pagination import MAX_ID, RowId, whole_number
from bankcrm.credit import quotes
from bankcrm.credit.grades import GRADES
from bankcrm.credit.schemas import MAX_QUOTE_AMOUNT, QuoteRead, Simulation
from bankcrm.customers import service as customers_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageCreditApprove, PageCreditAssess, PageCreditRead
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter()

NoteText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
ShortText = Annotated[str, Form(max_length=20)]
DEFAULT_AMOUNT = "1,000,000"
DEFAULT_TERM = "36"


QUOTE_FAILED = _("The quote was not made")
DECISION_CONFLICT = _(
    "Someone else decided this quote already, or it changed since you opened the page."
)
DECISION_DENIED = _("You may not decide on this quote")
SIMULATION_FAILED = _("The figures cannot be calculated")


@dataclass(frozen=True)
class QuoteForm:
    """What was typed into the quote form, shown again when it is refused."""

    amount: str = DEFAULT_AMOUNT
    term_months: str = DEFAULT_TERM
    product: str = ""
    grade: str = ""


def _amount(text: str) -> Decimal:
    """An amount typed in yuan (``¥1,000,000``), rounded to the fen."""
    try:
        amount = parse_number(text, ignore=",¥")
    except ValueError:
        amount = None
    if amount is None:
        raise ValidationFailed("the amount must be a number of yuan", field="amount")
    if not amount.is_finite() or amount <= 0 or amount > MAX_QUOTE_AMOUNT:
        raise ValidationFailed(
            "the amount must be above zero and at most 100 billion yuan", field="amount"
        )
    return amount.quantize(CENT)


def _term(text: str) -> int:
    months = whole_number(ascii_digits(text), low=1)
    if months is None or months > 600:
        raise ValidationFailed("a term is a whole number of months", field="term_months")
    return months


def _grade(text: str) -> CreditGrade | None:
    return quotes.parse_grade(text) if text.strip() else None


def _product(session: Session, code: str) -> str | None:
    """The loan product chosen, from those on sale; none for a quote without one."""
    if not code:
        return None
    if code not in {product.external_id for product in quotes.loan_products(session)}:
        raise ValidationFailed("choose a loan product on sale", field="product")
    return code


# --- a quote for a customer -----------------------------------------------------------------


@router.get("/customers/{customer_id}/quote", response_class=HTMLResponse)
def quote_form(
    request: Request,
    session: DbSession,
    user: PageCreditAssess,
    customer_id: RowId,
    shown: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The quote form, the grade preset from the customer's; with ``shown`` the breakdown of
    that quote above it."""
    return _render_quote(request, session, user, customer_id, QuoteForm(), shown=shown)


@router.post("/customers/{customer_id}/quote", response_class=HTMLResponse)
async def make_quote(
    request: Request,
    session: DbSession,
    user: PageCreditAssess,
    customer_id: RowId,
    amount: ShortText = "",
    term_months: ShortText = "",
    product: Annotated[str, Form(max_length=64)] = "",
    grade: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Prices and keeps the quote, then shows it; a refused one comes back filled in."""
    form = QuoteForm(
        amount=amount.strip(),
        term_months=term_months.strip(),
        product=product.strip(),
        grade=grade.strip(),
    )
    try:
        made = quotes.create_quote(
            session,
            user=user,
            settings=get_settings(),
            customer_id=customer_id,
            amount=_amount(form.amount),
            term_months=_term(form.term_months),
            product=_product(session, form.product),
            grade=_grade(form.grade),
        )
    except BankcrmError as error:
        problem = refusal(
            session, error, conflict=QUOTE_FAILED, denied=QUOTE_FAILED, otherwise=QUOTE_FAILED
        )
        return _render_quote(
            request, session, user, customer_id, form, problem=problem, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/customers/{customer_id}/quote?shown={made.id}", status_code=303)


def _render_quote(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    form: QuoteForm,
    *,
    shown: int | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    settings = get_settings()
    customer = quotes.quote_customer(session, user=user, customer_id=customer_id)
    history = quotes.customer_quotes(session, user=user, settings=settings, customer_id=customer_id)
    quote = next((row for row in history if row.id == shown), None)
    if not form.grade and customer.credit_grade is not None:
        form = QuoteForm(
            amount=form.amount,
            term_months=form.term_months,
            product=form.product,
            grade=customer.credit_grade.value,
        )
    return render(
        request,
        "credit/quote.html",
        {
            "customer": customer,
            "form": form,
            "grades": GRADES,
            "products": quotes.loan_products(session),
            "quote": quote,
            "history": history,
            "problem": translated(problem, request_locale(request)),
        },
        status_code=status_code,
    )


# --- the approval queue ---------------------------------------------------------------------


@router.get("/pricing/quotes", response_class=HTMLResponse)
def quote_queue(request: Request, session: DbSession, user: PageCreditApprove) -> Response:
    """Quotes beyond their quoter's authority that wait for the branch manager."""
    return _render_queue(request, session, user)


@router.post("/pricing/quotes/{quote_id}/approve", response_class=HTMLResponse)
async def approve_quote(
    request: Request,
    session: DbSession,
    user: PageCreditApprove,
    quote_id: RowId,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    note: NoteText = "",
) -> Response:
    return _decide(request, session, user, quote_id, version, approve=True, note=note)


@router.post("/pricing/quotes/{quote_id}/reject", response_class=HTMLResponse)
async def reject_quote(
    request: Request,
    session: DbSession,
    user: PageCreditApprove,
    quote_id: RowId,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    note: NoteText = "",
) -> Response:
    return _decide(request, session, user, quote_id, version, approve=False, note=note)


def _decide(
    request: Request,
    session: Session,
    user: StaffUser,
    quote_id: int,
    version: int,
    *,
    approve: bool,
    note: str,
) -> Response:
    try:
        quotes.decide(
            session,
            user=user,
            settings=get_settings(),
            quote_id=quote_id,
            version=version,
            approve=approve,
            note=note.strip() or None,
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=DECISION_CONFLICT,
            denied=DECISION_DENIED,
            otherwise=DECISION_CONFLICT,
        )
        return _render_queue(request, session, user, problem=problem, status_code=409)
    session.commit()
    return RedirectResponse(f"/pricing/quotes?decided={quote_id}", status_code=303)


def _render_queue(
    request: Request,
    session: Session,
    user: StaffUser,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    pending: list[QuoteRead] = quotes.pending_quotes(session, user=user, settings=get_settings())
    return render(
        request,
        "credit/quotes.html",
        {
            "quotes": pending,
            "customer_labels": customers_service.customer_labels(
                session, user=user, customer_ids=[quote.customer_id for quote in pending]
            ),
            "user_name": user.username,
            "problem": translated(problem, request_locale(request)),
        },
        status_code=status_code,
    )


# --- the price simulation -------------------------------------------------------------------


@router.get("/pricing/simulation", response_class=HTMLResponse)
def simulation(
    request: Request,
    session: DbSession,
    _user: PageCreditRead,
    amount: Annotated[str, Query(max_length=20)] = DEFAULT_AMOUNT,
    term_months: Annotated[str, Query(max_length=4)] = DEFAULT_TERM,
    product: Annotated[str, Query(max_length=64)] = "",
    customer_type: Annotated[str, Query(max_length=16)] = CustomerType.CORPORATE.value,
) -> Response:
    """The rate and RAROC each grade would get for the loan, and a table of the grades at
    three amounts; nothing is kept."""
    borrower = (
        CustomerType(customer_type)
        if customer_type in set(CustomerType)
        else CustomerType.CORPORATE
    )
    typed = {
        "amount": amount.strip(),
        "term_months": term_months.strip(),
        "product": product.strip(),
        "customer_type": borrower.value,
    }
    result: Simulation | None = None
    problem: Problem | None = None
    try:
        result = quotes.simulate(
            session,
            settings=get_settings(),
            amount=_amount(typed["amount"]),
            term_months=_term(typed["term_months"]),
            product=_product(session, typed["product"]),
            borrower=borrower,
        )
    except ValidationFailed as error:
        problem = Problem(SIMULATION_FAILED, error.message)
    chart = None
    if result is not None:
        chart = {
            "grades": [row.grade.value for row in result.grades],
            "rates": [row.rate for row in result.grades],
            "raroc": [row.raroc for row in result.grades],
            "hurdle": result.hurdle_rate,
        }
    return render(
        request,
        "credit/simulation.html",
        {
            "typed": typed,
            "result": result,
            "chart": chart,
            "products": quotes.loan_products(session),
            "customer_types": list(CustomerType),
            "problem": translated(problem, request_locale(request)),
        },
        status_code=200 if problem is None else 422,
    )
