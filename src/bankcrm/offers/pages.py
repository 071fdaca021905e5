"""The sales desk's pages: the risk assessment taken with the customer, the manager's offer
list, a sale with its disclosure and quote, the approval queue and the calculators."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import InvestmentGoal, ProductCategory, SaleStatus, SuitabilityReason
from bankcrm.core.exceptions import BankcrmError, ValidationFailed
from bankcrm.core.inputs import FormText, ascii_digits, parse_number
from bankcrm.core.messages import _
from bankcrm.core.money import CENT
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId, whole_number
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.offers import book, calculators, service
from bankcrm.offers.schemas import RefusalRead
from bankcrm.offers.service import SaleRefused, SaleRequest
from bankcrm.products.models import Product
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training import service as training_service
from bankcrm.web.deps import PageOffersApprove, PageOffersRead, PageOffersSell, PageUser
from bankcrm.web.filters import chosen_id
from bankcrm.web.i18n import format_money, gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, refusal, translated
from bankcrm.web.templating import render

router = APIRouter()

NoteText = Annotated[FormText, Form(max_length=2000, pattern=STORABLE_TEXT)]
AmountText = Annotated[str, Form(max_length=20)]
BASIS_POINTS = Decimal(10_000)
MAX_AMOUNT = Decimal("10000000000")
INVESTMENT_QUOTES = {ProductCategory.WEALTH, ProductCategory.FUND, ProductCategory.INSURANCE}

SALE_TABS = ("pending", "all")


REFUSAL_TEXTS = {
    SuitabilityReason.KYC_INCOMPLETE: _(
        "The customer's identity check is not complete (status %(customer)s)."
    ),
    SuitabilityReason.NO_VALID_ASSESSMENT: _(
        "No valid risk assessment: only R1 products may be sold until the customer is assessed."
    ),
    SuitabilityReason.LEVEL_ABOVE: _(
        "The product's risk level %(product)s is above the customer's level %(customer)s."
    ),
    SuitabilityReason.HORIZON_LONGER: _(
        "The product runs %(product)s months, longer than the customer's horizon of "
        "%(customer)s months."
    ),
    SuitabilityReason.GOAL_MISMATCH: _(
        "The product does not fit the customer's goal (%(customer)s)."
    ),
    SuitabilityReason.ELDERLY_LIMIT: _(
        "The customer is %(customer)s years old: above the age limit, products above "
        "%(product)s need an override."
    ),
    SuitabilityReason.VULNERABLE_LIMIT: _(
        "The customer needs extra care: products above %(product)s need an override."
    ),
    SuitabilityReason.SELLER_UNQUALIFIED: _(
        "Selling a product of risk level %(product)s needs a valid %(customer)s certificate, "
        "which you do not hold today: a qualified colleague must make the sale."
    ),
}
SALE_REFUSED = _("The product does not suit the customer")
SALE_FAILED = _("The sale was not recorded")
DECISION_CONFLICT = _(
    "Someone else decided this sale already, or it can no longer be changed. It is shown as "
    "it is now."
)
DECISION_DENIED = _("You may not decide on this sale")
ASSESSMENT_FAILED = _("The assessment was not saved")
CANCEL_FAILED = _("The sale was not cancelled")


def refusal_text(refusal_read: RefusalRead, locale: str) -> str:
    """One rule the sale breaks, in the reader's words."""
    customer: object = refusal_read.customer
    if refusal_read.reason == SuitabilityReason.GOAL_MISMATCH and customer in set(InvestmentGoal):
        customer = label_for(InvestmentGoal(str(customer)), locale)
    if refusal_read.reason == SuitabilityReason.SELLER_UNQUALIFIED:
        customer = training_service.catalogue(get_settings().training).name(str(customer), locale)
    return gettext(locale, REFUSAL_TEXTS[refusal_read.reason]) % {
        "product": refusal_read.product,
        "customer": customer,
    }


# --- the risk assessment ------------------------------------------------------------------


@router.get("/customers/{customer_id}/assessment", response_class=HTMLResponse)
def assessment_form(
    request: Request,
    session: DbSession,
    user: PageOffersSell,
    customer_id: RowId,
    saved: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The questionnaire, taken with the customer; the newest assessment above it."""
    return _render_assessment(request, session, user, customer_id, saved=saved == "1")


@router.post("/customers/{customer_id}/assessment", response_class=HTMLResponse)
async def take_assessment(
    request: Request, session: DbSession, user: PageOffersSell, customer_id: RowId
) -> Response:
    form = await request.form()
    current = service.questionnaire(get_settings().offers)
    answers = {
        question.code: str(form.get(question.code) or "")
        for question in current.questions
        if form.get(question.code)
    }
    vulnerable = form.get("vulnerable") == "1"
    try:
        service.assess(
            session,
            user=user,
            settings=get_settings().offers,
            customer_id=customer_id,
            answers=answers,
            vulnerable=vulnerable,
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=ASSESSMENT_FAILED,
            denied=ASSESSMENT_FAILED,
            otherwise=ASSESSMENT_FAILED,
        )
        return _render_assessment(
            request,
            session,
            user,
            customer_id,
            answers=answers,
            vulnerable=vulnerable,
            problem=problem,
            status_code=422,
        )
    session.commit()
    return RedirectResponse(f"/customers/{customer_id}/assessment?saved=1", status_code=303)


def _render_assessment(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    *,
    saved: bool = False,
    answers: dict[str, str] | None = None,
    vulnerable: bool = False,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    settings = get_settings().offers
    customer = book.customer_name(session, user=user, customer_id=customer_id)
    history = service.assessments(session, user=user, customer_id=customer_id)
    return render(
        request,
        "offers/assessment.html",
        {
            "customer_id": customer_id,
            "customer_name": customer,
            "questionnaire": service.questionnaire_read(settings, locale),
            "latest": history[0] if history else None,
            "saved": saved,
            "answers": answers or {},
            "vulnerable": vulnerable,
            "valid_months": settings.assessment_valid_months,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


# --- the manager's offer list -------------------------------------------------------------


@router.get("/offers", response_class=HTMLResponse)
def offer_list(
    request: Request,
    session: DbSession,
    user: PageOffersSell,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """The customers in the viewer's book most likely to take something up, with what suits
    them."""
    locale = request_locale(request)
    result = book.book_offers(
        session,
        user=user,
        settings=get_settings().offers,
        locale=locale,
        page=page,
        page_size=page_size,
    )
    return render(
        request,
        "offers/list.html",
        {"result": result, "query": {"page_size": page_size}},
    )


# --- a sale -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleForm:
    """What was typed into the sale form, shown again when it is refused."""

    product_id: str = ""
    amount: str = ""
    override_reason: str = ""
    disclosure_confirmed: bool = False
    customer_confirmed: bool = False


@router.get("/customers/{customer_id}/sale", response_class=HTMLResponse)
def sale_form(
    request: Request,
    session: DbSession,
    user: PageOffersSell,
    customer_id: RowId,
    product_id: Annotated[str, Query(max_length=20)] = "",
    amount: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The sale form for one customer: the product, the amount, its quote and the risk
    disclosure the customer confirms."""
    chosen = chosen_id(product_id)
    return _render_sale_form(
        request,
        session,
        user,
        customer_id,
        SaleForm(product_id=str(chosen) if chosen else "", amount=amount.strip()),
    )


@router.post("/customers/{customer_id}/sale", response_class=HTMLResponse)
async def record_sale(
    request: Request,
    session: DbSession,
    user: PageOffersSell,
    customer_id: RowId,
    product_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    amount: AmountText = "",
    override_reason: NoteText = "",
    disclosure_confirmed: Annotated[str, Form(max_length=1)] = "",
    customer_confirmed: Annotated[str, Form(max_length=1)] = "",
    quote: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Records the sale; with ``quote`` the form comes back with the figures for the amount.
    A refused sale comes back filled in, with every rule it breaks."""
    locale = request_locale(request)
    form = SaleForm(
        product_id=str(product_id),
        amount=amount.strip(),
        override_reason=override_reason.strip(),
        disclosure_confirmed=disclosure_confirmed == "1",
        customer_confirmed=customer_confirmed == "1",
    )
    if quote:
        return _render_sale_form(request, session, user, customer_id, form)
    try:
        sale = service.sell(
            session,
            user=user,
            settings=get_settings().offers,
            request=SaleRequest(
                customer_id=customer_id,
                product_id=product_id,
                amount=_amount(form.amount),
                override_reason=form.override_reason or None,
                disclosure_confirmed=form.disclosure_confirmed,
                customer_confirmed=form.customer_confirmed,
            ),
            locale=locale,
        )
    except SaleRefused as error:
        # the refusal's audit entry is kept: a regulator reads refused sales too
        session.commit()
        return _render_sale_form(
            request,
            session,
            user,
            customer_id,
            form,
            problem=Problem(SALE_REFUSED, None).translated(locale),
            refusals=[refusal_text(RefusalRead.model_validate(r), locale) for r in error.reasons],
            status_code=409,
        )
    except BankcrmError as error:
        problem = refusal(
            session, error, conflict=SALE_FAILED, denied=SALE_FAILED, otherwise=SALE_FAILED
        )
        return _render_sale_form(
            request,
            session,
            user,
            customer_id,
            form,
            problem=problem.translated(locale),
            status_code=422,
        )
    session.commit()
    return RedirectResponse(f"/sales/{sale.id}", status_code=303)


def _amount(text: str) -> Decimal:
    """An amount typed in yuan (``¥20,000``), rounded to the fen."""
    amount = _number(
        text, ignore=",¥", refusal="the amount must be a number of yuan", field="amount"
    )
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationFailed("the amount must be above zero and at most 10 billion yuan")
    return amount.quantize(CENT)


def _number(text: str, *, ignore: str, refusal: str, field: str) -> Decimal:
    """A number the form cannot do without: nothing typed is refused as not a number is."""
    try:
        number = parse_number(text, ignore=ignore)
    except ValueError:
        number = None
    if number is None:
        raise ValidationFailed(refusal, field=field)
    return number


def _render_sale_form(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    form: SaleForm,
    *,
    problem: Problem | None = None,
    refusals: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    settings = get_settings().offers
    desk = book.sale_desk(session, user=user, settings=settings, customer_id=customer_id)
    product = next(
        (candidate for candidate in desk.products if str(candidate.id) == form.product_id), None
    )
    mismatch: list[str] = []
    if product is not None and refusals is None:
        mismatch = [
            refusal_text(RefusalRead.model_validate(refusal.as_json()), locale)
            for refusal in desk.verdicts[product.id].refusals
        ]
    amount: Decimal | None = None
    try:
        amount = _amount(form.amount) if form.amount else None
    except ValidationFailed:
        amount = None
    return render(
        request,
        "offers/sale.html",
        {
            "customer_id": customer_id,
            "customer_name": desk.customer_name,
            "assessment": desk.assessment,
            "products": [
                (candidate, desk.verdicts[candidate.id].allowed) for candidate in desk.products
            ],
            "product": product,
            "form": form,
            "mismatch": refusals if refusals is not None else mismatch,
            "quote": _quote(product, amount, locale) if product and amount else [],
            "cooling_off_hours": settings.cooling_off_hours,
            "investment": product is not None and product.category in INVESTMENT_QUOTES,
            "problem": problem,
        },
        status_code=status_code,
    )


def _quote(product: Product, amount: Decimal, locale: str) -> list[tuple[str, str]]:
    """The figures the manager quotes for the amount: interest, repayments or the expected
    return, from the product's rate and term."""
    if product.annual_rate_bp is None or not product.term_months:
        return []
    rate = Decimal(product.annual_rate_bp) / BASIS_POINTS
    months = product.term_months

    def money(value: Decimal) -> str:
        return format_money(value, locale)

    if product.category == ProductCategory.LOAN:
        level = calculators.amortisation(
            principal=amount,
            annual_rate=rate,
            months=months,
            method=calculators.RepaymentMethod.EQUAL_INSTALMENT,
        )
        falling = calculators.amortisation(
            principal=amount,
            annual_rate=rate,
            months=months,
            method=calculators.RepaymentMethod.EQUAL_PRINCIPAL,
        )
        return [
            (gettext(locale, "Monthly payment, equal instalments"), money(level.first_payment)),
            (gettext(locale, "Total interest, equal instalments"), money(level.total_interest)),
            (
                gettext(locale, "First and last payment, equal principal"),
                f"{money(falling.first_payment)} → {money(falling.last_payment)}",
            ),
            (gettext(locale, "Total interest, equal principal"), money(falling.total_interest)),
        ]
    deposit = calculators.deposit_interest(principal=amount, annual_rate=rate, months=months)
    if product.category in INVESTMENT_QUOTES:
        return [
            (
                gettext(locale, "Expected return over the term (not guaranteed)"),
                money(deposit.interest),
            ),
            (
                gettext(locale, "Expected value at the end of the term"),
                money(deposit.maturity_amount),
            ),
        ]
    return [
        (gettext(locale, "Interest at maturity"), money(deposit.interest)),
        (gettext(locale, "Paid out at maturity"), money(deposit.maturity_amount)),
    ]


# --- sales and the approval queue ---------------------------------------------------------


@router.get("/sales", response_class=HTMLResponse)
def sale_list(
    request: Request,
    session: DbSession,
    user: PageOffersRead,
    tab: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """Sales the viewer may see; a branch manager starts on the mismatches waiting for them."""
    approver = has_permission(user.role, Permission.OFFERS_APPROVE)
    chosen = tab if tab in SALE_TABS else ("pending" if approver else "all")
    result = service.list_sales(
        session,
        user=user,
        locale=request_locale(request),
        status=SaleStatus.PENDING_APPROVAL if chosen == "pending" else None,
        page=page,
        page_size=page_size,
    )
    return render(
        request,
        "offers/sales.html",
        {
            "result": result,
            "tab": chosen,
            "query": {"tab": chosen, "page_size": page_size},
        },
    )


@router.get("/sales/{sale_id}", response_class=HTMLResponse)
def sale_page(
    request: Request, session: DbSession, user: PageOffersRead, sale_id: RowId
) -> Response:
    return _render_sale(request, session, user, sale_id)


@router.post("/sales/{sale_id}/approve", response_class=HTMLResponse)
async def approve_sale(
    request: Request,
    session: DbSession,
    user: PageOffersApprove,
    sale_id: RowId,
    note: NoteText = "",
) -> Response:
    return _decide(request, session, user, sale_id, approve=True, note=note)


@router.post("/sales/{sale_id}/reject", response_class=HTMLResponse)
async def reject_sale(
    request: Request,
    session: DbSession,
    user: PageOffersApprove,
    sale_id: RowId,
    note: NoteText = "",
) -> Response:
    return _decide(request, session, user, sale_id, approve=False, note=note)


def _decide(
    request: Request, session: Session, user: StaffUser, sale_id: int, *, approve: bool, note: str
) -> Response:
    try:
        service.decide(
            session,
            user=user,
            settings=get_settings().offers,
            sale_id=sale_id,
            approve=approve,
            note=note.strip() or None,
            locale=request_locale(request),
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=DECISION_CONFLICT,
            denied=DECISION_DENIED,
            otherwise=DECISION_CONFLICT,
        )
        return _render_sale(request, session, user, sale_id, problem=problem, status_code=409)
    session.commit()
    return RedirectResponse(f"/sales/{sale_id}", status_code=303)


@router.post("/sales/{sale_id}/cancel", response_class=HTMLResponse)
async def cancel_sale(
    request: Request,
    session: DbSession,
    user: PageOffersSell,
    sale_id: RowId,
    reason: NoteText = "",
) -> Response:
    try:
        if not reason.strip():
            raise ValidationFailed("say why the customer cancels", field="reason")
        service.cancel(
            session, user=user, sale_id=sale_id, reason=reason, locale=request_locale(request)
        )
    except BankcrmError as error:
        problem = refusal(
            session,
            error,
            conflict=DECISION_CONFLICT,
            denied=DECISION_DENIED,
            otherwise=CANCEL_FAILED,
        )
        return _render_sale(request, session, user, sale_id, problem=problem, status_code=409)
    session.commit()
    return RedirectResponse(f"/sales/{sale_id}", status_code=303)


def _render_sale(
    request: Request,
    session: Session,
    user: StaffUser,
    sale_id: int,
    *,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    sale = service.get_sale(session, user=user, sale_id=sale_id, locale=locale)
    may_decide = (
        sale.status == SaleStatus.PENDING_APPROVAL
        and has_permission(user.role, Permission.OFFERS_APPROVE)
        and sale.sold_by != user.username
    )
    return render(
        request,
        "offers/sale_detail.html",
        {
            "sale": sale,
            "mismatch": [refusal_text(item, locale) for item in sale.mismatch],
            "may_decide": may_decide,
            "may_cancel": sale.cancellable and has_permission(user.role, Permission.OFFERS_SELL),
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )


# --- the calculators ----------------------------------------------------------------------


@router.get("/calculators", response_class=HTMLResponse)
def calculator_page(
    request: Request,
    _user: PageUser,
    kind: Annotated[str, Query(max_length=10)] = "deposit",
    amount: Annotated[str, Query(max_length=20)] = "",
    rate: Annotated[str, Query(max_length=10)] = "",
    months: Annotated[str, Query(max_length=4)] = "",
    compounding: Annotated[str, Query(max_length=10)] = calculators.Compounding.SIMPLE.value,
    demand_rate: Annotated[str, Query(max_length=10)] = "",
    months_held: Annotated[str, Query(max_length=4)] = "",
    method: Annotated[str, Query(max_length=20)] = calculators.RepaymentMethod.EQUAL_INSTALMENT,
) -> Response:
    """Deposit interest (with early withdrawal) and loan repayment, from the figures typed."""
    locale = request_locale(request)
    typed = {
        "kind": "loan" if kind == "loan" else "deposit",
        "amount": amount,
        "rate": rate,
        "months": months,
        "compounding": compounding,
        "demand_rate": demand_rate,
        "months_held": months_held,
        "method": method,
    }
    context: dict[str, Any] = {"typed": typed, "deposit": None, "early": None, "loan": None}
    problem: Problem | None = None
    if amount and rate and months:
        try:
            principal = _amount(amount)
            annual = _per_cent(rate, field="rate")
            term = _whole(months, field="months")
            if typed["kind"] == "loan":
                context["loan"] = calculators.amortisation(
                    principal=principal, annual_rate=annual, months=term, method=method
                )
            else:
                context["deposit"] = calculators.deposit_interest(
                    principal=principal, annual_rate=annual, months=term, compounding=compounding
                )
                if demand_rate and months_held:
                    context["early"] = calculators.early_withdrawal(
                        principal=principal,
                        annual_rate=annual,
                        demand_rate=_per_cent(demand_rate, field="demand_rate"),
                        term_months=term,
                        months_held=_whole(months_held, field="months_held"),
                    )
        except ValidationFailed as error:
            problem = Problem(_("The figures cannot be calculated"), error.message)
    context["problem"] = translated(problem, locale)
    context["compoundings"] = list(calculators.Compounding)
    context["methods"] = list(calculators.RepaymentMethod)
    return render(request, "offers/calculators.html", context)


def _per_cent(text: str, *, field: str) -> Decimal:
    """A rate typed in per cent a year (``2.75`` or ``2.75%``), as a fraction."""
    rate = _number(text, ignore="%", refusal="a rate is a number of per cent a year", field=field)
    return rate / 100


def _whole(text: str, *, field: str) -> int:
    months = whole_number(ascii_digits(text), low=0)
    if months is None:
        raise ValidationFailed("a term is a whole number of months", field=field)
    return months
