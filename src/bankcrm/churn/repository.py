"""Every query about churn runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.analytics.runs import DatedRuns
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.core.repository import ScopedRepository
from bankcrm.customers.models import Customer

IN_CHUNK = 5_000


class ChurnRunRepository(DatedRuns[ChurnRun]):
    run_model = ChurnRun
    row_model = ChurnScore
    job = "churn"


def managers_of(session: Session, customer_ids: Sequence[int]) -> dict[int, int | None]:
    """Each customer's account manager (a bank-wide lookup for the job raising tasks)."""
    managers: dict[int, int | None] = {}
    for start in range(0, len(customer_ids), IN_CHUNK):
        chunk = customer_ids[start : start + IN_CHUNK]
        statement = select(Customer.id, Customer.manager_id).where(Customer.id.in_(chunk))
        managers.update({customer: manager for customer, manager in session.execute(statement)})
    return managers


class ChurnScoreRepository(ScopedRepository):
    def of_customer(self, run_id: int, customer_id: int) -> ChurnScore | None:
        statement = (
            select(ChurnScore)
            .join(Customer, Customer.id == ChurnScore.customer_id)
            .where(ChurnScore.run_id == run_id, ChurnScore.customer_id == customer_id)
        )
        return self.session.scalar(self.scoped(statement))

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
        base = select(ChurnScore, Customer).join(Customer, Customer.id == ChurnScore.customer_id)
        total = (
            self.session.scalar(
                self.scoped(
                    select(func.count())
                    .select_from(ChurnScore)
                    .join(Customer, Customer.id == ChurnScore.customer_id)
                    .where(*conditions)
                )
            )
            or 0
        )
        statement = (
            base.where(*conditions)
            .order_by(ChurnScore.probability.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            (score, customer) for score, customer in self.session.execute(self.scoped(statement))
        ], total
