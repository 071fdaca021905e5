"""Every query about segment runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Row, func, true
from sqlalchemy.orm import aliased

from bankcrm.analytics.runs import DatedRuns
from bankcrm.core.enums import CustomerType, Quadrant
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment, SegmentRun


class RunRepository(DatedRuns[SegmentRun]):
    run_model = SegmentRun
    row_model = CustomerSegment
    job = "segmentation"


class SegmentSystemRepository(SystemRepository):
    """The segmentation job's reads of every customer: who moved, for the tasks it raises,
    and the batch export (the command line acts for the bank)."""

    def moves(self, *, from_run: int, to_run: int) -> list[Row[int, int | None, str, str]]:
        """Customer, manager, old and new quadrant of everyone whose quadrant changed."""
        before = aliased(CustomerSegment)
        statement = self.same_customer(
            self.owned(
                CustomerSegment,
                CustomerSegment.customer_id,
                Customer.manager_id,
                before.quadrant,
                CustomerSegment.quadrant,
            ),
            before,
            before.run_id == from_run,
        ).where(CustomerSegment.run_id == to_run, before.quadrant != CustomerSegment.quadrant)
        return list(self.session.execute(statement))

    def entered(self, *, run_id: int, quadrant: Quadrant, previous_run: int | None) -> list[Row]:
        """Customers in ``quadrant`` in this run who were not in it in the previous run."""
        statement = self.owned(
            CustomerSegment, CustomerSegment.customer_id, Customer.manager_id
        ).where(CustomerSegment.run_id == run_id, CustomerSegment.quadrant == quadrant)
        if previous_run is not None:
            before = aliased(CustomerSegment)
            statement = self.same_customer(
                statement, before, before.run_id == previous_run, outer=True
            ).where((before.quadrant.is_(None)) | (before.quadrant != quadrant))
        return list(self.session.execute(statement))

    def export_rows(self, run_id: int) -> list[Row[CustomerSegment, str]]:
        """Every customer of the run, for batch exports (the command line acts for the bank)."""
        statement = (
            self.owned(CustomerSegment, CustomerSegment, Customer.external_id)
            .where(CustomerSegment.run_id == run_id)
            .order_by(CustomerSegment.customer_id)
        )
        return list(self.session.execute(statement))


class SegmentRepository(ScopedRepository):
    """Reading segments: each statement starts from the viewer's segment rows."""

    def _filters(
        self,
        *,
        customer_type: CustomerType | None,
        branch_id: int | None,
        manager_id: int | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [true()]
        if customer_type is not None:
            conditions.append(Customer.customer_type == customer_type)
        if branch_id is not None:
            conditions.append(Customer.branch_id == branch_id)
        if manager_id is not None:
            conditions.append(Customer.manager_id == manager_id)
        return conditions

    def _count(self, conditions: list[ColumnElement[bool]]) -> int:
        statement = self.owned(CustomerSegment, func.count()).where(*conditions)
        return self.session.scalar(statement) or 0

    def volumes(
        self,
        run_id: int,
        *,
        customer_type: CustomerType | None = None,
        branch_id: int | None = None,
        manager_id: int | None = None,
    ) -> list[Row[str, str, int]]:
        """Type, quadrant and volume of every visible customer in the run."""
        statement = self.owned(
            CustomerSegment,
            CustomerSegment.customer_type,
            CustomerSegment.quadrant,
            CustomerSegment.business_volume_cents,
        ).where(
            CustomerSegment.run_id == run_id,
            *self._filters(customer_type=customer_type, branch_id=branch_id, manager_id=manager_id),
        )
        return list(self.session.execute(statement))

    def points(
        self,
        run_id: int,
        *,
        customer_type: CustomerType | None,
        branch_id: int | None,
        manager_id: int | None,
        limit: int,
    ) -> tuple[list[Row[int, str, str, float, float, str, int]], int]:
        """Up to ``limit`` customers for the scatter, an even sample when there are more."""
        conditions = [
            CustomerSegment.run_id == run_id,
            *self._filters(customer_type=customer_type, branch_id=branch_id, manager_id=manager_id),
        ]
        total = self._count(conditions)
        statement = self.owned(
            CustomerSegment,
            Customer.id,
            Customer.name,
            CustomerSegment.customer_type,
            CustomerSegment.business_share,
            CustomerSegment.loyalty_index,
            CustomerSegment.quadrant,
            CustomerSegment.business_volume_cents,
        ).where(*conditions)
        if total > limit:
            stride = -(-total // limit)
            statement = statement.where(CustomerSegment.customer_id % stride == 0)
        statement = statement.order_by(Customer.id).limit(limit)
        return list(self.session.execute(statement)), total

    def customers_in(
        self,
        run_id: int,
        *,
        quadrant: Quadrant | None,
        customer_type: CustomerType | None,
        branch_id: int | None,
        manager_id: int | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Row[CustomerSegment, str, str]], int]:
        """A page of the run's customers, largest volume first, with number and name."""
        conditions = [
            CustomerSegment.run_id == run_id,
            *self._filters(customer_type=customer_type, branch_id=branch_id, manager_id=manager_id),
        ]
        if quadrant is not None:
            conditions.append(CustomerSegment.quadrant == quadrant)
        total = self._count(conditions)
        statement = (
            self.owned(CustomerSegment, CustomerSegment, Customer.external_id, Customer.name)
            .where(*conditions)
            .order_by(CustomerSegment.business_volume_cents.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(statement)), total

    def transitions(self, *, from_run: int, to_run: int) -> list[Row[str, str, int]]:
        before = aliased(CustomerSegment)
        statement = (
            self.same_customer(
                self.owned(
                    CustomerSegment, before.quadrant, CustomerSegment.quadrant, func.count()
                ),
                before,
                before.run_id == from_run,
            )
            .where(CustomerSegment.run_id == to_run)
            .group_by(before.quadrant, CustomerSegment.quadrant)
        )
        return list(self.session.execute(statement))

    def downgrades(
        self, *, from_run: int, to_run: int, moves: Sequence[tuple[str, str]], limit: int
    ) -> list[Row[int, str, Quadrant, Quadrant, int]]:
        if not moves:
            return []
        before = aliased(CustomerSegment)
        pairs = [
            (before.quadrant == source) & (CustomerSegment.quadrant == target)
            for source, target in moves
        ]
        condition = pairs[0]
        for pair in pairs[1:]:
            condition = condition | pair
        statement = (
            self.same_customer(
                self.owned(
                    CustomerSegment,
                    Customer.id,
                    Customer.name,
                    before.quadrant,
                    CustomerSegment.quadrant,
                    CustomerSegment.business_volume_cents,
                ),
                before,
                before.run_id == from_run,
            )
            .where(CustomerSegment.run_id == to_run, condition)
            .order_by(CustomerSegment.business_volume_cents.desc())
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def customer_history(self, customer_id: int) -> list[Row[CustomerSegment, date]]:
        statement = (
            self.owned(CustomerSegment, CustomerSegment, SegmentRun.as_of)
            .join(SegmentRun, SegmentRun.id == CustomerSegment.run_id)
            .where(CustomerSegment.customer_id == customer_id, SegmentRun.finished_at.is_not(None))
            .order_by(SegmentRun.as_of.desc())
        )
        return list(self.session.execute(statement))
