"""Loan quotes with the bank's data: the grade, product, customer type and relationship
looked up, priced by :func:`bankcrm.credit.pricing.quote`, and, in the application, kept.

The command line (``bankcrm pricing quote``) acts for the bank and quotes for any customer
(:func:`quote_for_bank`); staff quote for the customers they may see (:func:`create_quote`).
A quote within the quoter's authority is agreed as given; one beyond it waits for a branch
manager who did not quote it (maker–checker, :func:`decide`). Every change of a quote is
written to the audit trail by the session's audit events.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import PricingSettings, Settings
from bankcrm.core.db import session_scope
from bankcrm.core.enums import CreditGrade, CustomerType, QuoteStatus
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.inputs import parse_number
from bankcrm.core.money import from_cents, to_cents
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.credit import pricing
from bankcrm.credit.grades import GRADES, pd_of
from bankcrm.credit.models import PricingQuote
from bankcrm.credit.rate_table import BaseRate, load_rate_table
from bankcrm.credit.repository import CreditRepository, PricingSystemRepository
from bankcrm.credit.schemas import (
    QuoteRead,
    SimulatedCell,
    SimulatedGrade,
    Simulation,
    SpreadsRead,
)
from bankcrm.customers.models import Customer
from bankcrm.products import repository as products_repository
from bankcrm.products.models import Product
from bankcrm.segmentation import repository as segmentation_repository
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser

SIMULATED_AMOUNTS = (Decimal(100_000), Decimal(1_000_000), Decimal(10_000_000))
"""The amounts of the simulation's table, yuan."""
QUOTES_SHOWN = 50
QUEUE_LENGTH = 200


# --- inputs and lookups -----------------------------------------------------------------------


def parse_grade(text: str) -> CreditGrade:
    try:
        return CreditGrade(text.strip().upper())
    except ValueError:
        names = ", ".join(grade.value for grade in GRADES)
        raise ValidationFailed(f"unknown grade {text!r}: one of {names}", field="grade") from None


def parse_amount(text: str) -> Decimal:
    try:
        amount = parse_number(text)
    except ValueError:
        amount = None
    if amount is None:
        raise ValidationFailed(f"the amount is a number of yuan, not {text!r}", field="amount")
    return amount


def base_rate(settings: PricingSettings, term_months: int) -> BaseRate:
    """The LPR of the term in force today, from the bank's rate table or the shipped one."""
    return load_rate_table(settings.rate_table).base_rate(term_months=term_months, day=bank_today())


def product_on_sale(session: Session, code: str) -> Product:
    for product in products_repository.on_sale(session):
        if product.external_id == code:
            return product
    raise NotFound(f"no product {code!r} on sale")


def loan_products(session: Session) -> list[Product]:
    """The products on sale that lend, by code."""
    return [
        product
        for product in products_repository.on_sale(session)
        if product.category in pricing.PRICED_CATEGORIES
    ]


def priced(product: Product) -> pricing.PricedProduct:
    return pricing.PricedProduct(
        code=product.external_id, category=product.category, term_months=product.term_months
    )


# --- the command line: any customer, nothing kept -------------------------------------------


@dataclass(frozen=True)
class BankQuote:
    grade: CreditGrade
    amount: Decimal
    term_months: int
    borrower: CustomerType
    quote: pricing.Quote


def _bank_customer(
    session: Session, reference: str, stated_type: CustomerType | None
) -> tuple[CustomerType, pricing.Relationship]:
    """The customer's type and their place in the latest segmentation run."""
    repository = PricingSystemRepository(session)
    customer = repository.customer(reference)
    if customer is None:
        raise NotFound(f"no customer {reference!r}")
    if stated_type is not None and stated_type != customer.customer_type:
        raise ValidationFailed(
            f"customer {customer.external_id} is {customer.customer_type.value}, "
            f"not {stated_type.value}",
            field="customer_type",
        )
    run = segmentation_repository.RunRepository(session).finished()
    segment = repository.segment(run_id=run.id, customer_id=customer.id)
    if segment is None:
        raise NotFound(
            f"customer {customer.external_id} is not in the segmentation run of {run.as_of}"
        )
    relationship = pricing.Relationship(
        quadrant=segment.quadrant,
        value_tier=segment.value_tier,
        loyalty_index=segment.loyalty_index,
    )
    return customer.customer_type, relationship


def quote_for_bank(
    *,
    settings: Settings,
    grade: str,
    amount: str,
    term_months: int,
    product: str | None,
    customer: str | None,
    customer_type: CustomerType | None,
) -> BankQuote:
    """A quote as typed on the command line: the customer by number (or id) gets the
    discount of their place in the latest segmentation run; nothing is stored."""
    loan_grade = parse_grade(grade)
    loan_amount = parse_amount(amount)
    base = base_rate(settings.pricing, term_months)
    priced_product = None
    borrower, relationship = customer_type or CustomerType.CORPORATE, None
    if product is not None or customer is not None:
        with session_scope() as session:
            if product is not None:
                priced_product = priced(product_on_sale(session, product))
            if customer is not None:
                borrower, relationship = _bank_customer(session, customer, customer_type)
    loan = pricing.Loan(
        pd=pd_of(loan_grade, settings.credit.master_scale),
        amount=loan_amount,
        term_months=term_months,
        borrower=borrower,
        product=priced_product,
    )
    result = pricing.quote(loan, base=base, relationship=relationship, settings=settings.pricing)
    return BankQuote(
        grade=loan_grade,
        amount=loan_amount,
        term_months=term_months,
        borrower=borrower,
        quote=result,
    )


# --- quotes kept in the application ---------------------------------------------------------


def quote_customer(session: Session, *, user: StaffUser, customer_id: int) -> Customer:
    """The customer a quote is for, among those the user may see."""
    return CreditRepository(session, user).customer_in_scope(customer_id)


def _relationship(
    session: Session, repository: CreditRepository, customer_id: int
) -> pricing.Relationship | None:
    """The customer's place in the latest segmentation run; none (no discount) before the
    first run or for a customer the run did not include."""
    run = segmentation_repository.RunRepository(session).latest()
    if run is None:
        return None
    segment = repository.segment(run_id=run.id, customer_id=customer_id)
    if segment is None:
        return None
    return pricing.Relationship(
        quadrant=segment.quadrant,
        value_tier=segment.value_tier,
        loyalty_index=segment.loyalty_index,
    )


def status_for(authority: pricing.Authority, user: StaffUser) -> QuoteStatus:
    """Agreed when the quoter may agree it; else it waits for a decision."""
    if authority is pricing.Authority.ACCOUNT_MANAGER:
        return QuoteStatus.AGREED
    if authority is pricing.Authority.BRANCH_MANAGER and has_permission(
        user.role, Permission.CREDIT_APPROVE
    ):
        return QuoteStatus.AGREED
    return QuoteStatus.PENDING_APPROVAL


def create_quote(
    session: Session,
    *,
    user: StaffUser,
    settings: Settings,
    customer_id: int,
    amount: Decimal,
    term_months: int,
    product: str | None = None,
    grade: CreditGrade | None = None,
) -> QuoteRead:
    """Price a loan for a customer the user may see and keep the quote: at the customer's
    credit grade unless ``grade`` is given, with the discount of their segment."""
    repository = CreditRepository(session, user)
    customer = repository.customer_in_scope(customer_id)
    loan_grade = grade or customer.credit_grade
    if loan_grade is None:
        raise ValidationFailed(
            f"customer {customer.external_id} has no credit grade yet: give one", field="grade"
        )
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(f"the amount must be positive, not {amount}", field="amount")
    chosen = product_on_sale(session, product) if product else None
    base = base_rate(settings.pricing, term_months)
    pd = pd_of(loan_grade, settings.credit.master_scale)
    loan = pricing.Loan(
        pd=pd,
        amount=amount,
        term_months=term_months,
        borrower=customer.customer_type,
        product=priced(chosen) if chosen else None,
    )
    result = pricing.quote(
        loan,
        base=base,
        relationship=_relationship(session, repository, customer.id),
        settings=settings.pricing,
    )
    row = PricingQuote(
        customer_id=customer.id,
        product_id=chosen.id if chosen else None,
        grade=loan_grade,
        probability_of_default=pd,
        amount_cents=to_cents(amount),
        term_months=term_months,
        rate=result.rate,
        floor=result.floor,
        ceiling=result.ceiling,
        base=base.rate.quantize(pricing.PLACES, rounding=ROUND_HALF_UP),
        spreads=result.spreads.as_json(),
        discount=result.discount,
        raroc=result.raroc,
        authority=result.authority,
        rate_table_version=base.effective.isoformat(),
        status=status_for(result.authority, user),
        quoted_by_id=user.id,
        quoted_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return quote_read(session, row, settings.pricing)


def customer_quotes(
    session: Session, *, user: StaffUser, settings: Settings, customer_id: int
) -> list[QuoteRead]:
    """The customer's latest quotes, newest first."""
    repository = CreditRepository(session, user)
    repository.customer_in_scope(customer_id)
    rows = repository.quotes(customer_id, limit=QUOTES_SHOWN)
    return [quote_read(session, row, settings.pricing) for row in rows]


def pending_quotes(session: Session, *, user: StaffUser, settings: Settings) -> list[QuoteRead]:
    """The quotes the user may see that wait for a decision, newest first."""
    rows = CreditRepository(session, user).find_quotes(
        conditions=[PricingQuote.status == QuoteStatus.PENDING_APPROVAL], limit=QUEUE_LENGTH
    )
    return [quote_read(session, row, settings.pricing) for row in rows]


def _quote_row(repository: CreditRepository, quote_id: int) -> PricingQuote:
    found = repository.find_quotes(conditions=[PricingQuote.id == quote_id], limit=1)
    if not found:
        raise NotFound(f"no quote {quote_id} you may see")
    return found[0]


def get_quote(session: Session, *, user: StaffUser, settings: Settings, quote_id: int) -> QuoteRead:
    row = _quote_row(CreditRepository(session, user), quote_id)
    return quote_read(session, row, settings.pricing)


def decide(
    session: Session,
    *,
    user: StaffUser,
    settings: Settings,
    quote_id: int,
    version: int,
    approve: bool,
    note: str | None,
) -> QuoteRead:
    """A branch manager approves or rejects a quote beyond its quoter's authority; never
    its quoter (maker–checker), and only the version they saw."""
    row = _quote_row(CreditRepository(session, user), quote_id)
    if row.quoted_by_id == user.id:
        raise PermissionDenied("you quoted this: a second person must decide on it (maker–checker)")
    if row.version != version:
        raise Conflict(
            f"quote {quote_id} was changed by someone else (now version {row.version}); reload it"
        )
    if row.status != QuoteStatus.PENDING_APPROVAL:
        raise Conflict(f"quote {quote_id} is {row.status.value}, not waiting for approval")
    row.status = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
    row.decided_by_id = user.id
    row.decided_at = utcnow()
    row.decision_note = note
    session.flush()
    return quote_read(session, row, settings.pricing)


def quote_read(session: Session, row: PricingQuote, settings: PricingSettings) -> QuoteRead:
    product = products_repository.get(session, row.product_id) if row.product_id else None
    return QuoteRead(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        version=row.version,
        rate=float(row.rate),
        floor=float(row.floor),
        ceiling=float(row.ceiling),
        base=float(row.base),
        spreads=SpreadsRead.model_validate(row.spreads),
        discount=float(row.discount),
        raroc=float(row.raroc),
        authority=row.authority,
        grade=row.grade,
        probability_of_default=row.probability_of_default,
        amount=from_cents(row.amount_cents),
        term_months=row.term_months,
        product=product.external_id if product is not None else None,
        rate_table_version=row.rate_table_version,
        hurdle_rate=float(settings.hurdle_rate),
        quoted_by=staff_repository.username(session, row.quoted_by_id),
        quoted_at=row.quoted_at,
        decided_by=staff_repository.username(session, row.decided_by_id),
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


# --- the price simulation: nothing kept -----------------------------------------------------


def simulate(
    session: Session,
    *,
    settings: Settings,
    amount: Decimal,
    term_months: int,
    product: str | None,
    borrower: CustomerType,
) -> Simulation:
    """The rate and RAROC each grade would get for the loan, without a relationship
    discount, and a table of every grade at three amounts."""
    chosen = priced(product_on_sale(session, product)) if product else None
    base = base_rate(settings.pricing, term_months)
    scale = settings.credit.master_scale

    def priced_at(grade: CreditGrade, loan_amount: Decimal) -> pricing.Quote:
        loan = pricing.Loan(
            pd=pd_of(grade, scale),
            amount=loan_amount,
            term_months=term_months,
            borrower=borrower,
            product=chosen,
        )
        return pricing.quote(loan, base=base, relationship=None, settings=settings.pricing)

    by_grade = []
    for grade in GRADES:
        result = priced_at(grade, amount)
        by_grade.append(
            SimulatedGrade(
                grade=grade,
                probability_of_default=pd_of(grade, scale),
                rate=float(result.rate),
                raroc=float(result.raroc),
                authority=result.authority,
            )
        )
    table = [
        [
            SimulatedCell(
                grade=grade,
                amount=cell_amount,
                rate=float(result.rate),
                raroc=float(result.raroc),
                authority=result.authority,
            )
            for cell_amount in SIMULATED_AMOUNTS
            for result in [priced_at(grade, cell_amount)]
        ]
        for grade in GRADES
    ]
    return Simulation(
        amount=amount,
        term_months=term_months,
        product=chosen.code if chosen else None,
        borrower=borrower,
        base=float(base.rate.quantize(pricing.PLACES, rounding=ROUND_HALF_UP)),
        base_effective=base.effective,
        hurdle_rate=float(settings.pricing.hurdle_rate),
        grades=by_grade,
        amounts=list(SIMULATED_AMOUNTS),
        table=table,
    )
