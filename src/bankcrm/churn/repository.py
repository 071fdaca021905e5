"""Every query about churn runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func

from bankcrm.analytics.runs import DatedRuns
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository

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


class ChurnScoreRepository(ScopedRepository):
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
        manager_id: int | None,
        branch_id: int | None,
        offset: int,
        limit: int,
    ) -> tuple[list[tuple[ChurnScore, Customer]], int]:
        """The visible warnings of the run, highest probability first, and their count."""
        conditions = [ChurnScore.run_id == run_id, ChurnScore.probability >= threshold]
        if manager_id is not None:
            conditions.append(Customer.manager_id == manager_id)
        if branch_id is not None:
            conditions.append(Customer.branch_id == branch_id)
        total = self.session.scalar(self.owned(ChurnScore, func.count()).where(*conditions)) or 0
        statement = (
            self.owned(ChurnScore, ChurnScore, Customer)
            .where(*conditions)
            .order_by(ChurnScore.probability.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return [(score, customer) for score, customer in self.session.execute(statement)], total
