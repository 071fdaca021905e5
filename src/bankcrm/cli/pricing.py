"""``bankcrm pricing``: risk-based loan quotes, their RAROC and who may agree them."""

from __future__ import annotations

import json
from decimal import Decimal

import typer
from sqlalchemy.orm import Session

from bankcrm.core.clock import bank_today
from bankcrm.core.config import get_settings
from bankcrm.core.db import session_scope
from bankcrm.core.enums import CreditGrade, CustomerType
from bankcrm.core.exceptions import BankcrmError, NotFound, ValidationFailed
from bankcrm.core.inputs import parse_number
from bankcrm.credit import pricing
from bankcrm.credit.grades import GRADES, pd_of
from bankcrm.credit.rate_table import load_rate_table
from bankcrm.customers.models import Customer
from bankcrm.products import repository as products_repository
from bankcrm.scope import SystemRepository
from bankcrm.segmentation import repository as segmentation_repository
from bankcrm.segmentation.models import CustomerSegment

pricing_app = typer.Typer(help="Risk-based loan pricing.", no_args_is_help=True)

LARGEST_CUSTOMER_ID = 2**31 - 1
"""Customer ids are 32-bit integers; a longer number can only be a customer number."""


class PricingSystemRepository(SystemRepository):
    """The quote command's reads of any customer and their segment (the command line acts
    for the bank)."""

    def customer(self, reference: str) -> Customer | None:
        """The customer whose number is ``reference``; else the one with that id."""
        by_number = self.customers().where(Customer.external_id == reference)
        found = self.session.scalars(by_number).first()
        if found is not None or not reference.isdigit() or int(reference) > LARGEST_CUSTOMER_ID:
            return found
        return self.session.scalars(self.customers().where(Customer.id == int(reference))).first()

    def segment(self, *, run_id: int, customer_id: int) -> CustomerSegment | None:
        statement = self.owned(CustomerSegment).where(
            CustomerSegment.run_id == run_id, CustomerSegment.customer_id == customer_id
        )
        return self.session.scalars(statement).first()


def _grade(text: str) -> CreditGrade:
    try:
        return CreditGrade(text.strip().upper())
    except ValueError:
        names = ", ".join(grade.value for grade in GRADES)
        raise ValidationFailed(f"unknown grade {text!r}: one of {names}", field="grade") from None


def _amount(text: str) -> Decimal:
    try:
        amount = parse_number(text)
    except ValueError:
        amount = None
    if amount is None:
        raise ValidationFailed(f"the amount is a number of yuan, not {text!r}", field="amount")
    return amount


def _product(session: Session, code: str) -> pricing.PricedProduct:
    for product in products_repository.on_sale(session):
        if product.external_id == code:
            return pricing.PricedProduct(
                code=product.external_id,
                category=product.category,
                term_months=product.term_months,
            )
    raise NotFound(f"no product {code!r} on sale")


def _customer(
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


@pricing_app.command("quote")
def quote(
    grade: str = typer.Option(..., "--grade", help="Credit grade, AAA (best) to C."),
    amount: str = typer.Option(..., "--amount", help="Yuan, e.g. 1000000 or 1,000,000."),
    term_months: int = typer.Option(..., "--term-months", help="Term in months."),
    product: str | None = typer.Option(
        None, "--product", help="Product code in the catalogue (LOAN-WC): its LGD and bounds."
    ),
    customer: str | None = typer.Option(
        None,
        "--customer",
        help="Customer number (or id): the relationship discount from the latest segmentation run.",
    ),
    customer_type: CustomerType | None = typer.Option(
        None, "--customer-type", help="Without --customer: corporate (default) or individual."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Quote a loan: the LPR of the term plus expected loss, capital, funding and operating
    spreads, less the relationship discount, within the product's floor and ceiling; with
    its RAROC and who may agree it."""
    settings = get_settings()
    try:
        loan_grade = _grade(grade)
        loan_amount = _amount(amount)
        base = load_rate_table(settings.pricing.rate_table).base_rate(
            term_months=term_months, day=bank_today()
        )
        priced_product = None
        borrower, relationship = customer_type or CustomerType.CORPORATE, None
        if product is not None or customer is not None:
            with session_scope() as session:
                if product is not None:
                    priced_product = _product(session, product)
                if customer is not None:
                    borrower, relationship = _customer(session, customer, customer_type)
        loan = pricing.Loan(
            pd=pd_of(loan_grade, settings.credit.master_scale),
            amount=loan_amount,
            term_months=term_months,
            borrower=borrower,
            product=priced_product,
        )
        result = pricing.quote(
            loan, base=base, relationship=relationship, settings=settings.pricing
        )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(result.as_json()))
        return
    spreads = result.spreads
    typer.echo(
        f"{loan_grade.value} {borrower.value}, ¥{loan_amount:,.2f} over {term_months} months: "
        f"{result.rate} % a year (floor {result.floor}, ceiling {result.ceiling})"
    )
    typer.echo(
        f"  base {result.base.rate:.4f} ({result.base.tenor.value} LPR in force since "
        f"{result.base.effective}) + expected loss {spreads.expected_loss} + capital "
        f"{spreads.capital} + funding {spreads.funding} + operating {spreads.operating} "
        f"− discount {result.discount}"
    )
    typer.echo(
        f"  RAROC {result.raroc} % against a hurdle of {settings.pricing.hurdle_rate} %: "
        f"{result.authority.value.replace('_', ' ')} may agree it"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(pricing_app, name="pricing")
