"""Every query about valuations; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from sqlalchemy import Row, func
from sqlalchemy.orm import aliased

from bankcrm.analytics.runs import DatedRuns
from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository
from bankcrm.segmentation.models import CustomerSegment
from bankcrm.staff.models import StaffUser


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

    def most_valuable(
        self, run_id: int, *, offset: int, limit: int
    ) -> tuple[list[Row[CustomerValue, Customer, str | None]], int]:
        """The visible customers of the run by lifetime value, highest first, each with the
        account manager's full name; and how many there are."""
        total = self.session.scalar(
            self.owned(CustomerValue, func.count()).where(CustomerValue.run_id == run_id)
        )
        manager = aliased(StaffUser)
        statement = (
            self.owned(CustomerValue, CustomerValue, Customer, manager.full_name)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(CustomerValue.run_id == run_id)
            .order_by(CustomerValue.clv_cents.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(statement)), int(total or 0)
