"""The deposits kept on each customer follow every write of an account or a product, on
both backends, whether the write comes from the ORM or from plain SQL."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account
from bankcrm.core.enums import AccountStatus, ProductCategory, Role
from bankcrm.customers.models import Customer
from bankcrm.products.models import Product
from tests import factories

HELD = (ProductCategory.DEPOSIT, ProductCategory.PAYMENT)


def _summed(session: Session) -> dict[int, int]:
    """Every customer's deposits summed from the accounts, as the list defines them."""
    totals = (
        select(Account.customer_id, func.sum(Account.balance_cents).label("total"))
        .join(Product, Product.id == Account.product_id)
        .where(Account.status != AccountStatus.CLOSED, Product.category.in_(HELD))
        .group_by(Account.customer_id)
        .subquery()
    )
    statement = select(Customer.id, func.coalesce(totals.c.total, 0)).outerjoin(
        totals, totals.c.customer_id == Customer.id
    )
    return {customer_id: int(total) for customer_id, total in session.execute(statement)}


def _kept(session: Session) -> dict[int, int]:
    kept = select(Customer.id, Customer.deposit_cents)
    return {customer_id: total for customer_id, total in session.execute(kept)}


def test_the_kept_total_follows_every_kind_of_account_write(session: Session) -> None:
    branch = factories.branch(session)
    manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
    first, second, third = (
        factories.customer(session, branch_id=branch.id, manager_id=manager.id) for _ in range(3)
    )
    deposit = factories.product(session)
    payment = factories.product(session, category=ProductCategory.PAYMENT)
    loan = factories.product(session, category=ProductCategory.LOAN)
    steps: list[tuple[str, dict[int, int]]] = []

    def step(name: str) -> None:
        session.flush()
        steps.append((name, _kept(session)))
        assert _kept(session) == _summed(session), name

    step("no accounts")
    savings = factories.account(session, customer=first, product_id=deposit.id, balance_cents=500)
    factories.account(session, customer=first, product_id=payment.id, balance_cents=70)
    factories.account(session, customer=first, product_id=loan.id, balance_cents=-9_000)
    moved = factories.account(session, customer=second, product_id=deposit.id, balance_cents=30)
    step("opened")
    assert steps[-1][1] == {first.id: 570, second.id: 30, third.id: 0}

    savings.balance_cents = 1_250
    step("balance changed by the ORM")
    session.execute(update(Account).where(Account.id == moved.id).values(balance_cents=45))
    step("balance changed by plain SQL")
    session.execute(update(Account).where(Account.id == moved.id).values(customer_id=third.id))
    step("account moved to another customer")
    assert steps[-1][1][second.id] == 0 and steps[-1][1][third.id] == 45
    savings.status = AccountStatus.CLOSED
    step("account closed")
    session.execute(update(Product).where(Product.id == loan.id).values(name_zh="个人贷款"))
    step("product renamed")
    session.execute(
        update(Product).where(Product.id == loan.id).values(category=ProductCategory.DEPOSIT)
    )
    step("product moved into the deposits")
    assert steps[-1][1][first.id] == 70 - 9_000
    session.execute(delete(Account).where(Account.customer_id == first.id))
    step("accounts deleted")
    assert steps[-1][1] == {first.id: 0, second.id: 0, third.id: 45}
    session.execute(
        Account.__table__.insert(),
        [
            {
                "external_id": f"BULK{number}",
                "customer_id": customer.id,
                "product_id": deposit.id,
                "branch_id": branch.id,
                "opened_on": savings.opened_on,
                "balance_cents": number,
            }
            for number, customer in enumerate((first, second, first, third), start=1)
        ],
    )
    step("many accounts in one statement")
    assert steps[-1][1] == {first.id: 1 + 3, second.id: 2, third.id: 45 + 4}
