"""All SQL of complaint cases: scoped lookups and queues, timelines, reports, the sweep."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased

from bankcrm.branches.models import Branch
from bankcrm.complaints.models import Complaint, ComplaintEvent, ComplaintModel, ComplaintRecovery
from bankcrm.complaints.workflow import AWAITING_REPLY, FINISHED
from bankcrm.core.enums import ComplaintStatus, RecoveryKind, RecoveryStatus, TaskStatus
from bankcrm.customers.models import Customer
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

REMINDER_SOURCE = "complaints"
CASE_COSTS = (RecoveryKind.FEE_REFUND, RecoveryKind.COMPENSATION)

ComplaintWithNames = tuple[Complaint, str | None, str | None, str | None]
"""A case with its customer's name, its branch's name and its owner's username."""


class ComplaintRepository(ScopedRepository):
    """Cases of the branch or book the viewer may see (``scope.OWNERSHIP`` says how): each
    statement starts from the viewer's cases."""

    def _with_names(self) -> Any:
        owner = aliased(StaffUser)
        return (
            self.owned(Complaint, Complaint, Customer.name, Branch.name, owner.full_name)
            .outerjoin(Branch, Branch.id == Complaint.branch_id)
            .outerjoin(owner, owner.id == Complaint.owner_id)
        )

    def get(self, complaint_id: int) -> ComplaintWithNames | None:
        statement = self._with_names().where(Complaint.id == complaint_id)
        row = self.session.execute(statement).first()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def page(
        self,
        *,
        conditions: Sequence[ColumnElement[bool]],
        offset: int,
        limit: int,
    ) -> tuple[list[ComplaintWithNames], int]:
        count = self.owned(Complaint, func.count()).where(*conditions)
        total = int(self.session.scalar(count) or 0)
        statement = (
            self._with_names()
            .where(*conditions)
            .order_by(
                case((Complaint.status.in_(FINISHED), 1), else_=0),
                Complaint.deadline_at,
                Complaint.id,
            )
            .offset(offset)
            .limit(limit)
        )
        rows = self.session.execute(statement)
        return [(row[0], row[1], row[2], row[3]) for row in rows], total

    def customer(self, customer_id: int) -> Customer | None:
        statement = self.customers().where(Customer.id == customer_id)
        return self.session.scalars(statement).first()

    def branch_exists(self, branch_id: int) -> bool:
        return self.session.get(Branch, branch_id) is not None

    def events(self, complaint_id: int) -> list[tuple[ComplaintEvent, str | None]]:
        statement = (
            self.owned(ComplaintEvent, ComplaintEvent, StaffUser.full_name)
            .outerjoin(StaffUser, StaffUser.id == ComplaintEvent.actor_id)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
        return [(row[0], row[1]) for row in self.session.execute(statement)]

    def recoveries(self, complaint_id: int) -> list[tuple[ComplaintRecovery, str, str | None]]:
        maker = aliased(StaffUser)
        checker = aliased(StaffUser)
        statement = (
            self.owned(ComplaintRecovery, ComplaintRecovery, maker.full_name, checker.full_name)
            .join(maker, maker.id == ComplaintRecovery.maker_id)
            .outerjoin(checker, checker.id == ComplaintRecovery.checker_id)
            .where(ComplaintRecovery.complaint_id == complaint_id)
            .order_by(ComplaintRecovery.id)
        )
        return [(row[0], row[1], row[2]) for row in self.session.execute(statement)]

    def recovery(self, recovery_id: int) -> ComplaintRecovery | None:
        statement = self.owned(ComplaintRecovery).where(ComplaintRecovery.id == recovery_id)
        return self.session.scalars(statement).first()

    def report_rows(self, *, received_from: datetime, received_to: datetime) -> list[Any]:
        """Cases received in ``[received_from, received_to)`` with their branch and cost."""
        cost = (
            self.owned(
                ComplaintRecovery,
                ComplaintRecovery.complaint_id,
                func.sum(ComplaintRecovery.amount).label("cost"),
            )
            .where(
                ComplaintRecovery.status == RecoveryStatus.APPROVED,
                ComplaintRecovery.kind.in_(CASE_COSTS),
            )
            .group_by(ComplaintRecovery.complaint_id)
            .subquery()
        )
        statement = (
            self.owned(Complaint, Complaint, Branch.name, func.coalesce(cost.c.cost, Decimal(0)))
            .outerjoin(Branch, Branch.id == Complaint.branch_id)
            .outerjoin(cost, cost.c.complaint_id == Complaint.id)
            .where(Complaint.received_at >= received_from, Complaint.received_at < received_to)
            .order_by(Complaint.received_at, Complaint.id)
        )
        return list(self.session.execute(statement))


class ComplaintSystemRepository(SystemRepository):
    """Queries of the whole desk, run by the system rather than a viewer: the sweep, the
    classifier's training, and the workflow closing a case's own reminders."""

    def awaiting_reply(self, *, deadline_before: datetime) -> list[Complaint]:
        statement = (
            self.owned(Complaint)
            .where(
                Complaint.status.in_(AWAITING_REPLY),
                Complaint.deadline_at < deadline_before,
            )
            .order_by(Complaint.deadline_at, Complaint.id)
        )
        return list(self.session.scalars(statement))

    def reminder_refs(self) -> set[str]:
        statement = select(Task.source_ref).where(Task.source == REMINDER_SOURCE)
        return {ref for ref in self.session.scalars(statement) if ref is not None}

    def training_cases(self) -> list[tuple[str, str, str, bool]]:
        """Closed cases: text, product line, issue, and whether an officer corrected the
        suggestion."""
        corrected = and_(
            Complaint.suggested_issue.is_not(None),
            (Complaint.suggested_issue != Complaint.issue)
            | (Complaint.suggested_product_line != Complaint.product_line),
        )
        statement = (
            select(Complaint.text, Complaint.product_line, Complaint.issue, corrected)
            .where(Complaint.status == ComplaintStatus.CLOSED)
            .order_by(Complaint.id)
        )
        return [(row[0], row[1], row[2], bool(row[3])) for row in self.session.execute(statement)]

    def latest_model_id(self) -> int | None:
        statement = select(func.max(ComplaintModel.id))
        return self.session.scalar(statement)

    def model_artifact(self, model_id: int) -> bytes:
        statement = select(ComplaintModel.artifact).where(ComplaintModel.id == model_id)
        return bytes(self.session.scalars(statement).one())

    def open_reminders(self, complaint_id: int) -> list[Task]:
        statement = select(Task).where(
            Task.source == REMINDER_SOURCE,
            Task.source_ref.like(f"{complaint_id}:%"),
            Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)),
        )
        return list(self.session.scalars(statement))
