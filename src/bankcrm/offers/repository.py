"""All SQL of risk assessments, sales and offer scores, for a viewer or for the nightly jobs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import islice
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Integer, delete, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from bankcrm.accounts.models import Account, Holding
from bankcrm.core.columnar import read_tables
from bankcrm.core.enums import AccountStatus, CustomerStatus, SaleStatus
from bankcrm.customers.models import Customer
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser

INSERT_CHUNK = 5_000

ScoreRow = tuple[int, int, float, date, str]
"""An offer score as stored: customer, product, score, scored on, facts as JSON text."""
ADOPTIONS_SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("product_id", pa.int64()),
        ("adopted_day", pa.int64()),
        ("ended_day", pa.int64()),
    ]
)
CUSTOMERS_SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("birth_day", pa.int64()),
        ("customer_type", pa.string()),
        ("onboarded_day", pa.int64()),
    ]
)
BALANCES_SCHEMA = pa.schema([("customer_id", pa.int64()), ("balance_cents", pa.int64())])


class EpochDay(FunctionElement[int]):
    """A date as whole days since 1970-01-01, null stays null: a number in every dialect,
    so that ADBC's SQLite driver, which types a column by its first values, never meets a
    date string after a run of nulls."""

    type = Integer()
    inherit_cache = True


@compiles(EpochDay, "sqlite")
def _sqlite_epoch_day(element: EpochDay, compiler: Any, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(EpochDay, "postgresql")
def _postgres_epoch_day(element: EpochDay, compiler: Any, **kw: Any) -> str:
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '1970-01-01')"


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

    def customers_by_best_offer(
        self, *, offset: int, limit: int
    ) -> tuple[list[tuple[int, str]], int]:
        """(customer, name) of the active customers in scope with a ranked offer, the most
        likely to take one up first; and how many there are."""
        best = (
            self.owned(OfferScore, OfferScore.customer_id, func.max(OfferScore.score).label("best"))
            .group_by(OfferScore.customer_id)
            .subquery()
        )
        statement = (
            self.customers(Customer.id, Customer.name)
            .join(best, best.c.customer_id == Customer.id)
            .where(Customer.status == CustomerStatus.ACTIVE, Customer.erased_at.is_(None))
        )
        total = self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = self.session.execute(
            statement.order_by(best.c.best.desc(), Customer.id).offset(offset).limit(limit)
        )
        return [(int(customer_id), name) for customer_id, name in rows], int(total or 0)

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

    def adoptions(self) -> pa.Table:
        """``customer_id``, ``product_id``, ``adopted_day``, ``ended_day`` (days since the
        epoch, null while running) of every account, holding and subscribed or cancelled
        sale: accounts first, then holdings, then sales, each in the store's order."""
        accounts = self.owned(
            Account,
            Account.customer_id,
            Account.product_id,
            EpochDay(Account.opened_on).label("adopted_day"),
            EpochDay(Account.closed_on).label("ended_day"),
        )
        holdings = self.owned(
            Holding,
            Holding.customer_id,
            Holding.product_id,
            EpochDay(Holding.started_on).label("adopted_day"),
            EpochDay(Holding.ended_on).label("ended_day"),
        )
        sales = self.owned(
            Sale,
            Sale.customer_id,
            Sale.product_id,
            EpochDay(func.date(Sale.sold_at)).label("adopted_day"),
            EpochDay(func.date(Sale.cancelled_at)).label("ended_day"),
        ).where(Sale.status.in_((SaleStatus.SUBSCRIBED, SaleStatus.CANCELLED)))
        return pa.concat_tables(
            table.cast(ADOPTIONS_SCHEMA) for table in self._read_columns(accounts, holdings, sales)
        )

    def customer_rows(self) -> pa.Table:
        """``customer_id``, ``birth_day``, ``customer_type``, ``onboarded_day`` (days since
        the epoch) of every customer neither closed nor erased, in the store's order."""
        statement = self.customers(
            Customer.id.label("customer_id"),
            EpochDay(Customer.birth_date).label("birth_day"),
            Customer.customer_type,
            EpochDay(Customer.onboarded_on).label("onboarded_day"),
        ).where(Customer.status != CustomerStatus.CLOSED, Customer.erased_at.is_(None))
        (table,) = self._read_columns(statement)
        return table.cast(CUSTOMERS_SCHEMA)

    def balances(self) -> pa.Table:
        """``customer_id``, ``balance_cents``: each customer's balance over their open
        accounts."""
        statement = (
            self.owned(
                Account,
                Account.customer_id,
                func.coalesce(func.sum(Account.balance_cents), 0).label("balance_cents"),
            )
            .where(Account.status != AccountStatus.CLOSED)
            .group_by(Account.customer_id)
        )
        (table,) = self._read_columns(statement)
        return table.cast(BALANCES_SCHEMA)

    def _read_columns(self, *statements: Any) -> list[pa.Table]:
        """The statements' results as Arrow, read through ADBC as the analytics runs read the
        records store: a million customers' rows arrive as columns, not as a Python object
        per value. A second connection, so it sees what is committed."""
        engine = self.session.get_bind().engine
        sql = [
            str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            for statement in statements
        ]
        return read_tables(engine.url.render_as_string(hide_password=False), sql)

    def replace_scores(self, rows: Iterable[ScoreRow]) -> None:
        """Every offer score replaced by ``rows``, in the session's transaction. The facts
        come encoded as the JSON column encodes them; the rows go to the driver's
        ``executemany`` as they are, since ten million of them through the ORM's per-row
        processing take minutes."""
        connection = self.session.connection()
        connection.execute(delete(OfferScore))
        columns = ("customer_id", "product_id", "score", "scored_on", "facts")
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        statement = (
            f"INSERT INTO {OfferScore.__tablename__} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})"
        )
        day_processor = OfferScore.__table__.c.scored_on.type.bind_processor(connection.dialect)
        iterator = iter(rows)
        while chunk := list(islice(iterator, INSERT_CHUNK)):
            if day_processor is not None:
                chunk = [(*row[:3], day_processor(row[3]), row[4]) for row in chunk]
            connection.exec_driver_sql(statement, chunk)

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

    def customers_with_assessments(
        self, customer_ids: Sequence[int]
    ) -> list[tuple[Customer, RiskAssessment | None]]:
        """The customers with their newest risk assessment (``None`` for none), for judging
        an offer to many at once."""
        found: list[tuple[Customer, RiskAssessment | None]] = []
        for start in range(0, len(customer_ids), INSERT_CHUNK):
            chunk = customer_ids[start : start + INSERT_CHUNK]
            statement = self.same_customer(
                self.customers(Customer, RiskAssessment),
                RiskAssessment,
                RiskAssessment.id.in_(self._latest_assessment_ids()),
                outer=True,
            ).where(Customer.id.in_(chunk))
            found.extend(self.session.execute(statement).tuples())
        return found

    def _latest_assessment_ids(self) -> Any:
        return (
            self.owned(RiskAssessment, func.max(RiskAssessment.id))
            .group_by(RiskAssessment.customer_id)
            .scalar_subquery()
        )
