"""``bankcrm pricing``: risk-based loan quotes, their RAROC and who may agree them."""

from __future__ import annotations

import json

import typer

from bankcrm.core.enums import CustomerType
from bankcrm.core.exceptions import BankcrmError

pricing_app = typer.Typer(help="Risk-based loan pricing.", no_args_is_help=True)


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
    from bankcrm.core.config import get_settings
    from bankcrm.credit import quotes

    settings = get_settings()
    try:
        priced = quotes.quote_for_bank(
            settings=settings,
            grade=grade,
            amount=amount,
            term_months=term_months,
            product=product,
            customer=customer,
            customer_type=customer_type,
        )
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    result, loan_grade, loan_amount, borrower = (
        priced.quote,
        priced.grade,
        priced.amount,
        priced.borrower,
    )
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
