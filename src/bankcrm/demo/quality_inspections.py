"""A year of branch service inspections for the demo bank, recorded through the service so
that failed standards open corrective actions the way they do in use.

Every branch has a weekly daily check by its branch manager, a monthly customer callback
and a mystery-shopper visit each quarter; the quality officer adds a few announced and
unannounced visits. Branch **BR002** is the failing one: about a third of its checklist
items fail, most of them waits over 15 minutes, late greetings and other etiquette. Other
branches fail 4–8 % of their items, concentrated on a few weak standards of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.branches.models import Branch
from bankcrm.core.enums import InspectionKind, Role, StandardCategory, TargetDirection
from bankcrm.demo import repository as demo_repository
from bankcrm.quality.inspections import service
from bankcrm.quality.inspections.checklist import Answer, meets_target
from bankcrm.quality.inspections.schemas import StandardRead
from bankcrm.staff.models import StaffUser

FAILING_BRANCH = "BR002"
DAYS = 365
DAILY_CHECK_EVERY = 7
QUARTER_DAYS = 91
FAILING_RATES = {
    StandardCategory.EFFICIENCY: 0.65,
    StandardCategory.ETIQUETTE: 0.55,
    StandardCategory.ENVIRONMENT: 0.2,
    StandardCategory.PROCESS: 0.2,
}
"""BR002's chance of failing a standard of each category (about 35 % of its items)."""
WEAK_STANDARDS = 3
"""How many standards a sound branch is weak at."""
STRAY_FAILURE = 0.003
"""A sound branch's chance of failing one of its other standards."""
OBSERVATIONS = {
    "ETQ-01": ((2, 10, 0), (12, 45, 0)),
    "EFF-01": ((3, 15, 1), (16, 42, 1)),
    "EFF-02": ((1.5, 5, 1), (5.5, 12, 1)),
    "EFF-03": ((3, 15, 0), (17, 60, 0)),
    "ENV-03": ((99, 100, 1), (91, 98.9, 1)),
}
"""Per measured standard: (low, high, decimals) of a passing and of a failing observation:
seconds to greet, minutes of queue wait and counter time, seconds to answer the phone,
percent of self-service machines available."""


@dataclass(frozen=True)
class _Visit:
    day: date
    kind: InspectionKind
    branch: Branch
    inspector: StaffUser
    staff_id: int | None


def plant_inspections(session: Session, *, as_of: date, seed: int) -> None:
    """Load the standards catalogue and record a year of inspections up to ``as_of``."""
    rng = random.Random(seed)
    service.load_standard_catalogue(session)
    officer = demo_repository.first_staff_in_role(session, role=Role.QUALITY_OFFICER)
    branches = service.inspectable_branches(session, user=officer) if officer else []
    if officer is None or not branches:
        return
    audit_recorder.act_as(session, actor_id=officer.id, label=officer.username)
    checklists = {kind: service.checklist(session, kind) for kind in InspectionKind}
    codes = sorted({line.code for lines in checklists.values() for line in lines})
    start = as_of - timedelta(days=DAYS - 1)
    visits: list[_Visit] = []
    failure_rates: dict[int, dict[str, float]] = {}
    for index, branch in enumerate(branches):
        staff = service.front_line_staff(session, branch_id=branch.id)
        manager = next((person for person in staff if person.role is Role.BRANCH_MANAGER), None)
        clerks = [person.id for person in staff if person.role is Role.ACCOUNT_MANAGER]
        failure_rates[branch.id] = _failure_rates(rng, branch, checklists, codes)
        visits.extend(_branch_visits(rng, branch, index, start, as_of, manager, officer, clerks))
    failing = [branch for branch in branches if branch.external_id == FAILING_BRANCH]
    for number in range(len(branches) // 2 + 2):
        # the officer visits the failing branch first, then branches drawn at random
        branch = failing[0] if failing and number == 0 else rng.choice(branches)
        kind = InspectionKind.OPEN_VISIT if number % 2 == 0 else InspectionKind.SECRET_VISIT
        day = start + timedelta(days=rng.randrange(DAYS))
        visits.append(_Visit(day, kind, branch, officer, None))
    visits.sort(key=lambda visit: (visit.day, visit.branch.id, visit.kind.value))
    for visit in visits:
        rates = failure_rates[visit.branch.id]
        service.record_inspection(
            session,
            user=visit.inspector,
            kind=visit.kind,
            branch_id=visit.branch.id,
            staff_id=visit.staff_id,
            inspected_on=visit.day,
            results=[_answer(rng, line, rates[line.code]) for line in checklists[visit.kind]],
        )


def _failure_rates(
    rng: random.Random,
    branch: Branch,
    checklists: dict[InspectionKind, list[StandardRead]],
    codes: list[str],
) -> dict[str, float]:
    """Each standard's chance of failing at the branch."""
    category = {line.code: line.category for lines in checklists.values() for line in lines}
    if branch.external_id == FAILING_BRANCH:
        return {code: FAILING_RATES[category[code]] for code in codes}
    # a sound branch fails 4-8 % of a daily check's items, on a few weak standards
    share = rng.uniform(0.04, 0.08)
    daily_lines = len(checklists[InspectionKind.DAILY_CHECK])
    weak = set(rng.sample(codes, WEAK_STANDARDS))
    weak_rate = min(0.9, share * daily_lines / WEAK_STANDARDS)
    return {code: weak_rate if code in weak else STRAY_FAILURE for code in codes}


def _branch_visits(
    rng: random.Random,
    branch: Branch,
    index: int,
    start: date,
    as_of: date,
    manager: StaffUser | None,
    officer: StaffUser,
    clerks: list[int],
) -> list[_Visit]:
    visits = []
    if manager is not None:
        day = start + timedelta(days=index % 5)
        while day <= as_of:
            visits.append(_Visit(day, InspectionKind.DAILY_CHECK, branch, manager, None))
            day += timedelta(days=DAILY_CHECK_EVERY)
    month = date(start.year, start.month, 1)
    while month <= as_of:
        day = month + timedelta(days=rng.randrange(3, 26))
        if start <= day <= as_of:
            staff_id = rng.choice(clerks) if clerks else None
            visits.append(_Visit(day, InspectionKind.CALLBACK, branch, officer, staff_id))
        month = (month + timedelta(days=32)).replace(day=1)
    quarter = start
    while quarter <= as_of:
        day = min(as_of, quarter + timedelta(days=rng.randrange(QUARTER_DAYS)))
        staff_id = rng.choice(clerks) if clerks else None
        visits.append(_Visit(day, InspectionKind.MYSTERY_SHOPPER, branch, officer, staff_id))
        quarter += timedelta(days=QUARTER_DAYS)
    return visits


def _answer(rng: random.Random, line: StandardRead, failure_rate: float) -> Answer:
    fails = rng.random() < failure_rate
    if line.target is None or line.direction is None:
        return Answer(line.code, passed=not fails)
    return Answer(line.code, observed=_observation(rng, line, fails=fails))


def _observation(rng: random.Random, line: StandardRead, *, fails: bool) -> float:
    """A realistic value on the passing or the failing side of the target."""
    assert line.target is not None and line.direction is not None
    known = OBSERVATIONS.get(line.code)
    if known is not None:
        low, high, decimals = known[1] if fails else known[0]
        value = round(rng.uniform(low, high), decimals)
    else:
        value = line.target * rng.uniform(1.1, 1.6) if fails else line.target * rng.uniform(0.5, 1)
    # rounding must not carry a value across the target: the verdict is what was planted
    beyond = line.target + 1 if line.direction is TargetDirection.AT_MOST else line.target - 1
    if meets_target(value, target=line.target, direction=line.direction) == fails:
        return beyond if fails else line.target
    return value
