"""Every query about valuations; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from sqlalchemy import Row, func

from bankcrm.analytics.runs import DatedRuns
from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.scope import ScopedRepository
from bankcrm.segmentation.models import CustomerSegment


class ClvRunRepository(DatedRuns[ClvRun]):
    run_model = ClvRun
    row_model = CustomerValue
    job = "lifetime value"


class ValueRepository(ScopedRepository):
    def of_customer(self, run_id: int, customer_id: int) -> CustomerValue | None:
        statement = self.owned(CustomerValue).where(
            CustomerValue.run_id == run_id, CustomerValue.customer_id == customer_id
        )
        return self.session.scalar(statement)

    def by_quadrant(self, run_id: int, segment_run_id: int) -> list[Row[str, int, int, float]]:
        """Quadrant, customers, total CLV and mean P(alive) of the visible customers."""
        statement = (
            self.same_customer(
                self.owned(
                    CustomerValue,
                    CustomerSegment.quadrant,
                    func.count(),
                    func.sum(CustomerValue.clv_cents),
                    func.avg(CustomerValue.p_alive),
                ),
                CustomerSegment,
                CustomerSegment.run_id == segment_run_id,
            )
            .where(CustomerValue.run_id == run_id)
            .group_by(CustomerSegment.quadrant)
        )
        return list(self.session.execute(statement))
