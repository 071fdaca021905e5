"""All SQL of risk assessments, sales and offer scores, for a viewer or for the nightly jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert
from sqlalchemy.orm import aliased

from bankcrm.accounts.models import Account, Holding
from bankcrm.core.enums import AccountStatus, CustomerStatus, SaleStatus
from bankcrm.customers.models import Customer
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser

INSERT_CHUNK = 5_000

SaleWithNames = tuple[Sale, str, str, str, str | None, str | None]
"""A sale with its customer's name, the product's names (zh, en), the seller's and the
checker's user names."""


class OffersRepository(ScopedRepository):
    """Assessments, sales and offers of the customers the viewer may see."""

    def customer(self, customer_id: int) -> Customer | None:
        return self.session.scalar(self.customers().where(Customer.id == customer_id))

    def latest_assessment(self, customer_id: int) -> RiskAssessment | None:
        statement = (
            self.owned(RiskAssessment)
            .where(RiskAssessment.customer_id == customer_id)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            .limit(1)
        )
        return self.session.scalar(statement)

    def assessments(self, customer_id: int) -> list[RiskAssessment]:
        statement = (
            self.owned(RiskAssessment)
            .where(RiskAssessment.customer_id == customer_id)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        )
        return list(self.session.scalars(statement))

    def held_product_ids(self, customer_id: int, today: date) -> set[int]:
        accounts = self.owned(Account, Account.product_id).where(
            Account.customer_id == customer_id, Account.status != AccountStatus.CLOSED
        )
        holdings = self.owned(Holding, Holding.product_id).where(
            Holding.customer_id == customer_id,
            (Holding.ended_on.is_(None)) | (Holding.ended_on > today),
        )
        subscribed = self.owned(Sale, Sale.product_id).where(
            Sale.customer_id == customer_id, Sale.status == SaleStatus.SUBSCRIBED
        )
        return {
            int(product_id)
            for statement in (accounts, holdings, subscribed)
            for product_id in self.session.scalars(statement)
        }

    def offer_scores(self, customer_id: int) -> list[OfferScore]:
        statement = (
            self.owned(OfferScore)
            .where(OfferScore.customer_id == customer_id)
            .order_by(OfferScore.score.desc(), OfferScore.product_id)
        )
        return list(self.session.scalars(statement))

    def _sales_with_names(self) -> Any:
        seller = aliased(StaffUser)
        checker = aliased(StaffUser)
        return (
            self.owned(
                Sale,
                Sale,
                Customer.name,
                Product.name_zh,
                Product.name_en,
                seller.username,
                checker.username,
            )
            .join(Product, Product.id == Sale.product_id)
            .outerjoin(seller, seller.id == Sale.sold_by_id)
            .outerjoin(checker, checker.id == Sale.decided_by_id)
        )

    def sale(self, sale_id: int) -> SaleWithNames | None:
        row = self.session.execute(self._sales_with_names().where(Sale.id == sale_id)).first()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])

    def sale_for_update(self, sale_id: int) -> Sale | None:
        return self.session.scalar(self.owned(Sale).where(Sale.id == sale_id))

    def sales(
        self, *, conditions: Sequence[ColumnElement[bool]], offset: int, limit: int
    ) -> tuple[list[SaleWithNames], int]:
        total = int(self.session.scalar(self.owned(Sale, func.count()).where(*conditions)) or 0)
        statement = (
            self._sales_with_names()
            .where(*conditions)
            .order_by(Sale.sold_at.desc(), Sale.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = [
            (row[0], row[1], row[2], row[3], row[4], row[5])
            for row in self.session.execute(statement)
        ]
        return rows, total

    def summary(self, *, start: date, end: date) -> list[tuple[str, str, SaleStatus, int, int]]:
        """Sales per product code, product level and status between two days, with their
        total amount in cents."""
        statement = (
            self.owned(
                Sale,
                Product.external_id,
                Sale.product_risk,
                Sale.status,
                func.count(),
                func.coalesce(func.sum(Sale.amount_cents), 0),
            )
            .join(Product, Product.id == Sale.product_id)
            .where(func.date(Sale.sold_at) >= start, func.date(Sale.sold_at) <= end)
            .group_by(Product.external_id, Sale.product_risk, Sale.status)
            .order_by(Product.external_id, Sale.status)
        )
        return [
            (str(code), str(risk), SaleStatus(status), int(count), int(amount))
            for code, risk, status, count, amount in self.session.execute(statement)
        ]


class OfferSystemRepository(SystemRepository):
    """The nightly jobs: the bank's adoptions for the ranking, its scores, and the
    re-assessment tasks."""

    def adoptions(self) -> list[tuple[int, int, date, date | None]]:
        """(customer, product, adopted on, ended on) of every account and holding."""
        accounts = self.owned(
            Account, Account.customer_id, Account.product_id, Account.opened_on, Account.closed_on
        )
        holdings = self.owned(
            Holding, Holding.customer_id, Holding.product_id, Holding.started_on, Holding.ended_on
        )
        sales = self.owned(
            Sale,
            Sale.customer_id,
            Sale.product_id,
            func.date(Sale.sold_at),
            func.date(Sale.cancelled_at),
        ).where(Sale.status.in_((SaleStatus.SUBSCRIBED, SaleStatus.CANCELLED)))
        rows: list[tuple[int, int, date, date | None]] = []
        for statement in (accounts, holdings):
            rows.extend(
                (int(customer), int(product), adopted, ended)
                for customer, product, adopted, ended in self.session.execute(statement)
            )
        rows.extend(
            (
                int(customer),
                int(product),
                date.fromisoformat(str(adopted)),
                None if ended is None else date.fromisoformat(str(ended)),
            )
            for customer, product, adopted, ended in self.session.execute(sales)
        )
        return rows

    def customer_rows(self) -> list[tuple[int, date | None, bool, date | None]]:
        """(customer, birth date, corporate, onboarded on) of every active customer."""
        statement = self.customers(
            Customer.id, Customer.birth_date, Customer.customer_type, Customer.onboarded_on
        ).where(Customer.status != CustomerStatus.CLOSED, Customer.erased_at.is_(None))
        return [
            (int(customer_id), birth, str(kind) == "corporate", onboarded)
            for customer_id, birth, kind, onboarded in self.session.execute(statement)
        ]

    def balances(self) -> dict[int, int]:
        """Each customer's balance over their open accounts, in cents."""
        statement = (
            self.owned(Account, Account.customer_id, func.sum(Account.balance_cents))
            .where(Account.status != AccountStatus.CLOSED)
            .group_by(Account.customer_id)
        )
        return {
            int(customer): int(total or 0) for customer, total in self.session.execute(statement)
        }

    def replace_scores(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(delete(OfferScore))
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(OfferScore), rows[start : start + INSERT_CHUNK])

    def expiring_assessments(self, *, until: date) -> list[tuple[int, int | None, date]]:
        """(customer, manager, valid until) of customers whose newest assessment ends on or
        before ``until``."""
        statement = (
            self.owned(
                RiskAssessment,
                RiskAssessment.customer_id,
                Customer.manager_id,
                RiskAssessment.valid_until,
            )
            .where(RiskAssessment.id.in_(self._latest_assessment_ids()))
            .where(RiskAssessment.valid_until <= until)
            .where(Customer.status != CustomerStatus.CLOSED, Customer.erased_at.is_(None))
        )
        return [
            (int(customer_id), None if manager is None else int(manager), valid_until)
            for customer_id, manager, valid_until in self.session.execute(statement)
        ]

    def _latest_assessment_ids(self) -> Any:
        return (
            self.owned(RiskAssessment, func.max(RiskAssessment.id))
            .group_by(RiskAssessment.customer_id)
            .scalar_subquery()
        )
