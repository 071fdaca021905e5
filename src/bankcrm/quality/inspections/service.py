"""The service standards catalogue and inspections: checklists, scores, corrective actions.

An inspection answers every standard its kind checks; a failed line opens a corrective
action on the improvement board for the branch and standard, unless one is still open
(a standard failed again and again keeps one action, not a flood of them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, astuple, dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.branches import service as branches_service
from bankcrm.branches.models import Branch
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import ActionOrigin, InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality.gaps import ChecklistTally
from bankcrm.quality.improvement import service as improvement_service
from bankcrm.quality.inspections import checklist as checklists
from bankcrm.quality.inspections import repository
from bankcrm.quality.inspections.checklist import (
    Answer,
    Criterion,
    build_checklist,
    check_target,
    judge_answers,
    pass_rates,
    score,
    shipped_catalogue,
    weakest_standards,
)
from bankcrm.quality.inspections.repository import InspectionRepository
from bankcrm.quality.inspections.schemas import (
    CatalogueLoadRead,
    InspectionDetail,
    InspectionRead,
    ResultRead,
    ScoreBoard,
    ScoreGroup,
    ScoreRow,
    StandardBase,
    StandardRate,
    StandardRead,
)
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.quality.models import (
    ImprovementAction,
    Inspection,
    InspectionResult,
    ServiceStandard,
)
from bankcrm.scope import sees_branch
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser

RECENT_LIMIT = 50
WEAKEST_LISTED = 3
INSPECTION_GAP = 3
"""Inspections measure gap 3: the standard as set against the service as delivered."""
TITLE_LENGTH = 200


@dataclass(frozen=True)
class Measure:
    """What a measured standard compares; all none for a yes/no check."""

    unit: str | None = None
    target: float | None = None
    direction: TargetDirection | None = None


def _require(user: StaffUser, permission: Permission) -> None:
    if not has_permission(user.role, permission):
        raise PermissionDenied(f"the role {user.role.value} may not {permission.value}")


# --- the catalogue ----------------------------------------------------------------------


def load_standard_catalogue(session: Session) -> CatalogueLoadRead:
    """Add the shipped standards that are missing and bring the shipped ones back to the
    shipped category, titles, target and SERVQUAL items; running it twice changes nothing.

    Whether a standard is active is the bank's choice and is left as it is, and so are the
    bank's own standards (codes the shipped file does not have).
    """
    existing = {row.code: row for row in repository.standards(session)}
    created = updated = unchanged = 0
    for spec in shipped_catalogue().standards:
        values = spec.model_dump(
            include={"category", "unit", "target", "direction", "servqual_items"}
        )
        values |= {"title": spec.title.zh, "title_en": spec.title.en}
        row = existing.get(spec.code)
        if row is None:
            session.add(ServiceStandard(code=spec.code, active=True, **values))
            created += 1
            continue
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        for key, value in changed.items():
            setattr(row, key, value)
        updated += bool(changed)
        unchanged += not changed
    session.flush()
    return CatalogueLoadRead(created=created, updated=updated, unchanged=unchanged)


def list_standards(session: Session, *, include_inactive: bool = True) -> list[StandardRead]:
    """Standards by code; the page groups them by category."""
    rows = repository.standards(session, active_only=not include_inactive)
    return [StandardRead.model_validate(row) for row in rows]


def get_standard(session: Session, *, standard_id: int) -> StandardRead:
    return StandardRead.model_validate(_standard_row(session, standard_id))


def _standard_row(session: Session, standard_id: int) -> ServiceStandard:
    row = session.get(ServiceStandard, standard_id)
    if row is None:
        raise NotFound(f"no standard {standard_id}")
    return row


def create_standard(
    session: Session,
    *,
    user: StaffUser,
    code: str,
    category: StandardCategory,
    title: str,
    title_en: str | None = None,
    measure: Measure | None = None,
    servqual_items: Sequence[int] = (),
) -> StandardRead:
    """A new active standard; its category puts it on the checklists that check the
    category. Code and titles are as ``StandardCreate`` reads them (a code like ``ETQ-01``,
    a title not blank); the measure and the SERVQUAL items are checked here."""
    _require(user, Permission.QUALITY_MANAGE)
    if repository.standard_by_code(session, code) is not None:
        raise Conflict(f"a standard with the code {code} exists already")
    row = ServiceStandard(code=code, active=True)
    _edit(row, category, title, title_en, measure or Measure(), servqual_items)
    session.add(row)
    session.flush()
    return StandardRead.model_validate(row)


def update_standard(
    session: Session,
    *,
    user: StaffUser,
    standard_id: int,
    version: int,
    category: StandardCategory | None = None,
    title: str | None = None,
    title_en: str | None = None,
    measure: Measure | None = None,
    servqual_items: Sequence[int] | None = None,
    active: bool | None = None,
) -> StandardRead:
    """Edit or (``active=False``) deactivate a standard; arguments left none stay as they
    are, an empty ``title_en`` removes the English title (titles as ``StandardUpdate`` reads
    them). A stale ``version`` is a conflict."""
    _require(user, Permission.QUALITY_MANAGE)
    row = _standard_row(session, standard_id)
    if row.version != version:
        raise Conflict(
            f"standard {row.code} was changed by someone else (now version {row.version}, "
            f"you saw {version}); reload it and edit again"
        )
    _edit(row, category, title, title_en, measure, servqual_items)
    if active is not None:
        row.active = active
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict(f"standard {row.code} was changed by someone else; reload it") from error
    return StandardRead.model_validate(row)


def _edit(
    row: ServiceStandard,
    category: StandardCategory | None,
    title: str | None,
    title_en: str | None,
    measure: Measure | None,
    servqual_items: Sequence[int] | None,
) -> None:
    """Check and set what is given; none leaves a field as it is."""
    if measure is not None:
        _check_measure(measure)
        row.unit, row.target, row.direction = astuple(measure)
    if title is not None:
        row.title = title
    if category is not None:
        row.category = category
    if title_en is not None:
        row.title_en = title_en or None
    if servqual_items is not None:
        row.servqual_items = _checked_items(servqual_items)


def _check_measure(measure: Measure) -> None:
    given = asdict(measure)
    missing = [name for name, value in given.items() if value is None]
    if 0 < len(missing) < len(given):
        raise ValidationFailed(
            f"a measured standard needs unit, target and direction; {missing[0]} is missing",
            field=missing[0],
        )
    if measure.target is not None:
        try:
            check_target(measure.target, unit=measure.unit or "")
        except ValueError as error:
            raise ValidationFailed(f"the target {error}", field="target") from None


def _checked_items(items: Sequence[int]) -> list[int]:
    n_items = shipped_instrument("servqual_bank").n_items
    for item in items:
        if not 1 <= item <= n_items:
            raise ValidationFailed(
                f"SERVQUAL item {item} does not exist (items 1–{n_items})", field="servqual_items"
            )
    if len(set(items)) != len(items):
        raise ValidationFailed("a SERVQUAL item is named twice", field="servqual_items")
    return sorted(items)


def inspectable_branches(session: Session, *, user: StaffUser) -> list[Branch]:
    """Branches the user may inspect: all of them, or a branch manager's own."""
    found = branches_service.visible_branches(session, user=user)
    return sorted(found, key=lambda branch: (branch.name, branch.id))


def _branch_names(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Branch id → (code, name)."""
    found = branches_service.list_branches(session)
    return {branch.id: (branch.external_id, branch.name) for branch in found if branch.id in ids}


def _staff_names(session: Session, ids: Collection[int | None]) -> dict[int, str]:
    return {user.id: user.full_name for user in staff_service.list_users(session) if user.id in ids}


front_line_staff = repository.front_line_staff


def standards_by_servqual_item(session: Session) -> dict[int, list[str]]:
    """SERVQUAL item number → codes of the active standards that make it measurable (the
    coverage gap 2 judges); items no standard names are absent."""
    covered: dict[int, list[str]] = {}
    for row in repository.standards(session, active_only=True):
        for item in row.servqual_items:
            covered.setdefault(item, []).append(row.code)
    return dict(sorted(covered.items()))


# --- checklists and inspections -------------------------------------------------------


def checklist(session: Session, kind: InspectionKind) -> list[StandardRead]:
    """The active standards an inspection of ``kind`` answers, category by category."""
    return [StandardRead.model_validate(row) for row in _checklist_rows(session, kind)]


def _checklist_rows(session: Session, kind: InspectionKind) -> list[ServiceStandard]:
    rows = {row.code: row for row in repository.standards(session, active_only=True)}
    criteria = build_checklist(shipped_catalogue().checklists[kind], map(_criterion, rows.values()))
    return [rows[criterion.code] for criterion in criteria]


def _criterion(row: ServiceStandard) -> Criterion:
    return Criterion(row.code, row.category, row.unit, row.target, row.direction)


def record_inspection(
    session: Session,
    *,
    user: StaffUser,
    kind: InspectionKind,
    branch_id: int,
    staff_id: int | None = None,
    inspected_on: date,
    results: Sequence[Answer],
    note: str | None = None,
) -> InspectionDetail:
    """Record an inspection of a branch (and of one staff member) by ``user``.

    Every standard of the kind's checklist is answered once (:func:`judge_answers`). Each
    failed standard opens a corrective action (gap 3, owned by the branch manager, due in
    ``quality.corrective_days`` days) unless the branch has one open for it already.
    """
    _require(user, Permission.QUALITY_INSPECT)
    if inspected_on > bank_today():
        raise ValidationFailed("the inspection day lies in the future", field="inspected_on")
    branch = next((b for b in branches_service.list_branches(session) if b.id == branch_id), None)
    if branch is None:
        raise ValidationFailed(f"no branch {branch_id}", field="branch_id")
    if not sees_branch(user, branch.id):
        raise PermissionDenied(
            f"a {user.role.value} may inspect only their own branch, not {branch.name}"
        )
    member = None
    if staff_id is not None:
        member = next((u for u in staff_service.list_users(session) if u.id == staff_id), None)
        if member is None or member.branch_id != branch_id:
            raise ValidationFailed(
                f"staff member {staff_id} does not work at branch {branch.name}",
                field="staff_id",
            )
    rows = _checklist_rows(session, kind)
    if not rows:
        raise ValidationFailed(
            f"no active standard is on the {kind.value} checklist; load the catalogue first",
            field="kind",
        )
    judged = judge_answers([_criterion(row) for row in rows], results)
    inspection = Inspection(
        kind=kind,
        branch_id=branch_id,
        staff_id=staff_id,
        inspector_id=user.id,
        inspected_on=inspected_on,
        note=(note or "").strip() or None,
        created_at=utcnow(),
        results=[
            InspectionResult(
                standard_id=row.id,
                passed=line.passed,
                observed=line.observed,
                note=(line.note or "").strip() or None,
            )
            for row, line in zip(rows, judged, strict=True)
        ],
    )
    session.add(inspection)
    session.flush()
    if not all(line.passed for line in judged):
        repository.lock_branch(session, branch_id)
    actions: dict[int, ImprovementAction] = {}
    for row, line in zip(rows, judged, strict=True):
        if not line.passed:
            open_action = improvement_service.open_action_for(
                session, branch_id=branch_id, standard_id=row.id
            )
            actions[row.id] = open_action or _open_corrective_action(
                session, user=user, inspection=inspection, branch=branch, standard=row
            )
    # built from what is in hand: recording many inspections (the demo's year) stays fast
    read = _read(
        inspection,
        (branch.external_id, branch.name),
        {user.id: user.full_name} | ({member.id: member.full_name} if member else {}),
        checked=len(judged),
        passed=sum(line.passed for line in judged),
    )
    return _detail(read, inspection, {row.id: row for row in rows}, actions)


def _detail(
    read: InspectionRead,
    inspection: Inspection,
    standards: Mapping[int, ServiceStandard],
    actions: Mapping[int, ImprovementAction],
) -> InspectionDetail:
    """The inspection with its lines; ``actions`` are the failed lines' corrective actions
    by standard id."""
    lines = []
    for line in inspection.results:
        action = actions.get(line.standard_id)
        lines.append(
            ResultRead(
                **StandardBase.model_validate(standards[line.standard_id]).model_dump(),
                standard_id=line.standard_id,
                passed=line.passed,
                observed=line.observed,
                note=line.note,
                action_id=action.id if action else None,
                action_stage=action.stage if action else None,
                action_opened_here=action is not None and action.inspection_id == inspection.id,
            )
        )
    opened = [line.action_id for line in lines if line.action_opened_here]
    return InspectionDetail(**read.model_dump(), results=lines, actions_opened=sorted(opened))


def _open_corrective_action(
    session: Session,
    *,
    user: StaffUser,
    inspection: Inspection,
    branch: Branch,
    standard: ServiceStandard,
) -> ImprovementAction:
    """Open the branch's corrective action for a failed standard, measured by the
    standard's pass rate at the branch over the last ``quality.rate_window_days`` days."""
    knobs = get_settings().quality
    owner = staff_service.branch_manager(session, branch_id=branch.id) or user
    window_start = inspection.inspected_on - timedelta(days=knobs.rate_window_days - 1)
    rows = InspectionRepository(session, user).result_rows(
        since=window_start,
        until=inspection.inspected_on,
        branch_id=branch.id,
        standard_id=standard.id,
    )
    rate = score(passed=sum(row.passed for row in rows), checked=len(rows))
    target = ""
    if standard.target is not None and standard.direction is not None:
        limit = "≤" if standard.direction is TargetDirection.AT_MOST else "≥"
        target = f"(标准 {limit}{standard.target:g} {standard.unit})"
    description = (
        f"{inspection.inspected_on.isoformat()} 的检查(第 {inspection.id} 号)发现"
        f"{branch.name}未达到服务规范 {standard.code}「{standard.title}」{target}。"
        f"本措施关闭前,该网点此项规范再次不合格不另开措施,这些检查的页面链接到本措施。"
    )
    return improvement_service.create_action(
        session,
        user=user,
        title=f"整改 {standard.code} {standard.title}({branch.name})"[:TITLE_LENGTH],
        owner_id=owner.id,
        due_on=inspection.inspected_on + timedelta(days=knobs.corrective_days),
        origin=ActionOrigin.INSPECTION,
        description=description,
        branch_id=branch.id,
        gap=INSPECTION_GAP,
        inspection_id=inspection.id,
        standard_id=standard.id,
        metric=f"{branch.name} {standard.code} 近{knobs.rate_window_days}天检查合格率(%)"[
            :TITLE_LENGTH
        ],
        metric_before=rate,
        higher_is_better=True,
    )


def get_inspection(session: Session, *, user: StaffUser, inspection_id: int) -> InspectionDetail:
    """An inspection the user may see (a branch manager: their branch's), with its lines."""
    inspection = InspectionRepository(session, user).inspection(inspection_id)
    if inspection is None:
        raise NotFound(f"no inspection {inspection_id}")
    passed = sum(line.passed for line in inspection.results)
    read = _reads(session, [(inspection, len(inspection.results), passed)])[0]
    actions = repository.actions_for_lines(
        session,
        inspection_id=inspection.id,
        branch_id=inspection.branch_id,
        standard_ids=[line.standard_id for line in inspection.results if not line.passed],
        recorded_at=inspection.created_at,
    )
    standards = repository.standards_by_ids(
        session, {line.standard_id for line in inspection.results}
    )
    return _detail(read, inspection, standards, actions)


def list_inspections(
    session: Session,
    *,
    user: StaffUser,
    since: date | None = None,
    until: date | None = None,
    kind: InspectionKind | None = None,
    branch_id: int | None = None,
    limit: int = RECENT_LIMIT,
) -> list[InspectionRead]:
    """Inspections of the period (the last 90 days unless chosen) that the user may see,
    latest first."""
    first, last = period(since, until)
    found = InspectionRepository(session, user).recent_inspections(
        since=first, until=last, kind=kind, branch_id=branch_id, limit=limit
    )
    return _reads(session, found)


def _reads(session: Session, found: Sequence[tuple[Inspection, int, int]]) -> list[InspectionRead]:
    branches = _branch_names(session, {row.branch_id for row, _, _ in found})
    people = _staff_names(
        session, {person for row, _, _ in found for person in (row.staff_id, row.inspector_id)}
    )
    return [
        _read(row, branches[row.branch_id], people, checked=checked, passed=passed)
        for row, checked, passed in found
    ]


def _read(
    row: Inspection,
    branch: tuple[str, str],
    people: Mapping[int, str],
    *,
    checked: int,
    passed: int,
) -> InspectionRead:
    return InspectionRead(
        id=row.id,
        kind=row.kind,
        branch_id=row.branch_id,
        branch_code=branch[0],
        branch_name=branch[1],
        staff_id=row.staff_id,
        staff_name=people.get(row.staff_id) if row.staff_id else None,
        inspector_id=row.inspector_id,
        inspector_name=people.get(row.inspector_id) if row.inspector_id else None,
        inspected_on=row.inspected_on,
        note=row.note,
        created_at=row.created_at,
        checked=checked,
        passed=passed,
        score=score(passed=passed, checked=checked),
    )


def period(since: date | None, until: date | None) -> tuple[date, date]:
    """The chosen period; left out, it ends today and covers ``quality.inspection_period_days``."""
    last = until or bank_today()
    first = since or last - timedelta(days=get_settings().quality.inspection_period_days - 1)
    if first > last:
        raise ValidationFailed("the period starts after it ends", field="since")
    return first, last


# --- scores -----------------------------------------------------------------------------


def scores(
    session: Session,
    *,
    user: StaffUser,
    group: ScoreGroup = "branch",
    since: date | None = None,
    until: date | None = None,
    kind: InspectionKind | None = None,
) -> ScoreBoard:
    """Scores per branch (with each branch's weakest standards) or per staff member over
    the period, best first, with the lines checked and passed behind each; of the
    inspections the user may see (a branch manager: their branch's)."""
    first, last = period(since, until)
    rows = InspectionRepository(session, user).result_rows(since=first, until=last, kind=kind)
    names: Mapping[int, tuple[str | None, str]]
    if group == "branch":
        rates = pass_rates(rows, by=checklists.by_branch)
        names = _branch_names(session, {rate.key for rate in rates})
        weakest = weakest_standards(rows, limit=WEAKEST_LISTED)
        standards = repository.standards_by_ids(session, {row.standard_id for row in rows})
    else:
        rates = pass_rates(rows, by=checklists.by_staff)
        staff = _staff_names(session, {rate.key for rate in rates})
        names = {key: (None, name) for key, name in staff.items()}
        weakest, standards = {}, {}
    board_rows = [
        ScoreRow(
            id=rate.key,
            code=names[rate.key][0],
            name=names[rate.key][1],
            inspections=rate.inspections,
            checked=rate.checked,
            passed=rate.passed,
            score=rate.score,
            weakest=[
                StandardRate(
                    standard_id=weak.key,
                    code=standards[weak.key].code,
                    title=standards[weak.key].title,
                    title_en=standards[weak.key].title_en,
                    checked=weak.checked,
                    passed=weak.passed,
                    score=weak.score,
                )
                for weak in weakest.get(rate.key, [])
            ],
        )
        for rate in rates
    ]
    passed = sum(row.passed for row in rows)
    return ScoreBoard(
        group=group,
        since=first,
        until=last,
        kind=kind,
        inspections=len({row.inspection_id for row in rows}),
        checked=len(rows),
        passed=passed,
        score=score(passed=passed, checked=len(rows)),
        rows=board_rows,
    )


def compliance_tallies(
    session: Session, *, user: StaffUser, since: date, until: date
) -> dict[str, ChecklistTally]:
    """Checklist lines checked and passed per branch over ``since``…``until`` (inclusive),
    of the inspections the user may see, keyed by branch name, as
    ``gaps.inspection_compliance_evidence`` takes them. Two branches of the same name are
    told apart by their codes."""
    rows = InspectionRepository(session, user).result_rows(since=since, until=until)
    tallies = checklists.compliance_tallies(rows)
    names = _branch_names(session, tallies.keys())
    counts = Counter(name for _code, name in names.values())
    labels = {
        key: name if counts[name] == 1 else f"{name} ({code})"
        for key, (code, name) in names.items()
    }
    return {labels[key]: tally for key, tally in tallies.items()}
