"""All SQL of queue tickets: a ticket is seen by everyone at its branch (the whole bank for
roles that see it all, ``scope.OWNERSHIP``); the command line reads and writes through the
system path."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.quality.models import Inspection, InspectionResult, ServiceStandard
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser

CALLED_FIRST = case((QueueTicket.priority == TicketPriority.NORMAL, 1), else_=0)
"""VIP and elderly customers are called before the others, then by arrival."""
ObservationRow = tuple[str, str | None, float | None, bool]


class QueueRepository(ScopedRepository):
    """The tickets of the viewer's branch (every branch for roles that see them all)."""

    def find(self, *, conditions: Sequence[ColumnElement[bool]], limit: int) -> list[QueueTicket]:
        """The tickets that meet ``conditions``, by arrival."""
        statement = (
            self.owned(QueueTicket)
            .where(*conditions)
            .order_by(QueueTicket.arrived_at, QueueTicket.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def day_tickets(self, *, branch_id: int | None, day: date) -> list[QueueTicket]:
        """The tickets drawn on ``day``, at the branch or at every branch the viewer sees."""
        statement = self.owned(QueueTicket).where(QueueTicket.issued_on == day)
        if branch_id is not None:
            statement = statement.where(QueueTicket.branch_id == branch_id)
        order = (QueueTicket.arrived_at, QueueTicket.id)
        return list(self.session.scalars(statement.order_by(*order)))

    def next_waiting(self, *, branch_id: int, day: date) -> QueueTicket | None:
        """The waiting ticket to call next: VIP and elderly first, then by arrival."""
        statement = (
            self.owned(QueueTicket)
            .where(
                QueueTicket.branch_id == branch_id,
                QueueTicket.issued_on == day,
                QueueTicket.status == TicketStatus.WAITING,
            )
            .order_by(CALLED_FIRST, QueueTicket.arrived_at, QueueTicket.id)
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def transition(
        self, *, conditions: Sequence[ColumnElement[bool]], changes: Mapping[str, object]
    ) -> int:
        """Apply ``changes`` to the tickets that still meet ``conditions`` (a status among
        them), in one conditional UPDATE; the tickets changed, 0 when someone was first."""
        statement = (
            self.owned_update(QueueTicket)
            .where(*conditions)
            .values(**changes)
            .execution_options(synchronize_session="fetch")
        )
        return int(self.session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]

    def numbers(self, *, branch_id: int, day: date) -> set[str]:
        """The ticket numbers already drawn at the branch on ``day``."""
        statement = self.owned(QueueTicket, QueueTicket.number).where(
            QueueTicket.branch_id == branch_id, QueueTicket.issued_on == day
        )
        return set(self.session.scalars(statement))

    def visits(self, *, branch_id: int | None, since: date, until: date) -> list[QueueTicket]:
        """The tickets drawn from ``since`` to ``until`` inclusive."""
        return _visits(self.owned(QueueTicket), branch_id, since, until, self.session)

    def inspection_observations(
        self, *, branch_id: int | None, since: date, until: date
    ) -> list[ObservationRow]:
        """Every checklist line of the inspections of the period: (standard code, unit,
        observed value, passed)."""
        statement = (
            self.owned(
                InspectionResult,
                ServiceStandard.code,
                ServiceStandard.unit,
                InspectionResult.observed,
                InspectionResult.passed,
            )
            .join(ServiceStandard, ServiceStandard.id == InspectionResult.standard_id)
            .where(Inspection.inspected_on >= since, Inspection.inspected_on <= until)
        )
        if branch_id is not None:
            statement = statement.where(Inspection.branch_id == branch_id)
        return [
            (code, unit, observed, bool(passed))
            for code, unit, observed, passed in self.session.execute(statement)
        ]


class QueueImportSystemRepository(SystemRepository):
    """The tickets of one branch as the command line imports and reports them, for the
    whole bank rather than a member of staff."""

    def existing(
        self, *, branch_id: int, keys: Collection[tuple[date, str]]
    ) -> dict[tuple[date, str], QueueTicket]:
        """The branch's tickets already stored under (day, number) of ``keys``."""
        days = {day for day, _ in keys}
        if not days:
            return {}
        statement = self.owned(QueueTicket).where(
            QueueTicket.branch_id == branch_id, QueueTicket.issued_on.in_(days)
        )
        return {
            (row.issued_on, row.number): row
            for row in self.session.scalars(statement)
            if (row.issued_on, row.number) in keys
        }

    def visits(self, *, branch_id: int, since: date, until: date) -> list[QueueTicket]:
        return _visits(self.owned(QueueTicket), branch_id, since, until, self.session)

    def inspection_observations(
        self, *, branch_id: int, since: date, until: date
    ) -> list[ObservationRow]:
        statement = (
            self.owned(
                InspectionResult,
                ServiceStandard.code,
                ServiceStandard.unit,
                InspectionResult.observed,
                InspectionResult.passed,
            )
            .join(ServiceStandard, ServiceStandard.id == InspectionResult.standard_id)
            .where(
                Inspection.branch_id == branch_id,
                Inspection.inspected_on >= since,
                Inspection.inspected_on <= until,
            )
        )
        return [
            (code, unit, observed, bool(passed))
            for code, unit, observed, passed in self.session.execute(statement)
        ]


def _visits(
    statement: Select[Any], branch_id: int | None, since: date, until: date, session: Session
) -> list[QueueTicket]:
    statement = statement.where(QueueTicket.issued_on >= since, QueueTicket.issued_on <= until)
    if branch_id is not None:
        statement = statement.where(QueueTicket.branch_id == branch_id)
    return list(session.scalars(statement.order_by(QueueTicket.arrived_at, QueueTicket.id)))


def branch(session: Session, branch_id: int) -> Branch | None:
    return session.get(Branch, branch_id)


def branch_by_external_id(session: Session, external_id: str) -> Branch | None:
    return session.scalars(select(Branch).where(Branch.external_id == external_id)).first()


def branches(session: Session, ids: Collection[int] | None = None) -> list[Branch]:
    """Branches by name; all of them when ``ids`` is not given."""
    statement = select(Branch).order_by(Branch.name, Branch.id)
    if ids is not None:
        statement = statement.where(Branch.id.in_(ids))
    return list(session.scalars(statement))


def staff_of_branch(session: Session, branch_id: int) -> dict[str, int]:
    """The staff of a branch (those who have left too: old files name them), id by
    username."""
    statement = select(StaffUser.username, StaffUser.id).where(StaffUser.branch_id == branch_id)
    return {username: staff_id for username, staff_id in session.execute(statement)}


def staff_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    statement = select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.in_(ids))
    return {staff_id: name for staff_id, name in session.execute(statement)}
