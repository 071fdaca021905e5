"""Every query about segment runs; customer rows are narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, insert, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bankcrm.core.enums import CustomerType, Quadrant, TaskStatus
from bankcrm.core.exceptions import Conflict
from bankcrm.core.repository import ScopedRepository
from bankcrm.customers.models import Customer
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.tasks.models import Task

INSERT_CHUNK = 5_000


class RunRepository:
    """Runs are bank-wide records; writing them is the segmentation job's alone."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_as_of(self, as_of: date) -> SegmentRun | None:
        return self.session.scalar(select(SegmentRun).where(SegmentRun.as_of == as_of))

    def latest(self, *, before: date | None = None) -> SegmentRun | None:
        statement = select(SegmentRun).where(SegmentRun.finished_at.is_not(None))
        if before is not None:
            statement = statement.where(SegmentRun.as_of < before)
        return self.session.scalar(statement.order_by(SegmentRun.as_of.desc()).limit(1))

    def all(self) -> list[SegmentRun]:
        statement = (
            select(SegmentRun)
            .where(SegmentRun.finished_at.is_not(None))
            .order_by(SegmentRun.as_of.desc())
        )
        return list(self.session.scalars(statement))

    def replace(self, run: SegmentRun) -> SegmentRun:
        previous = self.by_as_of(run.as_of)
        if previous is not None:
            self.session.execute(
                delete(CustomerSegment).where(CustomerSegment.run_id == previous.id)
            )
            self.session.delete(previous)
            self.session.flush()
        self.session.add(run)
        try:
            self.session.flush()
        except IntegrityError as error:
            raise Conflict(
                f"another segmentation run as of {run.as_of} was saved first; run again"
            ) from error
        return run

    def add_segments(self, rows: Iterable[dict[str, Any]]) -> None:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == INSERT_CHUNK:
                self.session.execute(insert(CustomerSegment), chunk)
                chunk = []
        if chunk:
            self.session.execute(insert(CustomerSegment), chunk)

    def moves(self, *, from_run: int, to_run: int) -> list[Row[int, int | None, str, str]]:
        """Customer, manager, old and new quadrant of everyone whose quadrant changed."""
        before = aliased(CustomerSegment)
        after = aliased(CustomerSegment)
        statement = (
            select(after.customer_id, Customer.manager_id, before.quadrant, after.quadrant)
            .join(before, before.customer_id == after.customer_id)
            .join(Customer, Customer.id == after.customer_id)
            .where(
                before.run_id == from_run,
                after.run_id == to_run,
                before.quadrant != after.quadrant,
            )
        )
        return list(self.session.execute(statement))

    def entered(self, *, run_id: int, quadrant: Quadrant, previous_run: int | None) -> list[Row]:
        """Customers in ``quadrant`` in this run who were not in it in the previous run."""
        statement = (
            select(CustomerSegment.customer_id, Customer.manager_id)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(CustomerSegment.run_id == run_id, CustomerSegment.quadrant == quadrant)
        )
        if previous_run is not None:
            before = aliased(CustomerSegment)
            statement = statement.outerjoin(
                before,
                (before.customer_id == CustomerSegment.customer_id)
                & (before.run_id == previous_run),
            ).where((before.quadrant.is_(None)) | (before.quadrant != quadrant))
        return list(self.session.execute(statement))

    def open_task_keys(self, *, source: str, kinds: Sequence[str]) -> set[tuple[int, str]]:
        statement = select(Task.customer_id, Task.kind).where(
            Task.source == source,
            Task.kind.in_(kinds),
            Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)),
            Task.customer_id.is_not(None),
        )
        return {
            (int(customer_id), kind)
            for customer_id, kind in self.session.execute(statement)
            if customer_id is not None
        }

    def add_tasks(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(Task), rows[start : start + INSERT_CHUNK])

    def export_rows(self, run_id: int) -> list[Row[CustomerSegment, str]]:
        """Every customer of the run, for batch exports (the command line acts for the bank)."""
        statement = (
            select(CustomerSegment, Customer.external_id)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(CustomerSegment.run_id == run_id)
            .order_by(CustomerSegment.customer_id)
        )
        return list(self.session.execute(statement))


class SegmentRepository(ScopedRepository):
    """Reading segments: each statement joins ``customers`` and goes through ``scoped``."""

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
        statement = (
            select(func.count())
            .select_from(CustomerSegment)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(*conditions)
        )
        return self.session.scalar(self.scoped(statement)) or 0

    def volumes(
        self,
        run_id: int,
        *,
        customer_type: CustomerType | None = None,
        branch_id: int | None = None,
        manager_id: int | None = None,
    ) -> list[Row[str, str, int]]:
        """Type, quadrant and volume of every visible customer in the run."""
        statement = (
            select(
                CustomerSegment.customer_type,
                CustomerSegment.quadrant,
                CustomerSegment.business_volume_cents,
            )
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(
                CustomerSegment.run_id == run_id,
                *self._filters(
                    customer_type=customer_type, branch_id=branch_id, manager_id=manager_id
                ),
            )
        )
        return list(self.session.execute(self.scoped(statement)))

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
        statement = (
            select(
                Customer.id,
                Customer.name,
                CustomerSegment.customer_type,
                CustomerSegment.business_share,
                CustomerSegment.loyalty_index,
                CustomerSegment.quadrant,
                CustomerSegment.business_volume_cents,
            )
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(*conditions)
        )
        if total > limit:
            stride = -(-total // limit)
            statement = statement.where(CustomerSegment.customer_id % stride == 0)
        statement = statement.order_by(Customer.id).limit(limit)
        return list(self.session.execute(self.scoped(statement))), total

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
            select(CustomerSegment, Customer.external_id, Customer.name)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(*conditions)
            .order_by(CustomerSegment.business_volume_cents.desc(), Customer.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(self.scoped(statement))), total

    def transitions(self, *, from_run: int, to_run: int) -> list[Row[str, str, int]]:
        before = aliased(CustomerSegment)
        statement = (
            select(before.quadrant, CustomerSegment.quadrant, func.count())
            .join(before, before.customer_id == CustomerSegment.customer_id)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(before.run_id == from_run, CustomerSegment.run_id == to_run)
            .group_by(before.quadrant, CustomerSegment.quadrant)
        )
        return list(self.session.execute(self.scoped(statement)))

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
            select(
                Customer.id,
                Customer.name,
                before.quadrant,
                CustomerSegment.quadrant,
                CustomerSegment.business_volume_cents,
            )
            .join(before, before.customer_id == CustomerSegment.customer_id)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(before.run_id == from_run, CustomerSegment.run_id == to_run, condition)
            .order_by(CustomerSegment.business_volume_cents.desc())
            .limit(limit)
        )
        return list(self.session.execute(self.scoped(statement)))

    def customer_history(self, customer_id: int) -> list[Row[CustomerSegment, date]]:
        statement = (
            select(CustomerSegment, SegmentRun.as_of)
            .join(SegmentRun, SegmentRun.id == CustomerSegment.run_id)
            .join(Customer, Customer.id == CustomerSegment.customer_id)
            .where(CustomerSegment.customer_id == customer_id, SegmentRun.finished_at.is_not(None))
            .order_by(SegmentRun.as_of.desc())
        )
        return list(self.session.execute(self.scoped(statement)))
