"""The improvement board's service on SQLite and PostgreSQL: create, move, lock, permissions."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bankcrm.complaints.models import Complaint
from bankcrm.core.clock import utcnow
from bankcrm.core.enums import (
    ActionOrigin,
    ActionStage,
    ComplaintChannel,
    ComplaintStatus,
    Role,
    Severity,
)
from bankcrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from bankcrm.quality.improvement import service
from bankcrm.quality.models import ImprovementAction
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.timing import move_to_bank_day

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def on_a_known_day(time_machine: time_machine.TimeMachineFixture) -> None:
    move_to_bank_day(time_machine, TODAY)


def _people(session: Session) -> tuple[StaffUser, StaffUser, StaffUser, int]:
    branch = factories.branch(session)
    officer = factories.staff(session, role=Role.QUALITY_OFFICER)
    manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branch.id)
    other_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=branch.id)
    return officer, manager, other_manager, branch.id


def _complaint(session: Session, branch_id: int) -> Complaint:
    now = utcnow()
    row = Complaint(
        external_id="C-PDCA-1",
        branch_id=branch_id,
        channel=ComplaintChannel.COUNTER,
        product_line="wealth_management",
        issue="not_as_advertised",
        severity=Severity.MEDIUM,
        text="宣传的收益率没有达到",
        status=ComplaintStatus.RECEIVED,
        received_at=now,
        deadline_at=now,
        reopen_count=0,
    )
    session.add(row)
    session.flush()
    return row


def _action(
    session: Session, officer: StaffUser, owner: StaffUser, **extra: Any
) -> ImprovementAction:
    return service.create_action(
        session,
        user=officer,
        title="  缩短排队等候时间 ",
        owner_id=owner.id,
        due_on=TODAY + timedelta(days=30),
        origin=ActionOrigin.OTHER,
        metric="average wait (min)",
        metric_before=19.5,
        higher_is_better=False,
        **extra,
    )


def test_create_validates_and_fills_in(session: Session) -> None:
    officer, manager, _, branch_id = _people(session)
    action = _action(session, officer, manager)
    assert action.title == "缩短排队等候时间"
    assert (action.stage, action.version, action.created_by_id) == (ActionStage.PLAN, 1, officer.id)

    complaint = _complaint(session, branch_id)
    from_complaint = service.create_action(
        session,
        user=officer,
        title="理财宣传口径整改",
        owner_id=manager.id,
        due_on=TODAY,
        origin=ActionOrigin.COMPLAINT,
        complaint_id=complaint.id,
    )
    assert from_complaint.branch_id == branch_id  # taken from the complaint

    bad: dict[str, tuple[dict[str, Any], str]] = {
        "gap": ({"gap": 6, "origin": ActionOrigin.GAP}, "gap"),
        "title": ({"title": "   "}, "title"),
        "complaint": ({"origin": ActionOrigin.COMPLAINT}, "complaint_id"),
        "missing complaint": (
            {"origin": ActionOrigin.COMPLAINT, "complaint_id": complaint.id + 999},
            "complaint_id",
        ),
        "inspection": ({"origin": ActionOrigin.INSPECTION}, "inspection_id"),
        "gap origin": ({"origin": ActionOrigin.GAP}, "gap"),
        "owner": ({"owner_id": 999_999}, "owner_id"),
    }
    for arguments, field in bad.values():
        call: dict[str, Any] = {
            "user": officer,
            "title": "x",
            "owner_id": manager.id,
            "due_on": TODAY,
            "origin": ActionOrigin.OTHER,
            **arguments,
        }
        with pytest.raises(ValidationFailed) as refused:
            service.create_action(session, **call)
        assert refused.value.field == field

    manager.is_active = False
    session.flush()
    with pytest.raises(ValidationFailed, match="deactivated"):
        _action(session, officer, manager)


def test_open_action_for_finds_the_unfinished_one(session: Session) -> None:
    officer, manager, _, branch_id = _people(session)
    from bankcrm.core.enums import StandardCategory
    from bankcrm.quality.models import ServiceStandard

    standard = ServiceStandard(
        code="EFF-01",
        category=StandardCategory.EFFICIENCY,
        title="等候不超过15分钟",
        servqual_items=[11],
    )
    session.add(standard)
    session.flush()
    assert service.open_action_for(session, branch_id=branch_id, standard_id=standard.id) is None
    action = _action(session, officer, manager, branch_id=branch_id, standard_id=standard.id)
    found = service.open_action_for(session, branch_id=branch_id, standard_id=standard.id)
    assert found is not None and found.id == action.id
    action.stage = ActionStage.CLOSED
    session.flush()
    assert service.open_action_for(session, branch_id=branch_id, standard_id=standard.id) is None


def test_a_full_cycle_and_its_refusals(session: Session) -> None:
    officer, manager, other_manager, _ = _people(session)
    action = _action(session, officer, manager)
    session.commit()

    # a branch manager who does not own it may not move it
    with pytest.raises(PermissionDenied):
        service.move_stage(
            session, user=other_manager, action_id=action.id, stage=ActionStage.DO, version=1
        )
    moved = service.move_stage(
        session, user=manager, action_id=action.id, stage=ActionStage.DO, version=1
    )
    assert (moved.stage, moved.version) == (ActionStage.DO, 2)

    with pytest.raises(Conflict, match=r"now version 2, you saw 1"):
        service.move_stage(
            session, user=manager, action_id=action.id, stage=ActionStage.CHECK, version=1
        )
    with pytest.raises(ValidationFailed) as no_after:
        service.move_stage(
            session, user=manager, action_id=action.id, stage=ActionStage.CHECK, version=2
        )
    assert no_after.value.status_code == 422
    with pytest.raises(Conflict, match="backwards"):
        service.move_stage(
            session, user=manager, action_id=action.id, stage=ActionStage.PLAN, version=2
        )

    checked = service.move_stage(
        session,
        user=manager,
        action_id=action.id,
        stage=ActionStage.CHECK,
        version=2,
        metric_after=14.0,
    )
    # the wait fell from 19.5 to 14 minutes, and lower is better
    assert (checked.effective, checked.metric_after) == (True, 14.0)
    acted = service.move_stage(
        session, user=officer, action_id=action.id, stage=ActionStage.ACT, version=3
    )
    closed = service.move_stage(
        session, user=officer, action_id=action.id, stage=ActionStage.CLOSED, version=4
    )
    assert acted.stage is ActionStage.ACT
    assert closed.stage is ActionStage.CLOSED and closed.closed_at is not None
    assert closed.next_stages == []
    with pytest.raises(Conflict, match="final"):
        service.move_stage(
            session, user=officer, action_id=action.id, stage=ActionStage.PLAN, version=5
        )
    with pytest.raises(Conflict, match="final"):
        service.update_action(session, user=officer, action_id=action.id, version=5, due_on=TODAY)


def test_an_ineffective_action_starts_again(session: Session) -> None:
    officer, manager, _, _ = _people(session)
    action = _action(session, officer, manager)
    for stage, version, after in (
        (ActionStage.DO, 1, None),
        (ActionStage.CHECK, 2, 19.5),
        (ActionStage.ACT, 3, None),
    ):
        service.move_stage(
            session,
            user=manager,
            action_id=action.id,
            stage=stage,
            version=version,
            metric_after=after,
        )
    with pytest.raises(Conflict, match="only an action the check found effective"):
        service.move_stage(
            session, user=manager, action_id=action.id, stage=ActionStage.CLOSED, version=4
        )
    again = service.move_stage(
        session, user=manager, action_id=action.id, stage=ActionStage.PLAN, version=4
    )
    assert (again.stage, again.effective, again.metric_after, again.metric_before) == (
        ActionStage.PLAN,
        None,
        None,
        19.5,
    )


def test_edit_and_the_board_filters(session: Session) -> None:
    officer, manager, other_manager, branch_id = _people(session)
    late = _action(session, officer, manager, branch_id=branch_id)
    late.due_on = TODAY - timedelta(days=1)
    mine = _action(session, officer, officer)
    session.flush()

    overdue = service.list_actions(session, user=officer, overdue=True)
    assert [row.id for row in overdue] == [late.id]
    assert overdue[0].overdue and overdue[0].branch_name is not None
    assert [row.id for row in service.list_actions(session, user=officer, mine=True)] == [mine.id]
    assert [row.id for row in service.list_actions(session, user=officer, branch_id=branch_id)] == [
        late.id
    ]

    with pytest.raises(PermissionDenied):
        # the owner may edit, but handing it over takes a quality officer
        service.update_action(
            session, user=manager, action_id=late.id, version=2, owner_id=other_manager.id
        )
    # version 2: the due date set above was the first change
    edited = service.update_action(
        session, user=manager, action_id=late.id, version=2, due_on=TODAY + timedelta(days=7)
    )
    assert (edited.due_on, edited.overdue, edited.version) == (TODAY + timedelta(days=7), False, 3)
    handed = service.update_action(
        session, user=officer, action_id=late.id, version=3, owner_id=other_manager.id
    )
    assert handed.owner_id == other_manager.id
    with pytest.raises(ValidationFailed, match="nothing to change"):
        service.update_action(session, user=officer, action_id=late.id, version=4)


@pytest.mark.postgres
def test_two_people_moving_the_same_version_at_once(postgres_url: str) -> None:
    from bankcrm.core.db import make_engine

    engine: Engine = make_engine(postgres_url)
    with Session(engine) as session:
        officer, manager, _, _ = _people(session)
        action = _action(session, officer, manager)
        session.commit()
        action_id, officer_id, manager_id = action.id, officer.id, manager.id

    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def move(user_id: int) -> None:
        with Session(engine) as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            service.get_action(session, action_id=action_id)
            barrier.wait()
            try:
                service.move_stage(
                    session, user=user, action_id=action_id, stage=ActionStage.DO, version=1
                )
                session.commit()
                outcome = "moved"
            except Conflict:
                session.rollback()
                outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=move, args=(user_id,)) for user_id in (officer_id, manager_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "moved"]
    with Session(engine) as session:
        final = service.get_action(session, action_id=action_id)
        assert (final.stage, final.version) == (ActionStage.DO, 2)
    engine.dispose()
