"""Every query about customers and what hangs off them, narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Row,
    Select,
    Subquery,
    and_,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bankcrm.accounts.models import Account, Holding, Transaction
from bankcrm.branches.models import Branch
from bankcrm.core.enums import CustomerType, Direction, TaskStatus
from bankcrm.customers.models import (
    Customer,
    CustomerCount,
    Interaction,
    ManagerAssignment,
    Note,
)
from bankcrm.customers.schemas import CustomerSort
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task


def _prefix_range(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, written as a range so that an index serves it."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _by_value(counts: Subquery) -> Select[Any]:
    return select(counts.c.value.label("name"), counts.c.value, counts.c.size)


def _by_branch_name(counts: Subquery) -> Select[Any]:
    return (
        select(Branch.name, counts.c.value, counts.c.size)
        .select_from(counts)
        .join(Branch, Branch.id == counts.c.value)
    )


def _by_manager_name(counts: Subquery) -> Select[Any]:
    return (
        select(StaffUser.full_name, counts.c.value, counts.c.size)
        .select_from(counts)
        .outerjoin(StaffUser, StaffUser.id == counts.c.value)
    )


@dataclass(frozen=True)
class _Group:
    """A sort by a column of customers that holds few values (a type, a branch, a manager)."""

    column: InstrumentedAttribute[Any]
    counted: InstrumentedAttribute[Any] | ColumnElement[Any]
    """The column's value as ``customer_counts`` keeps it."""
    named: Callable[[Subquery], Select[Any]]
    """From the customers counted per value of the column (``value``, ``size``): the name
    the list sorts by, the value and the count, in that order."""


GROUPED_SORTS = {
    CustomerSort.TYPE: _Group(Customer.customer_type, CustomerCount.customer_type, _by_value),
    CustomerSort.BRANCH: _Group(Customer.branch_id, CustomerCount.branch_id, _by_branch_name),
    CustomerSort.MANAGER: _Group(
        Customer.manager_id,
        func.nullif(CustomerCount.manager_key, 0, type_=Integer),
        _by_manager_name,
    ),
}


def _one_of(column: InstrumentedAttribute[Any], values: list[Any]) -> ColumnElement[bool]:
    """``column`` holds one of ``values``, ``None`` among them standing for empty."""
    present = [value for value in values if value is not None]
    if len(present) == len(values):
        return column.in_(present)
    return or_(column.in_(present), column.is_(None)) if present else column.is_(None)


class CustomerRepository(ScopedRepository):
    """Each statement starts from the viewer's customers; none trusts its caller."""

    def search(
        self,
        *,
        text: str | None,
        match_mobile: bool,
        customer_type: CustomerType | None,
        branch_id: int | None,
        manager_id: int | None,
        offset: int,
        limit: int,
        sort: CustomerSort = CustomerSort.NAME,
        descending: bool = False,
    ) -> tuple[list[Row[Customer, str, str]], int]:
        """A page of customers with branch and manager names, and the total that match, in
        the order of ``sort`` and then of id (so pages never overlap); descending reverses
        both, except that customers without an account manager come last either way.

        ``text`` matches the start of the name or the whole customer number; with
        ``match_mobile`` also the start of the mobile number.

        Deep pages cost about what the first does: the page's ids are found first, on the
        narrow indexes of the sort key and id, and only its rows are then read whole. Unless
        a search narrows the list, its total comes from the counts the store keeps per type,
        branch and manager; a sort by one of those reads only the values the page falls in,
        instead of sorting every row."""
        filters = [
            (column, kept_column, value)
            for column, kept_column, value in (
                (Customer.customer_type, CustomerCount.customer_type, customer_type),
                (Customer.branch_id, CustomerCount.branch_id, branch_id),
                (Customer.manager_id, CustomerCount.manager_key, manager_id),
            )
            if value is not None
        ]
        group = GROUPED_SORTS.get(sort)
        # a sort by a filtered column reads the run of its one value, which says it all;
        # SQLite would test the filter again on every entry of the run it walks
        in_run = [
            column == value
            for column, _, value in filters
            if group is None or column is not group.column
        ]
        conditions = [column == value for column, _, value in filters]
        if text:
            matches = [_prefix_range(Customer.name, text), Customer.external_id == text]
            if match_mobile:
                matches.append(_prefix_range(Customer.mobile_phone, text))
            conditions.append(or_(*matches))
            in_run.append(conditions[-1])
            counts = self.customers(func.count().label("size")).where(*conditions)
            if group is not None:
                counts = counts.add_columns(group.column.label("value")).group_by(group.column)
        else:
            size = cast(func.sum(CustomerCount.size), BigInteger).label("size")
            kept = [kept_column == value for _, kept_column, value in filters]
            counts = self.owned(CustomerCount, size).where(*kept)
            if group is not None:
                counts = counts.add_columns(group.counted.label("value")).group_by(group.counted)
        if group is not None:
            ids, total = self._grouped_page(
                in_run, counts.subquery(), group, descending, offset=offset, limit=limit
            )
        else:
            total = self.session.scalar(counts) or 0
            ids = self._ranked_page(conditions, sort, descending, offset=offset, limit=limit)
        return self._with_names(ids), total

    def _ranked_page(
        self,
        conditions: list[ColumnElement[bool]],
        sort: CustomerSort,
        descending: bool,
        *,
        offset: int,
        limit: int,
    ) -> list[int]:
        """The ids of a page in the order of a key of many values (the customer number, the
        name, the deposits the store keeps on the customer): a walk of the key's index
        alone. None is ever empty, so no ``NULLS LAST`` keeps PostgreSQL from walking the
        index backwards for the descending order."""
        statement = self.customers(Customer.id).where(*conditions)
        sorted_by = {
            CustomerSort.NUMBER: Customer.external_id,
            CustomerSort.NAME: Customer.name,
            CustomerSort.DEPOSITS: Customer.deposit_cents,
        }[sort]
        order = (sorted_by.desc(), Customer.id.desc()) if descending else (sorted_by, Customer.id)
        return list(self.session.scalars(statement.order_by(*order).offset(offset).limit(limit)))

    def _grouped_page(
        self,
        conditions: list[ColumnElement[bool]],
        counts: Subquery,
        group: _Group,
        descending: bool,
        *,
        offset: int,
        limit: int,
    ) -> tuple[list[int], int]:
        """The ids of a page in the order of a column of few values, and the total: from the
        ``counts`` of the customers of each value (``value``, ``size``), the values are put
        in order, and only those the page falls in read, in id order. Values that sort alike
        (two branches of one name) are read together."""
        named = group.named(counts)
        name = named.selected_columns[0]
        in_order = (name.desc() if descending else name.asc()).nulls_last()
        runs = [
            [(value, size) for _, value, size in members]
            for _, members in groupby(self.session.execute(named.order_by(in_order)), itemgetter(0))
        ]
        ids: list[int] = []
        skip = offset
        for run in runs:
            if len(ids) == limit:
                break
            in_run = sum(size for _, size in run)
            if skip >= in_run:
                skip -= in_run
                continue
            by_id = Customer.id.desc() if descending else Customer.id.asc()
            statement = (
                self.customers(Customer.id)
                .where(*conditions, _one_of(group.column, [value for value, _ in run]))
                .order_by(by_id)
                .offset(skip)
                .limit(limit - len(ids))
            )
            ids.extend(self.session.scalars(statement))
            skip = 0
        return ids, sum(size for run in runs for _, size in run)

    def _with_names(self, customer_ids: list[int]) -> list[Row[Customer, str, str]]:
        """The customers ``customer_ids`` the viewer may see, with their branch and manager
        names, in the order of ``customer_ids``."""
        if not customer_ids:
            return []
        manager = aliased(StaffUser)
        statement = (
            self.customers(Customer, Branch.name, manager.full_name)
            .join(Branch, Branch.id == Customer.branch_id)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(Customer.id.in_(customer_ids))
        )
        by_id = {row[0].id: row for row in self.session.execute(statement)}
        # a customer deleted between the two statements is left out of the page
        return [by_id[customer_id] for customer_id in customer_ids if customer_id in by_id]

    def find(
        self, *, text: str, number: str | None, match_mobile: bool, limit: int
    ) -> list[Row[Customer, str]]:
        """A few customers for a picker, with their branch names, nearest first.

        ``text`` matches anywhere in the name and the whole mobile number, with
        ``match_mobile`` also its start; ``number`` the start of the customer number."""
        matches = [
            Customer.name.icontains(text, autoescape=True),
            Customer.mobile_phone == text,
        ]
        if match_mobile:
            matches.append(_prefix_range(Customer.mobile_phone, text))
        if number:
            matches.append(_prefix_range(Customer.external_id, number))
        statement = (
            self.customers(Customer, Branch.name)
            .join(Branch, Branch.id == Customer.branch_id)
            .where(or_(*matches))
            .order_by(func.length(Customer.name), Customer.name, Customer.id)
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def names(self, customer_ids: list[int]) -> list[Row[int, str, str]]:
        """Id, name and customer number of those of ``customer_ids`` the viewer may see."""
        if not customer_ids:
            return []
        statement = self.customers(Customer.id, Customer.name, Customer.external_id).where(
            Customer.id.in_(customer_ids)
        )
        return list(self.session.execute(statement))

    def deposit_balances(self, customer_ids: list[int]) -> dict[int, int]:
        """Per customer, cents held in deposit and settlement accounts that are not closed."""
        if not customer_ids:
            return {}
        statement = self.customers(Customer.id, Customer.deposit_cents).where(
            Customer.id.in_(customer_ids)
        )
        return {customer_id: int(total) for customer_id, total in self.session.execute(statement)}

    def get(self, customer_id: int) -> Customer | None:
        """The customer if the viewer may see them."""
        statement = self.customers().where(Customer.id == customer_id)
        return self.session.scalars(statement).first()

    def get_with_names(self, customer_id: int) -> Row[Customer, str, str] | None:
        return next(iter(self._with_names([customer_id])), None)

    def accounts(self, customer_id: int) -> list[Row[Account, Product]]:
        statement = (
            self.owned(Account, Account, Product)
            .join(Product, Product.id == Account.product_id)
            .where(Account.customer_id == customer_id)
            .order_by(Account.status, Account.opened_on.desc())
        )
        return list(self.session.execute(statement))

    def holdings(self, customer_id: int) -> list[Row[Holding, Product]]:
        statement = (
            self.owned(Holding, Holding, Product)
            .join(Product, Product.id == Holding.product_id)
            .where(Holding.customer_id == customer_id)
            .order_by(Holding.started_on.desc())
        )
        return list(self.session.execute(statement))

    def recent_transactions(self, customer_id: int, *, limit: int) -> list[Row[Transaction, str]]:
        statement = (
            self.same_customer(
                self.owned(Transaction, Transaction, Account.external_id),
                Account,
                Account.id == Transaction.account_id,
            )
            .where(Transaction.customer_id == customer_id)
            .order_by(Transaction.booked_at.desc(), Transaction.id.desc())
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def transactions_since(
        self, customer_id: int, since: datetime
    ) -> list[Row[datetime, int, Direction]]:
        statement = self.owned(
            Transaction, Transaction.booked_at, Transaction.amount_cents, Transaction.direction
        ).where(Transaction.customer_id == customer_id, Transaction.booked_at >= since)
        return list(self.session.execute(statement))

    def interactions(self, customer_id: int, *, limit: int) -> list[Row[Interaction, str]]:
        statement = (
            self.owned(Interaction, Interaction, StaffUser.full_name)
            .outerjoin(StaffUser, StaffUser.id == Interaction.staff_id)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.occurred_at.desc())
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def open_tasks(self, customer_id: int) -> list[Row[Task, str]]:
        statement = (
            self.owned(Task, Task, StaffUser.full_name)
            .outerjoin(StaffUser, StaffUser.id == Task.assignee_id)
            .where(
                Task.customer_id == customer_id,
                Task.status.in_([TaskStatus.OPEN, TaskStatus.IN_PROGRESS]),
            )
            .order_by(Task.due_on)
        )
        return list(self.session.execute(statement))

    def assignments(self, customer_id: int) -> list[Row[ManagerAssignment, str]]:
        statement = (
            self.owned(ManagerAssignment, ManagerAssignment, StaffUser.full_name)
            .join(StaffUser, StaffUser.id == ManagerAssignment.manager_id)
            .where(ManagerAssignment.customer_id == customer_id)
            .order_by(ManagerAssignment.started_on.desc())
        )
        return list(self.session.execute(statement))

    def notes(self, customer_id: int) -> list[Row[Note, str]]:
        statement = (
            self.owned(Note, Note, StaffUser.full_name)
            .outerjoin(StaffUser, StaffUser.id == Note.author_id)
            .where(Note.customer_id == customer_id)
            .order_by(Note.created_at.desc())
        )
        return list(self.session.execute(statement))
