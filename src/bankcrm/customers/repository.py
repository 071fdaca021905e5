"""Every query about customers and what hangs off them, narrowed to the viewer's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bankcrm.accounts.models import Account, Holding, Transaction
from bankcrm.branches.models import Branch
from bankcrm.core.enums import AccountStatus, CustomerType, Direction, ProductCategory, TaskStatus
from bankcrm.customers.models import Customer, Interaction, ManagerAssignment, Note
from bankcrm.customers.schemas import CustomerSort
from bankcrm.products.models import Product
from bankcrm.scope import ScopedRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

DEPOSIT_CATEGORIES = (ProductCategory.DEPOSIT, ProductCategory.PAYMENT)


def _prefix_range(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, written as a range so that an index serves it."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


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
        the order of ``sort`` (then by id, so pages never overlap).

        ``text`` matches the start of the name or the whole customer number; with
        ``match_mobile`` also the start of the mobile number."""
        manager = aliased(StaffUser)
        conditions = []
        if text:
            matches = [_prefix_range(Customer.name, text), Customer.external_id == text]
            if match_mobile:
                matches.append(_prefix_range(Customer.mobile_phone, text))
            conditions.append(or_(*matches))
        if customer_type is not None:
            conditions.append(Customer.customer_type == customer_type)
        if branch_id is not None:
            conditions.append(Customer.branch_id == branch_id)
        if manager_id is not None:
            conditions.append(Customer.manager_id == manager_id)
        count_statement = self.customers(func.count(Customer.id)).where(*conditions)
        total = self.session.scalar(count_statement) or 0
        page_statement = (
            self.customers(Customer, Branch.name, manager.full_name)
            .join(Branch, Branch.id == Customer.branch_id)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(*conditions)
        )
        sorted_by: Any
        if sort is CustomerSort.DEPOSITS:
            deposits = self._deposit_totals()
            page_statement = page_statement.outerjoin(
                deposits, deposits.c.customer_id == Customer.id
            )
            sorted_by = func.coalesce(deposits.c.total, 0)
        else:
            sorted_by = {
                CustomerSort.NUMBER: Customer.external_id,
                CustomerSort.NAME: Customer.name,
                CustomerSort.TYPE: Customer.customer_type,
                CustomerSort.BRANCH: Branch.name,
                CustomerSort.MANAGER: manager.full_name,
            }[sort]
        # a customer without an account manager sorts last either way, on every database
        ordered = (sorted_by.desc() if descending else sorted_by.asc()).nulls_last()
        page_statement = page_statement.order_by(ordered, Customer.id).offset(offset).limit(limit)
        return list(self.session.execute(page_statement)), total

    def _deposit_totals(self) -> Any:
        """Per visible customer, cents held in deposit and settlement accounts that are not
        closed (the list's deposits), as a subquery to sort by."""
        return (
            self.owned(
                Account,
                Account.customer_id.label("customer_id"),
                func.sum(Account.balance_cents).label("total"),
            )
            .join(Product, Product.id == Account.product_id)
            .where(
                Account.status != AccountStatus.CLOSED,
                Product.category.in_(DEPOSIT_CATEGORIES),
            )
            .group_by(Account.customer_id)
            .subquery()
        )

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
        statement = (
            self.owned(
                Account, Account.customer_id, func.coalesce(func.sum(Account.balance_cents), 0)
            )
            .join(Product, Product.id == Account.product_id)
            .where(
                Account.customer_id.in_(customer_ids),
                Account.status != AccountStatus.CLOSED,
                Product.category.in_(DEPOSIT_CATEGORIES),
            )
            .group_by(Account.customer_id)
        )
        return {customer_id: int(total) for customer_id, total in self.session.execute(statement)}

    def get(self, customer_id: int) -> Customer | None:
        """The customer if the viewer may see them."""
        statement = self.customers().where(Customer.id == customer_id)
        return self.session.scalars(statement).first()

    def get_with_names(self, customer_id: int) -> Row[Customer, str, str] | None:
        manager = aliased(StaffUser)
        statement = (
            self.customers(Customer, Branch.name, manager.full_name)
            .join(Branch, Branch.id == Customer.branch_id)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(Customer.id == customer_id)
        )
        return self.session.execute(statement).first()

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
