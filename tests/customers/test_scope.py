"""Scope is enforced by each repository query, not by the order in which a service calls them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.customers.repository import CustomerRepository
from bankcrm.staff import repository as staff_repository
from tests.small_bank import SmallBank


def test_every_customer_query_is_scoped_by_itself(app_settings: str, small_bank: SmallBank) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        outsider = staff_repository.get_by_username(session, small_bank.manager_b)
        assert outsider is not None
        repository = CustomerRepository(session, outsider)
        foreign = small_bank.book_a[0]
        assert repository.get_with_names(foreign) is None
        assert repository.accounts(foreign) == []
        assert repository.recent_transactions(foreign, limit=10) == []
        assert repository.assignments(foreign) == []
        assert repository.deposit_balances([foreign]) == {}
        own = small_bank.book_b[0]
        assert repository.get_with_names(own) is not None
        assert repository.assignments(own) != []
    engine.dispose()
