"""Every query about churn runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, case, func
from sqlalchemy.orm import aliased

from bankcrm.analytics.runs import DatedRuns
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.clv.models import CustomerValue
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser

IN_CHUNK = 5_000


class ChurnRunRepository(DatedRuns[ChurnRun]):
    run_model = ChurnRun
    row_model = ChurnScore
    job = "churn"


class ChurnSystemRepository(SystemRepository):
    """The churn job's reads of every customer."""

    def managers_of(self, customer_ids: Sequence[int]) -> dict[int, int | None]:
        """Each customer's account manager, for the tasks the run raises."""
        managers: dict[int, int | None] = {}
        for start in range(0, len(customer_ids), IN_CHUNK):
            chunk = customer_ids[start : start + IN_CHUNK]
            statement = self.customers(Customer.id, Customer.manager_id).where(
                Customer.id.in_(chunk)
            )
            managers.update(
                {customer: manager for customer, manager in self.session.execute(statement)}
            )
        return managers

    def lifetime_values(self, clv_run_id: int) -> dict[int, int]:
        """Each valued customer's CLV in cents in the lifetime-value run."""
        statement = self.owned(
            CustomerValue, CustomerValue.customer_id, CustomerValue.clv_cents
        ).where(CustomerValue.run_id == clv_run_id)
        return {customer: clv for customer, clv in self.session.execute(statement)}


def priority() -> Any:
    """What the warning list is ranked by: the probability times the customer's value
    (lifetime value in cents, 0 where unknown)."""
    return ChurnScore.probability * func.coalesce(ChurnScore.value_cents, 0)


class ChurnScoreRepository(ScopedRepository):
    def customer(self, customer_id: int) -> Customer | None:
        """The customer, if the viewer may see them."""
        return self.session.scalar(self.customers(Customer).where(Customer.id == customer_id))

    def of_customer(self, run_id: int, customer_id: int) -> ChurnScore | None:
        statement = self.owned(ChurnScore).where(
            ChurnScore.run_id == run_id, ChurnScore.customer_id == customer_id
        )
        return self.session.scalar(statement)

    def warnings(
        self,
        run_id: int,
        *,
        threshold: float,
        active_threshold: float,
        manager_id: int | None,
        branch_id: int | None,
        lapsed: bool | None = None,
        offset: int,
        limit: int,
    ) -> tuple[list[Row[ChurnScore, Customer, str | None]], dict[bool, int]]:
        """The visible warnings of the run and how many there are of the still active
        (``False``) and of the lapsed (``True``).

        The still active come first, then the lapsed; each ranked by :func:`priority`, then
        probability. ``lapsed`` keeps one of the two. A score of a run from before the
        split (group unknown) counts as still active. Each row carries the account
        manager's full name.
        """
        is_lapsed = ChurnScore.active.is_(False)
        warned = case(
            (is_lapsed, ChurnScore.probability >= threshold),
            else_=ChurnScore.probability >= active_threshold,
        )
        conditions = [ChurnScore.run_id == run_id, warned]
        if manager_id is not None:
            conditions.append(Customer.manager_id == manager_id)
        if branch_id is not None:
            conditions.append(Customer.branch_id == branch_id)
        lapsed_first = case((is_lapsed, 1), else_=0)
        totals = {
            bool(group): count
            for group, count in self.session.execute(
                self.owned(ChurnScore, lapsed_first, func.count())
                .where(*conditions)
                .group_by(lapsed_first)
            )
        }
        if lapsed is not None:
            conditions.append(is_lapsed if lapsed else ChurnScore.active.is_not(False))
        manager = aliased(StaffUser)
        statement = (
            self.owned(ChurnScore, ChurnScore, Customer, manager.full_name)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(*conditions)
            .order_by(lapsed_first, priority().desc(), ChurnScore.probability.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(statement)), {
            False: totals.get(False, 0),
            True: totals.get(True, 0),
        }
