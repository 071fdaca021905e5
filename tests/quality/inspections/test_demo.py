"""The demo's year of inspections: who inspects, how often, and BR002 failing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.enums import InspectionKind, Role, StandardCategory
from bankcrm.core.migrate import upgrade
from bankcrm.demo.quality_inspections import plant_inspections
from bankcrm.quality.models import ImprovementAction, Inspection, InspectionResult, ServiceStandard
from bankcrm.staff.models import StaffUser

AS_OF = date(2026, 9, 30)
Planted = list[tuple[str, str, date, int | None, tuple[tuple[str, bool, float | None], ...]]]


def _bank(session: Session) -> None:
    for number in range(1, 5):
        branch = Branch(external_id=f"BR{number:03d}", name=f"演示支行{number}", counters=4)
        session.add(branch)
        session.flush()
        session.add(
            StaffUser(
                external_id=f"S-BM-{number:03d}",
                username=f"bm{number}",
                full_name=f"行长{number}",
                role=Role.BRANCH_MANAGER,
                branch_id=branch.id,
            )
        )
        for clerk in range(2):
            session.add(
                StaffUser(
                    external_id=f"S-AM-{number:03d}-{clerk}",
                    username=f"am{number}_{clerk}",
                    full_name=f"客户经理{number}-{clerk}",
                    role=Role.ACCOUNT_MANAGER,
                    branch_id=branch.id,
                )
            )
    session.add(
        StaffUser(
            external_id="S-QO-1", username="quality1", full_name="质量官", role=Role.QUALITY_OFFICER
        )
    )
    session.flush()


def _plant(url: str) -> Planted:
    engine = make_engine(url)
    with Session(engine) as session:
        _bank(session)
        plant_inspections(session, as_of=AS_OF, seed=11)
        session.commit()
        statement = (
            select(Inspection, Branch.external_id)
            .join(Branch, Branch.id == Inspection.branch_id)
            .order_by(Inspection.id)
        )
        codes = dict(session.execute(select(ServiceStandard.id, ServiceStandard.code)).all())
        planted: Planted = [
            (
                inspection.kind.value,
                branch,
                inspection.inspected_on,
                inspection.inspector_id,
                tuple(
                    (codes[line.standard_id], line.passed, line.observed)
                    for line in inspection.results
                ),
            )
            for inspection, branch in session.execute(statement).all()
        ]
    engine.dispose()
    return planted


def test_a_year_of_inspections_with_br002_failing(sqlite_url: str, tmp_path: Path) -> None:
    planted = _plant(sqlite_url)
    kinds = Counter((branch, kind) for kind, branch, _, _, _ in planted)
    for branch in ("BR001", "BR002", "BR003", "BR004"):
        assert kinds[(branch, InspectionKind.DAILY_CHECK.value)] in (52, 53)
        assert kinds[(branch, InspectionKind.CALLBACK.value)] in (11, 12, 13)
        assert kinds[(branch, InspectionKind.MYSTERY_SHOPPER.value)] in (4, 5, 6)
    assert kinds[("BR002", InspectionKind.OPEN_VISIT.value)] >= 1
    assert all(date(2025, 10, 1) <= day <= AS_OF for _, _, day, _, _ in planted)

    checked: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for _, branch, _, _, lines in planted:
        for _, passed, _ in lines:
            checked[branch] += 1
            failed[branch] += not passed
    assert 0.28 <= failed["BR002"] / checked["BR002"] <= 0.42
    for branch in ("BR001", "BR003", "BR004"):
        assert 0.02 <= failed[branch] / checked[branch] <= 0.10

    waits = [
        observed for _, _, _, _, lines in planted for code, _, observed in lines if code == "EFF-01"
    ]
    assert all(observed is not None and 3 <= observed <= 42 for observed in waits)
    greetings = [
        observed for _, _, _, _, lines in planted for code, _, observed in lines if code == "ETQ-01"
    ]
    assert all(observed is not None and observed == int(observed) for observed in greetings)

    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        categories = dict(
            session.execute(select(ServiceStandard.code, ServiceStandard.category)).all()
        )
        # BR002's failures are mostly waits and manners
        br002_failures = Counter(
            categories[code]
            for _, branch, _, _, lines in planted
            if branch == "BR002"
            for code, passed, _ in lines
            if not passed
        )
        slow_or_rude = (
            br002_failures[StandardCategory.EFFICIENCY] + br002_failures[StandardCategory.ETIQUETTE]
        )
        assert slow_or_rude > sum(br002_failures.values()) / 2
        # one action per branch and standard: nobody closes them in the demo
        per_pair = session.execute(
            select(
                ImprovementAction.branch_id, ImprovementAction.standard_id, func.count()
            ).group_by(ImprovementAction.branch_id, ImprovementAction.standard_id)
        ).all()
        assert per_pair and all(count == 1 for _, _, count in per_pair)
        owners = {owner for (owner,) in session.execute(select(ImprovementAction.owner_id)).all()}
        managers = set(
            session.scalars(select(StaffUser.id).where(StaffUser.role == Role.BRANCH_MANAGER))
        )
        assert owners <= managers
        assert session.scalar(select(func.count()).select_from(InspectionResult)) == sum(
            len(lines) for *_, lines in planted
        )
    engine.dispose()

    again = f"sqlite:///{tmp_path / 'again.db'}"
    upgrade(again)
    assert _plant(again) == planted
