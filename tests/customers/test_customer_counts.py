"""The customers counted per type, branch and account manager follow every write of a
customer on both backends, and the list reads its totals and grouped pages from them."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bankcrm.core.enums import CustomerType, Role
from bankcrm.customers.models import Customer, CustomerCount, ManagerAssignment
from bankcrm.customers.repository import CustomerRepository
from bankcrm.customers.schemas import CustomerSort
from tests import factories

Counts = dict[tuple[str, int, int | None], int]


def _counted(session: Session) -> Counts:
    """The customers of each group, counted from the customers themselves."""
    group = (Customer.customer_type, Customer.branch_id, Customer.manager_id)
    statement = select(*group, func.count()).group_by(*group)
    return {
        (kind, branch, manager): size for kind, branch, manager, size in session.execute(statement)
    }


def _kept(session: Session) -> Counts:
    rows = session.scalars(select(CustomerCount))
    return {(row.customer_type, row.branch_id, row.manager_key or None): row.size for row in rows}


def test_the_kept_counts_follow_every_kind_of_customer_write(session: Session) -> None:
    north, south = factories.branch(session), factories.branch(session)
    wang = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=north.id)
    li = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=south.id)

    def step(name: str) -> Counts:
        session.flush()
        kept = _kept(session)
        assert kept == _counted(session), name
        return kept

    assert step("no customers") == {}
    first = factories.customer(session, branch_id=north.id, manager_id=wang.id)
    second = factories.customer(session, branch_id=north.id, manager_id=wang.id)
    factories.customer(session, branch_id=north.id, manager_id=None)
    factories.customer(
        session, branch_id=south.id, manager_id=li.id, customer_type=CustomerType.CORPORATE
    )
    assert step("opened")[(CustomerType.INDIVIDUAL, north.id, wang.id)] == 2

    first.manager_id = li.id
    step("manager changed by the ORM")
    session.execute(update(Customer).where(Customer.id == second.id).values(manager_id=None))
    kept = step("manager removed by plain SQL")
    assert (CustomerType.INDIVIDUAL, north.id, wang.id) not in kept
    assert kept[(CustomerType.INDIVIDUAL, north.id, None)] == 2
    session.execute(update(Customer).where(Customer.id == second.id).values(branch_id=south.id))
    step("branch changed")
    first.customer_type = CustomerType.CORPORATE
    before = step("type changed")
    session.execute(update(Customer).values(mobile_phone="13900000000"))
    assert step("a phone number changed") == before
    session.execute(delete(ManagerAssignment).where(ManagerAssignment.customer_id == first.id))
    session.execute(delete(Customer).where(Customer.id == first.id))
    step("customer deleted")
    session.execute(
        Customer.__table__.insert(),
        [
            {
                "external_id": f"BULK{number}",
                "customer_type": CustomerType.INDIVIDUAL,
                "name": f"批量{number}",
                "branch_id": branch,
                "manager_id": manager,
            }
            for number, (branch, manager) in enumerate(
                [(north.id, wang.id), (north.id, wang.id), (south.id, None), (south.id, li.id)]
            )
        ],
    )
    kept = step("many customers in one statement")
    assert kept[(CustomerType.INDIVIDUAL, north.id, wang.id)] == 2
    upsert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    reloaded = upsert(Customer).values(
        [
            {
                "external_id": external_id,
                "customer_type": CustomerType.CORPORATE,
                "name": "再导入",
                "branch_id": south.id,
                "manager_id": li.id,
            }
            for external_id in ("BULK0", "BULK9")
        ]
    )
    session.execute(
        reloaded.on_conflict_do_update(
            index_elements=[Customer.external_id],
            set_={"customer_type": reloaded.excluded.customer_type},
        )
    )
    kept = step("a customer moved and one added by an import's upsert")
    assert kept[(CustomerType.INDIVIDUAL, north.id, wang.id)] == 1


def test_list_totals_and_grouped_pages_agree_with_counting_the_rows(session: Session) -> None:
    """The kept counts serve lists without a search, counting serves a search: both give
    the same totals and pages, for a viewer of the bank, of a branch and of a book."""
    north, south = factories.branch(session), factories.branch(session)
    wang = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=north.id)
    li = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=north.id)
    for number in range(23):
        factories.customer(
            session,
            branch_id=(north, south)[number % 2].id,
            manager_id=(wang.id, li.id, None)[number % 3],
            name=f"张{number:02d}",
            customer_type=(CustomerType.INDIVIDUAL, CustomerType.CORPORATE)[number % 4 == 0],
        )
    analyst = factories.staff(session, role=Role.MARKETING_ANALYST, branch_id=north.id)
    branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=north.id)
    for viewer in (analyst, branch_manager, wang):
        repository = CustomerRepository(session, viewer)
        for sort in CustomerSort:
            for descending in (False, True):
                for filters in ({}, {"branch_id": north.id}, {"manager_id": li.id}):
                    pages = {
                        text: [
                            repository.search(
                                text=text,
                                match_mobile=False,
                                customer_type=filters.get("customer_type"),
                                branch_id=filters.get("branch_id"),
                                manager_id=filters.get("manager_id"),
                                offset=offset,
                                limit=5,
                                sort=sort,
                                descending=descending,
                            )
                            for offset in range(0, 25, 5)
                        ]
                        for text in (None, "张")
                    }
                    listed = [([row[0].id for row in rows], total) for rows, total in pages[None]]
                    searched = [([row[0].id for row in rows], total) for rows, total in pages["张"]]
                    assert listed == searched, (viewer.role, sort, descending, filters)
    everyone = CustomerRepository(session, analyst)
    _, total = everyone.search(
        text=None,
        match_mobile=False,
        customer_type=CustomerType.CORPORATE,
        branch_id=None,
        manager_id=None,
        offset=0,
        limit=5,
    )
    assert total == 6
