"""Incentive pools and statements: a branch manager sets the branch's pool for a month,
computes the statements from the month's KPI scores (:mod:`.allocation`), with the
clawbacks of unsuitable sales deducted, recomputes while the pool is a draft, and approves
it, after which it is frozen. Each person reads their own statements; their branch manager
and the admin read them too.

A clawback is found when a pool is computed: for each person in it, every sale of theirs
that a founded complaint about the sold product, from the customer it was sold to, followed
within the rules' window (:func:`.allocation.clawback_reason`) becomes one clawback of the
rules' amount (once per sale and complaint), deducted on the first statement computed for
the seller that is not yet approved.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.complaints.models import Complaint
from bankcrm.core.clock import as_utc, bank_day_start, utcnow
from bankcrm.core.enums import PoolStatus, Role
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.money import from_cents, to_cents
from bankcrm.offers.models import Sale
from bankcrm.scope import ROLE_SCOPE, Scope, sees_branch
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.incentives import allocation
from bankcrm.staff.incentives import repository as incentive_repository
from bankcrm.staff.incentives.models import IncentiveClawback, IncentivePool, IncentiveStatement
from bankcrm.staff.incentives.repository import ClawbackSystemRepository, IncentiveRepository
from bankcrm.staff.incentives.schemas import (
    ClawbackRead,
    PoolApprove,
    PoolCreate,
    PoolRead,
    StatementLineRead,
    StatementRead,
)
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance.models import KpiMonth

LIST_LIMIT = 500
CLAWBACK = "clawback"
"""The code of a statement line that deducts a clawback."""


def rules() -> allocation.IncentiveRules:
    return allocation.load_shipped()


# --- pools ----------------------------------------------------------------------------------


def create_pool(session: Session, *, user: StaffUser, data: PoolCreate) -> PoolRead:
    """Open the branch's pool for the month, as a draft, and compute its statements."""
    _manages(user, data.branch_id)
    if incentive_repository.branch(session, data.branch_id) is None:
        raise ValidationFailed(f"no branch {data.branch_id}", field="branch_id")
    if incentive_repository.pool_of(session, branch_id=data.branch_id, month=data.month):
        raise Conflict(f"branch {data.branch_id} already has a pool for {data.month:%Y-%m}")
    row = IncentivePool(
        branch_id=data.branch_id,
        month=data.month,
        amount_cents=to_cents(data.amount),
        status=PoolStatus.DRAFT,
        rules=rules().model_dump(mode="json"),
        created_by_id=user.id,
        unallocated_cents=0,
    )
    try:
        # two managers' tabs setting the same month at once: the second is told, not failed
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"branch {data.branch_id} already has a pool for {data.month:%Y-%m}"
        ) from None
    _compute(session, user, row)
    return _pool_read(session, user, row)


def compute_pool(session: Session, *, user: StaffUser, pool_id: int) -> PoolRead:
    """Recompute a draft pool's statements from the KPI months as they are now."""
    row = _pool(session, user, pool_id)
    _manages(user, row.branch_id)
    _draft(row)
    row.rules = rules().model_dump(mode="json")
    _compute(session, user, row)
    return _pool_read(session, user, row)


def approve_pool(session: Session, *, user: StaffUser, pool_id: int, data: PoolApprove) -> PoolRead:
    """The branch manager approves the version they saw; the statements are frozen."""
    row = _pool(session, user, pool_id)
    _manages(user, row.branch_id)
    _draft(row)
    if row.version != data.version:
        raise Conflict(
            f"pool {pool_id} was changed by someone else (now version {row.version}); reload it"
        )
    if not ClawbackSystemRepository(session).statements(pool_id=row.id):
        raise Conflict(f"pool {pool_id} has no statements to approve; compute it first")
    row.status = PoolStatus.APPROVED
    row.approved_by_id = user.id
    row.approved_at = utcnow()
    session.flush()
    return _pool_read(session, user, row)


def list_pools(session: Session, *, user: StaffUser, month: date | None) -> list[PoolRead]:
    """The pools of the branches the viewer sees whole (their branch; the admin all)."""
    scope = ROLE_SCOPE[user.role]
    branch_ids: list[int] | None = None
    if scope is not Scope.ALL:
        if scope is Scope.OWN_BOOK or user.branch_id is None:
            return []
        branch_ids = [user.branch_id]
    rows = incentive_repository.pools(
        session, branch_ids=branch_ids, month=_first_day(month), limit=LIST_LIMIT
    )
    return [_pool_read(session, user, row) for row in rows]


def get_pool(session: Session, *, user: StaffUser, pool_id: int) -> PoolRead:
    return _pool_read(session, user, _pool(session, user, pool_id))


def scored_staff(session: Session, *, user: StaffUser, branch_id: int, month: date) -> list[int]:
    """Who the branch's pool of the month would be split among: staff of the rules' roles
    with a KPI month there."""
    months = IncentiveRepository(session, user).kpi_months(
        conditions=_scored_in(branch_id, month.replace(day=1), rules().roles), limit=LIST_LIMIT
    )
    return [row.staff_id for row in months]


# --- statements -----------------------------------------------------------------------------


def list_statements(
    session: Session, *, user: StaffUser, month: date | None = None, pool_id: int | None = None
) -> list[StatementRead]:
    """The statements the viewer may see (their own; a branch manager the branch's)."""
    conditions = []
    if month is not None:
        conditions.append(IncentiveStatement.month == _first_day(month))
    if pool_id is not None:
        conditions.append(IncentiveStatement.pool_id == pool_id)
    repository = IncentiveRepository(session, user)
    rows = repository.statements(conditions=conditions, limit=LIST_LIMIT)
    return [_statement_read(session, repository, row) for row in rows]


def get_statement(session: Session, *, user: StaffUser, statement_id: int) -> StatementRead:
    """``NotFound`` when the viewer may not see it."""
    repository = IncentiveRepository(session, user)
    found = repository.statements(conditions=[IncentiveStatement.id == statement_id], limit=1)
    if not found:
        raise NotFound(f"no incentive statement {statement_id} you may see")
    return _statement_read(session, repository, found[0])


# --- computing ------------------------------------------------------------------------------


def _compute(session: Session, user: StaffUser, pool: IncentivePool) -> None:
    """Split the pool among the month's scored staff and deduct their clawbacks: statements
    are updated in place, added for new people and removed for people no longer scored."""
    in_force = allocation.IncentiveRules.model_validate(pool.rules)
    months = IncentiveRepository(session, user).kpi_months(
        conditions=_scored_in(pool.branch_id, pool.month, in_force.roles), limit=LIST_LIMIT
    )
    people = [
        allocation.Person(staff_id=row.staff_id, score=row.score, attainment=row.attainment or {})
        for row in months
    ]
    split = allocation.split_pool(pool.amount_cents, people, in_force)
    system = ClawbackSystemRepository(session)
    existing = {row.staff_id: row for row in system.statements(pool_id=pool.id)}
    scored = {person.staff_id for person in people}
    for staff_id, row in existing.items():
        if staff_id not in scored:
            for clawback in system.on_statement(statement_id=row.id):
                clawback.statement_id = None
            session.delete(row)
    session.flush()
    _find_clawbacks(
        session, sellers=sorted(scored), rule=in_force.clawback, month=pool.month, pool=pool
    )
    for person_split in split.allocations:
        found = existing.get(person_split.staff_id)
        if found is None:
            found = IncentiveStatement(
                pool_id=pool.id,
                staff_id=person_split.staff_id,
                branch_id=pool.branch_id,
                month=pool.month,
                score=person_split.score,
                gross_cents=0,
                clawback_cents=0,
                net_cents=0,
                lines=[],
            )
            session.add(found)
            session.flush()
        row = found
        clawbacks = [
            *system.on_statement(statement_id=row.id),
            *system.pending(staff_ids=[person_split.staff_id]),
        ]
        for clawback in clawbacks:
            clawback.statement_id = row.id
        lines: list[dict[str, Any]] = [
            {
                "code": line.code,
                "amount_cents": line.amount_cents,
                "basis": line.basis,
                "threshold": line.threshold,
                "paid": line.paid,
            }
            for line in person_split.lines
        ]
        lines += [
            {"code": CLAWBACK, "amount_cents": -clawback.amount_cents, "clawback_id": clawback.id}
            for clawback in clawbacks
        ]
        row.score = person_split.score
        row.gross_cents = person_split.gross_cents
        row.clawback_cents = sum(clawback.amount_cents for clawback in clawbacks)
        row.net_cents = allocation.net_cents(row.gross_cents, row.clawback_cents)
        row.lines = lines
    pool.unallocated_cents = split.unallocated_cents
    session.flush()


def _find_clawbacks(
    session: Session,
    *,
    sellers: list[int],
    rule: allocation.ClawbackRule,
    month: date,
    pool: IncentivePool,
) -> None:
    """Record a clawback for each seller's sale that a founded unsuitable-sale complaint
    received by the end of ``month`` followed within the window, once per sale and
    complaint."""
    if not sellers:
        return
    system = ClawbackSystemRepository(session)
    received_before = bank_day_start(_next_month(month))
    pairs = system.complained_sales(seller_ids=sellers, received_before=received_before)
    known = system.known(sale_ids=[sale.id for sale, _ in pairs])
    now = utcnow()
    for sale, complaint in pairs:
        if (sale.id, complaint.id) in known or sale.sold_by_id is None:
            continue
        reason = _clawback_reason(rule, sale, complaint)
        if reason is None:
            continue
        session.add(
            IncentiveClawback(
                staff_id=sale.sold_by_id,
                branch_id=pool.branch_id,
                sale_id=sale.id,
                complaint_id=complaint.id,
                amount_cents=to_cents(rule.amount),
                statement_id=None,
                reason=f"{complaint.external_id}: {complaint.issue} / {complaint.root_cause}",
                created_at=now,
                rule=reason,
            )
        )
        known.add((sale.id, complaint.id))
    session.flush()


def _clawback_reason(
    rule: allocation.ClawbackRule, sale: Sale, complaint: Complaint
) -> allocation.ClawbackReason | None:
    window_end = _add_months(as_utc(sale.sold_at), rule.window_months)
    if as_utc(complaint.received_at) > window_end:
        return None
    return allocation.clawback_reason(
        rule,
        issue=complaint.issue,
        root_cause=complaint.root_cause,
        sale_had_mismatch=bool(sale.mismatch),
    )


# --- helpers --------------------------------------------------------------------------------


def _scored_in(branch_id: int, month: date, roles: list[str]) -> list[ColumnElement[bool]]:
    return [KpiMonth.branch_id == branch_id, KpiMonth.month == month, KpiMonth.role.in_(roles)]


def _manages(user: StaffUser, branch_id: int) -> None:
    """Only the branch manager of the branch sets, computes and approves its pool."""
    if user.role is not Role.BRANCH_MANAGER or user.branch_id != branch_id:
        raise PermissionDenied("only the branch's manager sets, computes and approves its pool")


def _pool(session: Session, user: StaffUser, pool_id: int) -> IncentivePool:
    row = incentive_repository.pool(session, pool_id)
    scope = ROLE_SCOPE[user.role]
    if row is None or scope is Scope.OWN_BOOK or not sees_branch(user, row.branch_id):
        raise NotFound(f"no incentive pool {pool_id} you may see")
    return row


def _draft(row: IncentivePool) -> None:
    if row.status is not PoolStatus.DRAFT:
        raise Conflict(f"pool {row.id} is approved; its statements are frozen")


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` (or a day of the month) as the month's first day."""
    if not text:
        return None
    try:
        return date.fromisoformat(f"{text[:7]}-01")
    except ValueError:
        raise ValidationFailed(f"not a month: {text!r}", field="month") from None


def _first_day(month: date | None) -> date | None:
    return None if month is None else month.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _name(session: Session, staff_id: int | None) -> str | None:
    person = staff_repository.get_by_id(session, staff_id) if staff_id is not None else None
    return person.full_name if person is not None else None


def _branch_name(session: Session, branch_id: int) -> str:
    found = incentive_repository.branch(session, branch_id)
    return found.name if found is not None else str(branch_id)


def _yuan(cents: int) -> Decimal:
    return from_cents(cents)


def _pool_read(session: Session, user: StaffUser, row: IncentivePool) -> PoolRead:
    statements = IncentiveRepository(session, user).statements(
        conditions=[IncentiveStatement.pool_id == row.id], limit=LIST_LIMIT
    )
    return PoolRead(
        id=row.id,
        version=row.version,
        branch_id=row.branch_id,
        branch_name=_branch_name(session, row.branch_id),
        month=row.month,
        amount=_yuan(row.amount_cents),
        unallocated=_yuan(row.unallocated_cents),
        status=row.status,
        statements=len(statements),
        created_by=_name(session, row.created_by_id),
        approved_by=_name(session, row.approved_by_id),
        approved_at=row.approved_at,
    )


def _statement_read(
    session: Session, repository: IncentiveRepository, row: IncentiveStatement
) -> StatementRead:
    pool = incentive_repository.pool(session, row.pool_id)
    assert pool is not None
    clawbacks = repository.clawbacks(
        conditions=[IncentiveClawback.statement_id == row.id], limit=LIST_LIMIT
    )
    return StatementRead(
        id=row.id,
        pool_id=row.pool_id,
        pool_status=pool.status,
        staff_id=row.staff_id,
        staff_name=_name(session, row.staff_id) or str(row.staff_id),
        branch_id=row.branch_id,
        branch_name=_branch_name(session, row.branch_id),
        month=row.month,
        score=row.score,
        gross=_yuan(row.gross_cents),
        clawback=_yuan(row.clawback_cents),
        net=_yuan(row.net_cents),
        lines=[
            StatementLineRead(
                code=line["code"],
                amount=_yuan(int(line["amount_cents"])),
                basis=line.get("basis"),
                threshold=line.get("threshold"),
                paid=bool(line.get("paid", True)),
                clawback_id=line.get("clawback_id"),
            )
            for line in row.lines
        ],
        clawbacks=[
            ClawbackRead(
                id=clawback.id,
                sale_id=clawback.sale_id,
                complaint_id=clawback.complaint_id,
                amount=_yuan(clawback.amount_cents),
                rule=clawback.rule,
                reason=clawback.reason,
                created_at=clawback.created_at,
            )
            for clawback in clawbacks
        ],
        approved_by=_name(session, pool.approved_by_id),
        approved_at=pool.approved_at,
    )
