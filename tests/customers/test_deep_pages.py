"""Every page of the customer list holds exactly the rows a plain ``ORDER BY … LIMIT …
OFFSET …`` over the viewer's customers gives, for each sort key in both directions, for each
scope and with filters: the deep-page shortcuts change the cost, never the rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from bankcrm.accounts.models import Account
from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.enums import CustomerType, Role
from bankcrm.customers import service as customers_service
from bankcrm.customers.models import Customer
from bankcrm.customers.repository import CustomerRepository
from bankcrm.customers.schemas import CustomerSort
from bankcrm.staff.models import StaffUser
from tests import factories

PAGE_SIZE = 7
"""Small enough that pages start and end inside a branch's, a manager's and a type's run."""
SURNAMES = ("王", "李", "张", "赵")


@dataclass
class ListBank:
    session: Session
    analyst: StaffUser
    branch_manager: StaffUser
    account_manager: StaffUser


@pytest.fixture
def list_bank(app_settings: str) -> Iterator[ListBank]:
    """Customers whose sort keys tie: two branches and two managers of one name, shared
    names, customers without a manager, and deposits that are equal, empty or missing."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        north, twin, south = (factories.branch(session) for _ in range(3))
        twin.name = north.name
        managers = [
            factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
            for branch in (north, north, twin, south)
        ]
        managers[2].full_name = managers[0].full_name
        deposit = factories.product(session)
        for index in range(75):
            branch = (north, twin, south)[index % 3]
            in_branch = [manager for manager in managers if manager.branch_id == branch.id]
            manager = None if index % 4 == 3 else in_branch[index % len(in_branch)]
            customer = factories.customer(
                session,
                branch_id=branch.id,
                manager_id=manager.id if manager else None,
                name=f"{SURNAMES[index % len(SURNAMES)]}{index % 6}",
                customer_type=CustomerType.CORPORATE if index % 5 == 0 else CustomerType.INDIVIDUAL,
            )
            if index % 7:
                factories.account(
                    session,
                    customer=customer,
                    product_id=deposit.id,
                    balance_cents=(index % 4) * 100_000,
                )
        bank = ListBank(
            session=session,
            analyst=factories.staff(session, role=Role.MARKETING_ANALYST),
            branch_manager=factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=north.id),
            account_manager=managers[0],
        )
        session.commit()
        yield bank
    engine.dispose()


def _plain_order(
    session: Session,
    viewer: StaffUser,
    sort: CustomerSort,
    descending: bool,
    conditions: list[ColumnElement[bool]],
) -> list[int]:
    """The viewer's customers in the list's order, read with one statement per page of a
    plain OFFSET."""
    manager = aliased(StaffUser)
    deposits = (
        select(Account.customer_id, func.sum(Account.balance_cents).label("total"))
        .group_by(Account.customer_id)
        .subquery()
    )
    key: Any = {
        CustomerSort.NUMBER: Customer.external_id,
        CustomerSort.NAME: Customer.name,
        CustomerSort.TYPE: Customer.customer_type,
        CustomerSort.BRANCH: Branch.name,
        CustomerSort.MANAGER: manager.full_name,
        CustomerSort.DEPOSITS: func.coalesce(deposits.c.total, 0),
    }[sort]
    order = (key.desc(), Customer.id.desc()) if descending else (key.asc(), Customer.id.asc())
    statement = (
        CustomerRepository(session, viewer)
        .customers(Customer.id)
        .join(Branch, Branch.id == Customer.branch_id)
        .outerjoin(manager, manager.id == Customer.manager_id)
        .outerjoin(deposits, deposits.c.customer_id == Customer.id)
        .where(*conditions)
        .order_by(order[0].nulls_last(), order[1])
    )
    ids: list[int] = []
    while page := list(session.scalars(statement.offset(len(ids)).limit(PAGE_SIZE))):
        ids.extend(page)
    return ids


def _listed_pages(
    session: Session, viewer: StaffUser, sort: CustomerSort, descending: bool, **filters: Any
) -> tuple[list[list[int]], int]:
    """The ids of every page the list serves, one past the last included, and its total."""
    pages: list[list[int]] = []
    totals: set[int] = set()
    while not pages or pages[-1]:
        listed = customers_service.list_customers(
            session,
            user=viewer,
            sort=sort,
            descending=descending,
            page=len(pages) + 1,
            page_size=PAGE_SIZE,
            **filters,
        )
        pages.append([item.id for item in listed.items])
        totals.add(listed.total)
    [total] = totals
    return pages, total


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + PAGE_SIZE] for start in range(0, len(ids), PAGE_SIZE)] + [[]]


@pytest.mark.parametrize("sort", list(CustomerSort))
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_each_page_holds_the_rows_of_a_plain_offset(
    list_bank: ListBank, sort: CustomerSort, descending: bool
) -> None:
    session = list_bank.session
    cases: list[tuple[StaffUser, dict[str, Any], list[ColumnElement[bool]]]] = [
        (list_bank.analyst, {}, []),
        (list_bank.branch_manager, {}, []),
        (list_bank.account_manager, {}, []),
        (
            list_bank.analyst,
            {"customer_type": CustomerType.INDIVIDUAL},
            [Customer.customer_type == CustomerType.INDIVIDUAL],
        ),
        (list_bank.branch_manager, {"search": "王"}, [Customer.name.startswith("王")]),
        (
            list_bank.analyst,
            {"branch_id": list_bank.account_manager.branch_id},
            [Customer.branch_id == list_bank.account_manager.branch_id],
        ),
        (
            list_bank.analyst,
            {"manager_id": list_bank.account_manager.id},
            [Customer.manager_id == list_bank.account_manager.id],
        ),
        (
            list_bank.analyst,
            {"customer_type": CustomerType.INDIVIDUAL, "search": "王"},
            [Customer.customer_type == CustomerType.INDIVIDUAL, Customer.name.startswith("王")],
        ),
    ]
    for viewer, filters, conditions in cases:
        expected = _plain_order(session, viewer, sort, descending, conditions)
        pages, total = _listed_pages(session, viewer, sort, descending, **filters)
        assert pages == _chunks(expected), (viewer.role, filters)
        assert total == len(expected), (viewer.role, filters)


def test_the_scoped_lists_are_narrower_than_the_bank(list_bank: ListBank) -> None:
    """The cases above compare lists that differ: each scope and filter leaves rows out, and
    every run of ties the sorts must keep apart is there."""
    session = list_bank.session
    everyone = _plain_order(session, list_bank.analyst, CustomerSort.NAME, False, [])
    branch = _plain_order(session, list_bank.branch_manager, CustomerSort.NAME, False, [])
    book = _plain_order(session, list_bank.account_manager, CustomerSort.NAME, False, [])
    assert len(everyone) > len(branch) > len(book) > PAGE_SIZE
    customers = session.scalars(select(Customer)).all()
    assert any(customer.manager_id is None for customer in customers)
    branch_names = session.scalars(select(Branch.name)).all()
    assert len(set(branch_names)) < len(branch_names)
    manager_names = session.scalars(
        select(StaffUser.full_name).where(StaffUser.role == Role.ACCOUNT_MANAGER)
    ).all()
    assert len(set(manager_names)) < len(manager_names)
