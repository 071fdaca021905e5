"""All SQL of incentive pools and statements.

A statement and a clawback are seen by the person they are about and by their branch
(``scope.OWNERSHIP``); the KPI months a pool is split by are read the same way, so a branch
manager computes from their branch's rows. A pool holds no one's detail: it is read by
branch. The clawback check reads a seller's sales and the complaints about them bank-wide,
whichever book the customer is in now, through :class:`ClawbackSystemRepository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import ComplaintStatus, SaleStatus
from bankcrm.offers.models import Sale
from bankcrm.scope import ScopedRepository, SystemRepository
from bankcrm.staff.incentives.models import IncentiveClawback, IncentivePool, IncentiveStatement
from bankcrm.staff.performance.models import KpiMonth

SOLD = (SaleStatus.SUBSCRIBED, SaleStatus.CANCELLED)
"""Sales that took place (a cancelled one was sold first)."""


class IncentiveRepository(ScopedRepository):
    """The statements, clawbacks and KPI months the viewer may see."""

    def kpi_months(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[KpiMonth]:
        """The KPI months that meet ``conditions``, by person."""
        statement = self.owned(KpiMonth).where(*conditions).order_by(KpiMonth.staff_id).limit(limit)
        return list(self.session.scalars(statement))

    def statements(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[IncentiveStatement]:
        statement = (
            self.owned(IncentiveStatement)
            .where(*conditions)
            .order_by(
                IncentiveStatement.month.desc(),
                IncentiveStatement.branch_id,
                IncentiveStatement.staff_id,
            )
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def clawbacks(
        self, *, conditions: Sequence[ColumnElement[bool]], limit: int
    ) -> list[IncentiveClawback]:
        statement = (
            self.owned(IncentiveClawback)
            .where(*conditions)
            .order_by(IncentiveClawback.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))


class ClawbackSystemRepository(SystemRepository):
    """A seller's sales that a founded complaint followed, and their clawbacks not yet
    deducted: the clawback follows the sale wherever its customer is now."""

    def complained_sales(
        self, *, seller_ids: Sequence[int], received_before: datetime
    ) -> list[tuple[Sale, Complaint]]:
        """(sale, complaint) of the sellers' sales with a complaint from the same customer
        about the same product received after the sale and before ``received_before``,
        investigated (a root cause set) and not withdrawn."""
        statement = (
            self.owned(Sale, Sale, Complaint)
            .join(
                Complaint,
                (Complaint.customer_id == Sale.customer_id)
                & (Complaint.product_id == Sale.product_id),
            )
            .where(
                Sale.sold_by_id.in_(list(seller_ids)),
                Sale.status.in_(SOLD),
                Complaint.received_at >= Sale.sold_at,
                Complaint.received_at < received_before,
                Complaint.root_cause.is_not(None),
                Complaint.status != ComplaintStatus.WITHDRAWN,
            )
            .order_by(Sale.id, Complaint.id)
        )
        return [(sale, complaint) for sale, complaint in self.session.execute(statement)]

    def known(self, *, sale_ids: Sequence[int]) -> set[tuple[int, int]]:
        """The (sale, complaint) pairs already clawed back."""
        if not sale_ids:
            return set()
        statement = self.owned(
            IncentiveClawback, IncentiveClawback.sale_id, IncentiveClawback.complaint_id
        ).where(IncentiveClawback.sale_id.in_(list(sale_ids)))
        return {(int(sale), int(complaint)) for sale, complaint in self.session.execute(statement)}

    def pending(self, *, staff_ids: Sequence[int]) -> list[IncentiveClawback]:
        """Clawbacks not yet deducted on a statement."""
        statement = (
            self.owned(IncentiveClawback)
            .where(
                IncentiveClawback.staff_id.in_(list(staff_ids)),
                IncentiveClawback.statement_id.is_(None),
            )
            .order_by(IncentiveClawback.id)
        )
        return list(self.session.scalars(statement))

    def on_statement(self, *, statement_id: int) -> list[IncentiveClawback]:
        statement = (
            self.owned(IncentiveClawback)
            .where(IncentiveClawback.statement_id == statement_id)
            .order_by(IncentiveClawback.id)
        )
        return list(self.session.scalars(statement))

    def statements(self, *, pool_id: int) -> list[IncentiveStatement]:
        """A pool's statements, to recompute them whoever they are about."""
        statement = (
            self.owned(IncentiveStatement)
            .where(IncentiveStatement.pool_id == pool_id)
            .order_by(IncentiveStatement.staff_id)
        )
        return list(self.session.scalars(statement))


# --- pools: one per branch and month, no one's detail ---------------------------------------


def pool(session: Session, pool_id: int) -> IncentivePool | None:
    return session.get(IncentivePool, pool_id)


def pool_of(session: Session, *, branch_id: int, month: date) -> IncentivePool | None:
    statement = select(IncentivePool).where(
        IncentivePool.branch_id == branch_id, IncentivePool.month == month
    )
    return session.scalar(statement)


def pools(
    session: Session, *, branch_ids: Sequence[int] | None, month: date | None, limit: int
) -> list[IncentivePool]:
    """Pools of the branches given (all when ``None``), of one month when given."""
    statement = select(IncentivePool)
    if branch_ids is not None:
        statement = statement.where(IncentivePool.branch_id.in_(list(branch_ids)))
    if month is not None:
        statement = statement.where(IncentivePool.month == month)
    statement = statement.order_by(IncentivePool.month.desc(), IncentivePool.branch_id)
    return list(session.scalars(statement.limit(limit)))


def branch(session: Session, branch_id: int) -> Branch | None:
    return session.get(Branch, branch_id)
