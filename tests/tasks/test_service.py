"""Tasks as their owners and branch manager work them: row scope, order, the actions and
their rules, optimistic locking, the audit trail and the export."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bankcrm.audit import recorder
from bankcrm.audit.models import AuditEntry
from bankcrm.core import clock
from bankcrm.core.enums import AuditAction, TaskStatus
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.staff.models import StaffUser
from bankcrm.tasks import export, service
from bankcrm.tasks.models import Task
from bankcrm.tasks.schemas import TaskDone, TaskFilter, TaskHandover, TaskPostpone
from tests.tasks.desk import Desk, build_desk


@pytest.fixture
def desk(session: Session) -> Desk:
    built = build_desk(session)
    session.commit()
    return built


def _ids(session: Session, user: StaffUser, status: TaskFilter = TaskFilter.OPEN) -> list[int]:
    page = service.list_tasks(session, user=user, status=status, page_size=200)
    assert page.total == len(page.items)
    return [item.id for item in page.items]


def test_each_sees_their_own_tasks_and_the_branch_manager_the_branchs(
    session: Session, desk: Desk
) -> None:
    mine = [desk.overdue, desk.due_today, desk.later, desk.formula, desk.undated]
    assert _ids(session, desk.manager_a) == mine
    assert _ids(session, desk.manager_b) == [desk.of_b]
    assert _ids(session, desk.manager_c) == [desk.of_c]
    assert set(_ids(session, desk.branch_manager)) == {*mine, desk.of_b}
    assert desk.of_c in _ids(session, desk.admin)
    for outsider in (desk.manager_b, desk.manager_c):
        with pytest.raises(NotFound):
            service.get_task(session, user=outsider, task_id=desk.overdue)
    with pytest.raises(NotFound):
        service.get_task(session, user=desk.branch_manager, task_id=desk.of_c)


def test_the_list_puts_overdue_first_then_sorts_by_due_date_and_filters(
    session: Session, desk: Desk
) -> None:
    page = service.list_tasks(session, user=desk.branch_manager)
    assert [item.id for item in page.items] == [
        desk.overdue,
        desk.of_b,
        desk.due_today,
        desk.later,
        desk.formula,
        desk.undated,
    ]
    assert [item.overdue for item in page.items] == [True, True, False, False, False, False]
    first = page.items[0]
    assert first.customer_label == f"王芳 ({desk.customer_a_number})"
    assert first.assignee_name == desk.manager_a.full_name
    assert _ids(session, desk.manager_a, TaskFilter.DONE) == [desk.done]
    everything = _ids(session, desk.manager_a, TaskFilter.ALL)
    assert everything[0] == desk.overdue and desk.done in everything
    kinds = service.list_tasks(session, user=desk.manager_a, kind="reassessment")
    assert [item.id for item in kinds.items] == [desk.overdue]
    assert service.kinds(session, user=desk.manager_a) == ["reassessment", "retention"]
    second = service.list_tasks(session, user=desk.manager_a, page=2, page_size=2)
    assert (second.total, second.pages, [item.id for item in second.items]) == (
        5,
        3,
        [desk.later, desk.formula],
    )


def test_marking_done_keeps_the_outcome_and_ends_the_task(session: Session, desk: Desk) -> None:
    done = service.complete(
        session,
        user=desk.manager_a,
        task_id=desk.overdue,
        data=TaskDone(version=1, outcome="客户同意续作"),
    )
    assert (done.status, done.outcome, done.version) == (TaskStatus.DONE, "客户同意续作", 2)
    assert done.completed_at is not None and not done.overdue
    with pytest.raises(Conflict, match="only an open task"):
        service.complete(
            session, user=desk.manager_a, task_id=desk.overdue, data=TaskDone(version=2)
        )
    plain = service.complete(
        session, user=desk.branch_manager, task_id=desk.of_b, data=TaskDone(version=1)
    )
    assert plain.status is TaskStatus.DONE and plain.outcome is None


def test_postponing_needs_a_reason_and_a_later_date(session: Session, desk: Desk) -> None:
    today = clock.bank_today()
    with pytest.raises(ValidationError):
        TaskPostpone.model_validate(
            {"version": 1, "due_on": (today + timedelta(days=9)).isoformat(), "reason": "  "}
        )
    with pytest.raises(ValidationError):
        TaskPostpone.model_validate(
            {"version": 1, "due_on": (today + timedelta(days=9)).isoformat()}
        )
    refusals = {
        today - timedelta(days=1): "past",
        today + timedelta(days=5): "after the present one",
    }
    for due_on, message in refusals.items():
        with pytest.raises(ValidationFailed, match=message) as refused:
            service.postpone(
                session,
                user=desk.manager_a,
                task_id=desk.later,
                data=TaskPostpone(version=1, due_on=due_on, reason="客户出差"),
            )
        assert refused.value.field == "due_on"
    moved = service.postpone(
        session,
        user=desk.manager_a,
        task_id=desk.later,
        data=TaskPostpone(version=1, due_on=today + timedelta(days=9), reason="客户出差,下周回访"),
    )
    assert (moved.due_on, moved.postponed_reason, moved.postponements, moved.version) == (
        today + timedelta(days=9),
        "客户出差,下周回访",
        1,
        2,
    )
    overdue = service.postpone(
        session,
        user=desk.manager_a,
        task_id=desk.overdue,
        data=TaskPostpone(version=1, due_on=today, reason="今天补办"),
    )
    assert not overdue.overdue


def test_a_task_is_handed_over_only_within_its_branch(session: Session, desk: Desk) -> None:
    choices = service.colleagues(session, user=desk.manager_a, task_id=desk.later)
    assert {choice.id for choice in choices} == {desk.manager_b.id, desk.branch_manager.id}
    with pytest.raises(ValidationFailed) as refused:
        service.hand_over(
            session,
            user=desk.manager_a,
            task_id=desk.later,
            data=TaskHandover(version=1, assignee_id=desk.manager_c.id),
        )
    assert refused.value.field == "assignee_id"
    session.rollback()
    with pytest.raises(NotFound):
        service.hand_over(
            session,
            user=desk.manager_b,
            task_id=desk.later,
            data=TaskHandover(version=1, assignee_id=desk.manager_b.id),
        )
    handed = service.hand_over(
        session,
        user=desk.manager_a,
        task_id=desk.later,
        data=TaskHandover(version=1, assignee_id=desk.manager_b.id),
    )
    assert (handed.assignee_id, handed.assignee_name) == (
        desk.manager_b.id,
        desk.manager_b.full_name,
    )
    session.commit()
    # the new owner sees and works it; the customer's manager still sees it, but no longer owns it
    assert desk.later in _ids(session, desk.manager_b)
    assert desk.later in _ids(session, desk.manager_a)
    with pytest.raises(PermissionDenied):
        service.complete(session, user=desk.manager_a, task_id=desk.later, data=TaskDone(version=2))
    session.rollback()
    done = service.complete(
        session, user=desk.manager_b, task_id=desk.later, data=TaskDone(version=2)
    )
    assert done.status is TaskStatus.DONE


def test_a_stale_version_is_a_conflict(session: Session, desk: Desk) -> None:
    service.postpone(
        session,
        user=desk.manager_a,
        task_id=desk.later,
        data=TaskPostpone(
            version=1, due_on=clock.bank_today() + timedelta(days=30), reason="客户要求"
        ),
    )
    session.commit()
    with pytest.raises(Conflict, match="you saw 1"):
        service.complete(
            session, user=desk.branch_manager, task_id=desk.later, data=TaskDone(version=1)
        )


def test_two_changes_at_the_same_moment_do_not_overwrite_each_other(
    engine: Engine, session: Session, desk: Desk
) -> None:
    # both read version 1 (this session keeps the row it read); the first to write wins,
    # the other is refused when it writes, though it saw no change when it checked
    held = session.get_one(Task, desk.later)
    assert held.version == 1
    with Session(engine) as other:
        branch_manager = other.get_one(StaffUser, desk.branch_manager.id)
        service.hand_over(
            other,
            user=branch_manager,
            task_id=desk.later,
            data=TaskHandover(version=1, assignee_id=desk.manager_b.id),
        )
        other.commit()
    with pytest.raises(Conflict, match="at the same time"):
        service.complete(session, user=desk.manager_a, task_id=desk.later, data=TaskDone(version=1))
    del held
    again = service.get_task(session, user=desk.manager_b, task_id=desk.later)
    assert (again.assignee_id, again.status, again.version) == (
        desk.manager_b.id,
        TaskStatus.OPEN,
        2,
    )


def test_every_action_and_the_export_are_audited(session: Session, desk: Desk) -> None:
    recorder.install()
    today = clock.bank_today()
    service.complete(
        session, user=desk.manager_a, task_id=desk.overdue, data=TaskDone(version=1, outcome="已办")
    )
    service.postpone(
        session,
        user=desk.manager_a,
        task_id=desk.later,
        data=TaskPostpone(version=1, due_on=today + timedelta(days=8), reason="客户出差"),
    )
    service.hand_over(
        session,
        user=desk.manager_a,
        task_id=desk.due_today,
        data=TaskHandover(version=1, assignee_id=desk.branch_manager.id),
    )
    service.exported(session, user=desk.manager_a, status=TaskFilter.OPEN, kind=None)
    session.commit()
    entries = list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "tasks").order_by(AuditEntry.seq)
        )
    )
    changes = {
        (entry.entity_id, entry.action): json.loads(entry.after_json or "{}") for entry in entries
    }
    assert changes[(str(desk.overdue), AuditAction.UPDATE)]["status"] == "done"
    postponed = changes[(str(desk.later), AuditAction.UPDATE)]
    assert (postponed["postponed_reason"], postponed["due_on"]) == (
        "客户出差",
        (today + timedelta(days=8)).isoformat(),
    )
    assert changes[(str(desk.due_today), AuditAction.UPDATE)]["assignee_id"] == (
        desk.branch_manager.id
    )
    exported = changes[(None, AuditAction.EXPORT)]
    assert exported["format"] == "xlsx"
    assert set(exported["tasks"]) == {desk.later, desk.formula, desk.undated, desk.due_today}
    assert exported["customers"] == [desk.customer_a]


def test_the_export_holds_the_viewers_tasks_with_formulas_as_text(
    session: Session, desk: Desk
) -> None:
    items = service.exported(session, user=desk.manager_a, status=TaskFilter.OPEN, kind=None)
    sheet = load_workbook(io.BytesIO(export.workbook(items, "en"))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Due date",
        "Overdue",
        "Title",
        "Kind",
        "Customer",
        "Customer number",
        "Owner",
    )
    assert [row[2] for row in rows[1:]] == [
        "逾期回访",
        "电话挽留",
        "回访理财到期",
        '=HYPERLINK("http://evil.example","点击")',
        "整理资料",
    ]
    assert {row[5] for row in rows[1:]} == {desk.customer_a_number}
    assert "乙的任务" not in {row[2] for row in rows[1:]}
    formula_cell = sheet.cell(row=5, column=3)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    assert rows[1][1] == "Yes" and rows[2][1] == "No"
