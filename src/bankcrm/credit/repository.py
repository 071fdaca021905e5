"""All SQL of credit scores, corporate ratings, pricing quotes and pre-qualifications, for a
viewer or for the nightly scoring."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, insert

from bankcrm.accounts.models import Account
from bankcrm.core.enums import AccountStatus, ProductCategory, RatingStatus
from bankcrm.core.exceptions import NotFound
from bankcrm.credit.models import CorporateRating, CreditScore, LoanPrequalification, PricingQuote
from bankcrm.customers.models import Customer
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment

INSERT_CHUNK = 5_000
LARGEST_CUSTOMER_ID = 2**31 - 1
"""Customer ids are 32-bit integers; a longer number can only be a customer number."""


class CreditRepository(ScopedRepository):
    """The credit records of the customers the viewer may see."""

    def customer(self, customer_id: int) -> Customer | None:
        return self.session.scalar(self.customers().where(Customer.id == customer_id))

    def customer_in_scope(self, customer_id: int) -> Customer:
        """The customer, or ``NotFound`` when the viewer may not see them."""
        customer = self.customer(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id} in your book")
        return customer

    def latest_score(self, customer_id: int) -> CreditScore | None:
        statement = (
            self.owned(CreditScore)
            .where(CreditScore.customer_id == customer_id)
            .order_by(CreditScore.scored_on.desc(), CreditScore.id.desc())
            .limit(1)
        )
        return self.session.scalar(statement)

    def ratings(self, customer_id: int) -> list[CorporateRating]:
        """The customer's corporate ratings, newest first."""
        statement = (
            self.owned(CorporateRating)
            .where(CorporateRating.customer_id == customer_id)
            .order_by(CorporateRating.prepared_at.desc(), CorporateRating.id.desc())
        )
        return list(self.session.scalars(statement))

    def quotes(self, customer_id: int, *, limit: int) -> list[PricingQuote]:
        """The customer's latest quotes, newest first."""
        statement = (
            self.owned(PricingQuote)
            .where(PricingQuote.customer_id == customer_id)
            .order_by(PricingQuote.quoted_at.desc(), PricingQuote.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def prequalifications(self, customer_id: int) -> list[LoanPrequalification]:
        statement = (
            self.owned(LoanPrequalification)
            .where(LoanPrequalification.customer_id == customer_id)
            .order_by(LoanPrequalification.checked_at.desc(), LoanPrequalification.id.desc())
        )
        return list(self.session.scalars(statement))

    # --- pricing quotes (credit/quotes.py) ----------------------------------------------------

    def find_quotes(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[PricingQuote]:
        """The quotes the viewer may see that meet ``conditions``, newest first."""
        statement = (
            self.owned(PricingQuote)
            .where(*conditions)
            .order_by(PricingQuote.quoted_at.desc(), PricingQuote.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def segment(self, *, run_id: int, customer_id: int) -> CustomerSegment | None:
        statement = self.owned(CustomerSegment).where(
            CustomerSegment.run_id == run_id, CustomerSegment.customer_id == customer_id
        )
        return self.session.scalar(statement)

    # --- corporate ratings and pre-qualifications (credit/ratings.py, prequalifications.py) -

    def find_ratings(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[CorporateRating]:
        """The corporate ratings the viewer may see that meet ``conditions``, newest first."""
        statement = (
            self.owned(CorporateRating)
            .where(*conditions)
            .order_by(CorporateRating.prepared_at.desc(), CorporateRating.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def ratings_waiting(self, *, limit: int) -> list[tuple[CorporateRating, str]]:
        """The submitted ratings the viewer may see, with the customer's name, oldest first."""
        statement = (
            self.owned(CorporateRating, CorporateRating, Customer.name)
            .where(CorporateRating.status == RatingStatus.SUBMITTED)
            .order_by(CorporateRating.prepared_at, CorporateRating.id)
            .limit(limit)
        )
        return [(rating, name) for rating, name in self.session.execute(statement)]

    def open_loans(self, customer_id: int) -> list[tuple[Account, Product]]:
        """The customer's open loan accounts with their products."""
        statement = (
            self.owned(Account, Account, Product)
            .join(Product, Product.id == Account.product_id)
            .where(
                Account.customer_id == customer_id,
                Account.status == AccountStatus.OPEN,
                Product.category == ProductCategory.LOAN,
            )
            .order_by(Account.id)
        )
        return [(account, product) for account, product in self.session.execute(statement)]


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


class CreditSystemRepository(SystemRepository):
    """The nightly scoring's reads and writes across the bank."""

    def loans(self) -> list[Any]:
        """Every loan with a five-category class, with its borrower and product: (account
        external id, customer id, customer number, product code, approved amount in cents,
        balance in cents, opened on, class, customer type, birth date, customer since,
        gender, income level, occupation, industry, risk level, other banks' assets in
        cents, branch id, account manager)."""
        statement = (
            self.owned(
                Account,
                Account.external_id,
                Customer.id,
                Customer.external_id,
                Product.external_id,
                Account.credit_limit_cents,
                Account.balance_cents,
                Account.opened_on,
                Account.loan_class,
                Customer.customer_type,
                Customer.birth_date,
                Customer.onboarded_on,
                Customer.gender,
                Customer.income_level,
                Customer.occupation,
                Customer.industry,
                Customer.risk_level,
                Customer.other_banks_assets_cents,
                Account.branch_id,
                Customer.manager_id,
            )
            .join(Product, Product.id == Account.product_id)
            .where(Product.category == ProductCategory.LOAN, Account.loan_class.is_not(None))
            .order_by(Account.id)
        )
        return list(self.session.execute(statement))

    def add_scores(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(CreditScore), rows[start : start + INSERT_CHUNK])

    def latest_scores(self) -> dict[int, CreditScore]:
        """Every customer's newest credit score."""
        newest: dict[int, CreditScore] = {}
        statement = self.owned(CreditScore).order_by(
            CreditScore.customer_id, CreditScore.scored_on, CreditScore.id
        )
        for score in self.session.scalars(statement):
            newest[score.customer_id] = score
        return newest
