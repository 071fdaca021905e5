"""Standards and inspections against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.enums import (
    ActionOrigin,
    ActionStage,
    InspectionKind,
    Role,
    StandardCategory,
    TargetDirection,
)
from bankcrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from bankcrm.quality.gaps import ChecklistTally
from bankcrm.quality.inspections import service
from bankcrm.quality.inspections.checklist import Answer
from bankcrm.quality.models import ImprovementAction
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.conftest import SQLITE_ONLY

DAILY = InspectionKind.DAILY_CHECK
DAILY_LINES = 14
"""environment 3 + etiquette 4 + process 6 + the queue wait EFF-01."""


@dataclass
class Bank:
    officer: StaffUser
    manager_a: StaffUser
    manager_b: StaffUser
    clerk_a: StaffUser
    clerk_b: StaffUser
    branch_a: int
    branch_b: int
    branch_c: int
    """A branch without a branch manager."""
    branch_a_name: str
    branch_b_name: str


@pytest.fixture
def bank(session: Session) -> Bank:
    a = factories.branch(session, name="北京分行")
    b = factories.branch(session, name="上海分行")
    c = factories.branch(session, name="广州分行")
    built = Bank(
        officer=factories.staff(session, role=Role.QUALITY_OFFICER),
        manager_a=factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=a.id),
        manager_b=factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=b.id),
        clerk_a=factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=a.id),
        clerk_b=factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=b.id),
        branch_a=a.id,
        branch_b=b.id,
        branch_c=c.id,
        branch_a_name=a.name,
        branch_b_name=b.name,
    )
    service.load_standard_catalogue(session)
    session.commit()
    return built


def answers(
    session: Session,
    kind: InspectionKind,
    *,
    failed: tuple[str, ...] = (),
    observed: dict[str, float] | None = None,
    leave_out: tuple[str, ...] = (),
) -> list[Answer]:
    """Every line of the kind's checklist passing, except the ``failed`` codes; measured
    lines observe their target (which passes) unless ``observed`` says otherwise."""
    chosen = observed or {}
    lines = []
    for standard in service.checklist(session, kind):
        if standard.code in leave_out:
            continue
        if standard.target is not None:
            assert standard.direction is not None
            value = chosen.get(standard.code, standard.target)
            if standard.code in failed:
                step = 1.0 if standard.direction is TargetDirection.AT_MOST else -1.0
                value = standard.target + step
            lines.append(Answer(standard.code, observed=value))
        else:
            lines.append(Answer(standard.code, passed=standard.code not in failed))
    return lines


def days_ago(days: int) -> date:
    return clock.bank_today() - timedelta(days=days)


def actions(session: Session) -> list[ImprovementAction]:
    return list(session.scalars(select(ImprovementAction).order_by(ImprovementAction.id)))


# --- the catalogue ----------------------------------------------------------------------


def test_loading_the_catalogue_twice_changes_nothing(session: Session, bank: Bank) -> None:
    again = service.load_standard_catalogue(session)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert len(service.list_standards(session)) == 16


def test_loading_restores_shipped_targets_but_keeps_deactivation(
    session: Session, bank: Bank
) -> None:
    wait = next(s for s in service.list_standards(session) if s.code == "EFF-01")
    edited = service.update_standard(
        session,
        user=bank.officer,
        standard_id=wait.id,
        version=wait.version,
        measure=service.Measure(unit="min", target=20.0, direction=TargetDirection.AT_MOST),
        active=False,
    )
    assert edited.target == 20.0 and not edited.active
    loaded = service.load_standard_catalogue(session)
    assert (loaded.created, loaded.updated) == (0, 1)
    restored = service.get_standard(session, standard_id=wait.id)
    assert restored.target == 15.0
    assert not restored.active


def test_stale_standard_edit_is_a_conflict(session: Session, bank: Bank) -> None:
    badge = next(s for s in service.list_standards(session) if s.code == "ETQ-02")
    first = service.update_standard(
        session, user=bank.officer, standard_id=badge.id, version=badge.version, title="工牌"
    )
    assert first.version == badge.version + 1
    with pytest.raises(Conflict, match="ETQ-02 was changed by someone else"):
        service.update_standard(
            session, user=bank.officer, standard_id=badge.id, version=badge.version, title="旧"
        )
    assert service.get_standard(session, standard_id=badge.id).title == "工牌"


@SQLITE_ONLY
def test_standards_are_managed_by_the_quality_officer_only(session: Session, bank: Bank) -> None:
    with pytest.raises(PermissionDenied):
        service.create_standard(
            session,
            user=bank.manager_a,
            code="ETQ-09",
            category=StandardCategory.ETIQUETTE,
            title="告别语",
        )


@SQLITE_ONLY
def test_create_standard_checks_code_measure_and_items(session: Session, bank: Bank) -> None:
    with pytest.raises(Conflict, match="ETQ-01 exists already"):
        service.create_standard(
            session,
            user=bank.officer,
            code="ETQ-01",
            category=StandardCategory.ETIQUETTE,
            title="x",
        )
    with pytest.raises(ValidationFailed, match="direction is missing") as caught:
        service.create_standard(
            session,
            user=bank.officer,
            code="EFF-09",
            category=StandardCategory.EFFICIENCY,
            title="取号到叫号",
            measure=service.Measure(unit="min", target=5.0),
        )
    assert caught.value.field == "direction"
    with pytest.raises(ValidationFailed, match="item 23 does not exist"):
        service.create_standard(
            session,
            user=bank.officer,
            code="ETQ-09",
            category=StandardCategory.ETIQUETTE,
            title="告别语",
            servqual_items=[23],
        )


def test_a_new_standard_joins_the_checklists_of_its_category(session: Session, bank: Bank) -> None:
    created = service.create_standard(
        session,
        user=bank.officer,
        code="ETQ-09",
        category=StandardCategory.ETIQUETTE,
        title="使用告别语",
        title_en="Say goodbye",
        servqual_items=[20],
    )
    assert "ETQ-09" in [line.code for line in service.checklist(session, InspectionKind.CALLBACK)]
    assert service.standards_by_servqual_item(session)[20] == ["ETQ-09"]
    service.update_standard(
        session, user=bank.officer, standard_id=created.id, version=created.version, active=False
    )
    assert "ETQ-09" not in [
        line.code for line in service.checklist(session, InspectionKind.CALLBACK)
    ]


# --- recording ------------------------------------------------------------------------


def test_record_scores_passed_over_checked(session: Session, bank: Bank) -> None:
    # the greeting exactly on its 10 s target passes; the badge is missing
    lines = answers(session, DAILY, failed=("ETQ-02",), observed={"ETQ-01": 10.0})
    assert len(lines) == DAILY_LINES
    detail = service.record_inspection(
        session,
        user=bank.manager_a,
        kind=DAILY,
        branch_id=bank.branch_a,
        staff_id=bank.clerk_a.id,
        inspected_on=days_ago(1),
        results=lines,
        note="  晨检  ",
    )
    assert (detail.checked, detail.passed) == (14, 13)
    assert detail.score == pytest.approx(13 / 14 * 100)  # 92.857…
    assert detail.note == "晨检"
    assert detail.staff_name == bank.clerk_a.full_name
    assert detail.inspector_name == bank.manager_a.full_name
    greet = next(line for line in detail.results if line.code == "ETQ-01")
    assert greet.passed and greet.observed == 10.0
    assert [line.code for line in detail.results if not line.passed] == ["ETQ-02"]


def test_a_measured_verdict_is_computed_not_taken(session: Session, bank: Bank) -> None:
    lines = [
        Answer(line.code, observed=11.0) if line.code == "ETQ-01" else line
        for line in answers(session, DAILY)
    ]
    detail = service.record_inspection(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_a,
        inspected_on=days_ago(0),
        results=lines,
    )
    assert [line.code for line in detail.results if not line.passed] == ["ETQ-01"]


@SQLITE_ONLY
def test_missing_item_is_refused_naming_the_code(session: Session, bank: Bank) -> None:
    with pytest.raises(ValidationFailed, match="PRC-02 is not answered") as caught:
        service.record_inspection(
            session,
            user=bank.officer,
            kind=DAILY,
            branch_id=bank.branch_a,
            inspected_on=days_ago(1),
            results=answers(session, DAILY, leave_out=("PRC-02",)),
        )
    assert caught.value.status_code == 422


@SQLITE_ONLY
def test_unknown_standard_is_refused(session: Session, bank: Bank) -> None:
    lines = [*answers(session, DAILY), Answer("EFF-02", observed=3.0)]
    with pytest.raises(ValidationFailed, match="EFF-02 is not on this inspection's checklist"):
        service.record_inspection(
            session,
            user=bank.officer,
            kind=DAILY,
            branch_id=bank.branch_a,
            inspected_on=days_ago(1),
            results=lines,
        )


@SQLITE_ONLY
def test_future_day_is_refused(session: Session, bank: Bank) -> None:
    with pytest.raises(ValidationFailed, match="future") as caught:
        service.record_inspection(
            session,
            user=bank.officer,
            kind=DAILY,
            branch_id=bank.branch_a,
            inspected_on=days_ago(-1),
            results=answers(session, DAILY),
        )
    assert caught.value.field == "inspected_on"


def test_branch_manager_inspects_only_their_own_branch(session: Session, bank: Bank) -> None:
    with pytest.raises(PermissionDenied, match=f"only their own branch, not {bank.branch_b_name}"):
        service.record_inspection(
            session,
            user=bank.manager_a,
            kind=DAILY,
            branch_id=bank.branch_b,
            inspected_on=days_ago(1),
            results=answers(session, DAILY),
        )


@SQLITE_ONLY
def test_staff_must_work_at_the_branch(session: Session, bank: Bank) -> None:
    with pytest.raises(ValidationFailed, match="does not work at branch") as caught:
        service.record_inspection(
            session,
            user=bank.officer,
            kind=DAILY,
            branch_id=bank.branch_a,
            staff_id=bank.clerk_b.id,
            inspected_on=days_ago(1),
            results=answers(session, DAILY),
        )
    assert caught.value.field == "staff_id"


@SQLITE_ONLY
def test_analyst_may_not_inspect(session: Session, bank: Bank) -> None:
    analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
    with pytest.raises(PermissionDenied):
        service.record_inspection(
            session,
            user=analyst,
            kind=DAILY,
            branch_id=bank.branch_a,
            inspected_on=days_ago(1),
            results=answers(session, DAILY),
        )


# --- corrective actions ----------------------------------------------------------------


def test_failed_items_open_one_action_per_branch_and_standard(session: Session, bank: Bank) -> None:
    record = service.record_inspection
    record(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_a,
        inspected_on=days_ago(10),
        results=answers(session, DAILY),
    )
    first = record(
        session, user=bank.officer, kind=DAILY, branch_id=bank.branch_a, inspected_on=days_ago(5),
        results=answers(session, DAILY, failed=("ETQ-01", "ENV-01")),
    )  # fmt: skip
    opened = actions(session)
    assert len(opened) == 2
    assert sorted(first.actions_opened) == [action.id for action in opened]
    greet = next(action for action in opened if action.title.startswith("整改 ETQ-01"))
    assert greet.owner_id == bank.manager_a.id
    assert greet.branch_id == bank.branch_a
    assert greet.origin is ActionOrigin.INSPECTION
    assert greet.gap == 3
    assert greet.inspection_id == first.id
    assert greet.due_on == days_ago(5) + timedelta(days=14)
    assert greet.higher_is_better is True
    # ETQ-01 at branch A in the 90 days to the inspection: passed once, failed once
    assert greet.metric_before == pytest.approx(50.0)

    second = record(
        session, user=bank.manager_a, kind=DAILY, branch_id=bank.branch_a, inspected_on=days_ago(2),
        results=answers(session, DAILY, failed=("ETQ-01",)),
    )  # fmt: skip
    assert len(actions(session)) == 2
    assert second.actions_opened == []
    line = next(line for line in second.results if line.code == "ETQ-01")
    assert line.action_id == greet.id and not line.action_opened_here

    # another branch failing the same standard gets its own action, owned by its manager
    record(
        session, user=bank.officer, kind=DAILY, branch_id=bank.branch_b, inspected_on=days_ago(2),
        results=answers(session, DAILY, failed=("ETQ-01",)),
    )  # fmt: skip
    assert len(actions(session)) == 3
    assert actions(session)[-1].owner_id == bank.manager_b.id


def test_a_closed_action_lets_the_next_failure_open_a_new_one(session: Session, bank: Bank) -> None:
    failing = answers(session, DAILY, failed=("PRC-03",))
    service.record_inspection(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_a,
        inspected_on=days_ago(20),
        results=failing,
    )
    (action,) = actions(session)
    action.stage = ActionStage.CLOSED
    session.flush()
    again = service.record_inspection(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_a,
        inspected_on=days_ago(1),
        results=failing,
    )
    assert len(actions(session)) == 2
    assert again.actions_opened == [actions(session)[-1].id]
    assert actions(session)[-1].metric_before == 0.0


def test_without_a_branch_manager_the_inspector_owns_the_action(
    session: Session, bank: Bank
) -> None:
    service.record_inspection(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_c,
        inspected_on=days_ago(1),
        results=answers(session, DAILY, failed=("ENV-02",)),
    )
    (action,) = actions(session)
    assert action.owner_id == bank.officer.id


# --- scores -----------------------------------------------------------------------------


def test_scores_per_branch_and_staff_with_tallies(session: Session, bank: Bank) -> None:
    record = service.record_inspection
    # branch A: 14/14 and 12/14 (staff clerk A); branch B: 10/14
    record(
        session,
        user=bank.officer,
        kind=DAILY,
        branch_id=bank.branch_a,
        inspected_on=days_ago(30),
        results=answers(session, DAILY),
    )
    record(
        session, user=bank.officer, kind=DAILY, branch_id=bank.branch_a, staff_id=bank.clerk_a.id,
        inspected_on=days_ago(3), results=answers(session, DAILY, failed=("ETQ-01", "EFF-01")),
    )  # fmt: skip
    record(
        session, user=bank.officer, kind=DAILY, branch_id=bank.branch_b, inspected_on=days_ago(3),
        results=answers(session, DAILY, failed=("ETQ-01", "ETQ-03", "ENV-01", "PRC-01")),
    )  # fmt: skip
    # an inspection older than the default 90 days stays out
    record(
        session, user=bank.officer, kind=DAILY, branch_id=bank.branch_b, inspected_on=days_ago(120),
        results=answers(session, DAILY, failed=("ETQ-02",)),
    )  # fmt: skip

    board = service.scores(session, user=bank.officer, group="branch")
    assert (board.inspections, board.checked, board.passed) == (3, 42, 36)
    assert board.score == pytest.approx(36 / 42 * 100)
    assert [(row.id, row.inspections, row.checked, row.passed) for row in board.rows] == [
        (bank.branch_a, 2, 28, 26),
        (bank.branch_b, 1, 14, 10),
    ]
    assert board.rows[0].score == pytest.approx(26 / 28 * 100)  # 92.86
    # 1 of 2 each: ties go to the standard loaded first (catalogue order)
    assert [weak.code for weak in board.rows[0].weakest] == ["ETQ-01", "EFF-01"]
    assert len(board.rows[1].weakest) == 3

    staff = service.scores(session, user=bank.officer, group="staff")
    assert [(row.id, row.checked, row.passed) for row in staff.rows] == [(bank.clerk_a.id, 14, 12)]

    tallies = service.compliance_tallies(
        session, user=bank.officer, since=days_ago(89), until=days_ago(0)
    )
    assert tallies == {
        bank.branch_a_name: ChecklistTally(checked=28, passed=26),
        bank.branch_b_name: ChecklistTally(checked=14, passed=10),
    }
    whole_year = service.compliance_tallies(
        session, user=bank.officer, since=days_ago(364), until=days_ago(0)
    )
    assert whole_year[bank.branch_b_name] == ChecklistTally(checked=28, passed=23)

    callbacks = service.scores(
        session, user=bank.officer, group="branch", kind=InspectionKind.CALLBACK
    )
    assert callbacks.rows == [] and callbacks.score is None

    listed = service.list_inspections(session, user=bank.officer)
    assert [row.inspected_on for row in listed] == [days_ago(3), days_ago(3), days_ago(30)]


@SQLITE_ONLY
def test_period_starting_after_its_end_is_refused(session: Session, bank: Bank) -> None:
    with pytest.raises(ValidationFailed, match="starts after it ends"):
        service.scores(session, user=bank.officer, since=days_ago(1), until=days_ago(5))
