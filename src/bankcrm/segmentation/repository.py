"""Every query about segment runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, true
from sqlalchemy.orm import aliased

from bankcrm.analytics.runs import DatedRuns
from bankcrm.branches.models import Branch
from bankcrm.core.enums import CustomerType, LifecycleStage, Quadrant
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.segmentation.schemas import SegmentSort
from bankcrm.staff.models import StaffUser


def _in_order(column: Any, values: type[Quadrant] | type[LifecycleStage]) -> Any:
    """A coded column sorted in the order of its codes (loyal before problem customers,
    prospect before new), not alphabetically."""
    return case({value.value: index for index, value in enumerate(values)}, value=column)


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
        sort: SegmentSort = SegmentSort.VOLUME,
        descending: bool = True,
    ) -> tuple[list[Row[CustomerSegment, str, str, str, str | None]], int]:
        """A page of the run's customers in the order of ``sort`` (then by customer, so pages
        never overlap), with number, name, branch and account manager."""
        manager = aliased(StaffUser)
        conditions = [
            CustomerSegment.run_id == run_id,
            *self._filters(customer_type=customer_type, branch_id=branch_id, manager_id=manager_id),
        ]
        if quadrant is not None:
            conditions.append(CustomerSegment.quadrant == quadrant)
        total = self._count(conditions)
        sorted_by: Any = {
            SegmentSort.NUMBER: Customer.external_id,
            SegmentSort.NAME: Customer.name,
            SegmentSort.TYPE: CustomerSegment.customer_type,
            SegmentSort.QUADRANT: _in_order(CustomerSegment.quadrant, Quadrant),
            SegmentSort.TIER: CustomerSegment.value_tier,
            SegmentSort.LIFECYCLE: _in_order(CustomerSegment.lifecycle_stage, LifecycleStage),
            SegmentSort.LOYALTY: CustomerSegment.loyalty_index,
            SegmentSort.SHARE: CustomerSegment.business_share,
            SegmentSort.VOLUME: CustomerSegment.business_volume_cents,
        }[sort]
        statement = (
            self.owned(
                CustomerSegment,
                CustomerSegment,
                Customer.external_id,
                Customer.name,
                Branch.name,
                manager.full_name,
            )
            .join(Branch, Branch.id == Customer.branch_id)
            .outerjoin(manager, manager.id == Customer.manager_id)
            .where(*conditions)
            .order_by(sorted_by.desc() if descending else sorted_by.asc(), Customer.id)
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
