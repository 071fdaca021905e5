"""All SQL of the standards catalogue and the inspections; inspections are read as the viewer
may see them (their branch, or the staff member observed)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bankcrm.branches.models import Branch
from bankcrm.core.enums import InspectionKind, Role
from bankcrm.quality.inspections.checklist import ResultRow
from bankcrm.quality.models import ImprovementAction, Inspection, InspectionResult, ServiceStandard
from bankcrm.scope import ScopedRepository
from bankcrm.staff.models import StaffUser

FRONT_LINE_ROLES = (Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER)
"""Staff an inspection may observe: the branch's customer-facing people."""


# --- standards --------------------------------------------------------------------------


def standards(session: Session, *, active_only: bool = False) -> list[ServiceStandard]:
    statement = select(ServiceStandard).order_by(ServiceStandard.code)
    if active_only:
        statement = statement.where(ServiceStandard.active.is_(True))
    return list(session.scalars(statement))


def standard_by_code(session: Session, code: str) -> ServiceStandard | None:
    return session.scalars(select(ServiceStandard).where(ServiceStandard.code == code)).first()


def standards_by_ids(session: Session, ids: Collection[int]) -> dict[int, ServiceStandard]:
    if not ids:
        return {}
    statement = select(ServiceStandard).where(ServiceStandard.id.in_(ids))
    return {row.id: row for row in session.scalars(statement)}


# --- branches and staff -----------------------------------------------------------------


def lock_branch(session: Session, branch_id: int) -> None:
    """Hold the branch row until commit, so two inspections recorded at once cannot both
    find no open corrective action and open two (PostgreSQL; SQLite writes one at a time)."""
    session.execute(select(Branch.id).where(Branch.id == branch_id).with_for_update())


def front_line_staff(session: Session, branch_id: int) -> list[StaffUser]:
    """Active customer-facing staff of a branch, whom an inspection may observe."""
    statement = (
        select(StaffUser)
        .where(
            StaffUser.branch_id == branch_id,
            StaffUser.role.in_(FRONT_LINE_ROLES),
            StaffUser.is_active.is_(True),
        )
        .order_by(StaffUser.full_name, StaffUser.id)
    )
    return list(session.scalars(statement))


def _period_conditions(
    since: date, until: date, kind: InspectionKind | None, branch_id: int | None
) -> list[ColumnElement[bool]]:
    return [
        Inspection.inspected_on.between(since, until),
        *([Inspection.kind == kind] if kind is not None else []),
        *([Inspection.branch_id == branch_id] if branch_id is not None else []),
    ]


class InspectionRepository(ScopedRepository):
    """Inspections and their checklist lines: a branch manager reads their branch's."""

    def inspection(self, inspection_id: int) -> Inspection | None:
        statement = (
            self.owned(Inspection)
            .where(Inspection.id == inspection_id)
            .options(selectinload(Inspection.results))
        )
        return self.session.scalars(statement).first()

    def recent_inspections(
        self,
        *,
        since: date,
        until: date,
        kind: InspectionKind | None = None,
        branch_id: int | None = None,
        limit: int,
    ) -> list[tuple[Inspection, int, int]]:
        """Inspections of the period, latest first, with their lines checked and passed."""
        counts = (
            self.owned(
                InspectionResult,
                InspectionResult.inspection_id,
                func.count().label("checked"),
                func.sum(func.cast(InspectionResult.passed, Integer)).label("passed"),
            )
            .group_by(InspectionResult.inspection_id)
            .subquery()
        )
        statement = (
            self.owned(Inspection, Inspection, counts.c.checked, counts.c.passed)
            .outerjoin(counts, counts.c.inspection_id == Inspection.id)
            .where(*_period_conditions(since, until, kind, branch_id))
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
            .limit(limit)
        )
        return [
            (row[0], int(row[1] or 0), int(row[2] or 0)) for row in self.session.execute(statement)
        ]

    def result_rows(
        self,
        *,
        since: date,
        until: date,
        kind: InspectionKind | None = None,
        branch_id: int | None = None,
        standard_id: int | None = None,
    ) -> list[ResultRow]:
        """Every checklist line of the inspections made from ``since`` to ``until`` inclusive."""
        statement = self.owned(
            InspectionResult,
            Inspection.id,
            Inspection.branch_id,
            Inspection.staff_id,
            InspectionResult.standard_id,
            InspectionResult.passed,
        ).where(*_period_conditions(since, until, kind, branch_id))
        if standard_id is not None:
            statement = statement.where(InspectionResult.standard_id == standard_id)
        return [
            ResultRow(inspection, branch, staff, standard, bool(passed))
            for inspection, branch, staff, standard, passed in self.session.execute(statement)
        ]


def actions_for_lines(
    session: Session,
    *,
    inspection_id: int,
    branch_id: int,
    standard_ids: Sequence[int],
    recorded_at: datetime,
) -> dict[int, ImprovementAction]:
    """For each standard, the corrective action a failed line of this inspection belongs
    to: the one it opened, else the latest one for the branch and standard that existed
    when the inspection was recorded."""
    if not standard_ids:
        return {}
    statement = (
        select(ImprovementAction)
        .where(
            ImprovementAction.branch_id == branch_id,
            ImprovementAction.standard_id.in_(standard_ids),
            or_(
                ImprovementAction.inspection_id == inspection_id,
                ImprovementAction.created_at <= recorded_at,
            ),
        )
        .order_by(ImprovementAction.id)
    )
    chosen: dict[int, ImprovementAction] = {}
    for action in session.scalars(statement):
        assert action.standard_id is not None
        current = chosen.get(action.standard_id)
        # the action this inspection opened wins; otherwise the latest one
        if current is None or current.inspection_id != inspection_id:
            chosen[action.standard_id] = action
    return chosen
