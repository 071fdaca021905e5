"""All SQL of credit scores, corporate ratings, pricing quotes and pre-qualifications, for a
viewer or for the nightly scoring."""

from __future__ import annotations

from bankcrm.credit.models import CorporateRating, CreditScore, LoanPrequalification, PricingQuote
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository


class CreditRepository(ScopedRepository):
    """The credit records of the customers the viewer may see."""

    def customer(self, customer_id: int) -> Customer | None:
        return self.session.scalar(self.customers().where(Customer.id == customer_id))

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


class CreditSystemRepository(SystemRepository):
    """The nightly scoring's reads and writes across the bank."""

    def latest_scores(self) -> dict[int, CreditScore]:
        """Every customer's newest credit score."""
        newest: dict[int, CreditScore] = {}
        statement = self.owned(CreditScore).order_by(
            CreditScore.customer_id, CreditScore.scored_on, CreditScore.id
        )
        for score in self.session.scalars(statement):
            newest[score.customer_id] = score
        return newest
