"""The pipeline's service and API: scope (an account manager sees only their prospects, a
branch manager their branch), the stage history, follow-ups that raise and close their
owner's task, objections answered from the offers handbook, the fee-based flow and the
funnel on planted prospects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.campaigns.prospects import service
from bankcrm.campaigns.prospects.schemas import (
    FollowUpComplete,
    FollowUpCreate,
    ProspectCreate,
    ProspectUpdate,
    StageMove,
)
from bankcrm.core.clock import bank_today
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    CustomerType,
    FollowUpChannel,
    ProductCategory,
    ProspectSource,
    ProspectStage,
    Role,
    TaskStatus,
)
from bankcrm.core.exceptions import NotFound
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests import factories
from tests.small_bank import SmallBank, login
from tests.timing import move_to_bank_day

API = "/api/v1/prospects"


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _staff(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def _open(session: Session, user: StaffUser, name: str, **fields: Any) -> int:
    data = ProspectCreate.model_validate(
        {"name": name, "kind": "corporate", "source": "referral", **fields}, strict=False
    )
    return service.create_prospect(session, user=user, data=data).id


def _move(session: Session, user: StaffUser, prospect: int, stage: ProspectStage) -> None:
    version = service.get_prospect(session, user=user, prospect_id=prospect).prospect.version
    move = StageMove(version=version, stage=stage, reason="价格" if stage == "lost" else None)
    service.move_stage(session, user=user, prospect_id=prospect, data=move)


def _analyse(session: Session, user: StaffUser, prospect: int) -> None:
    version = service.get_prospect(session, user=user, prospect_id=prospect).prospect.version
    change = ProspectUpdate(version=version, decision_maker="财务总监", needs="代发工资")
    service.update_prospect(session, user=user, prospect_id=prospect, data=change)


def test_an_account_manager_sees_only_their_prospects_and_a_branch_manager_the_branch(
    small_bank: SmallBank, db: Session
) -> None:
    manager_a = _staff(db, small_bank.manager_a)
    manager_b = _staff(db, small_bank.manager_b)
    branch_manager = _staff(db, small_bank.branch_manager)
    mine = _open(db, manager_a, "张记贸易")
    theirs = _open(db, manager_b, "李氏物流")
    db.commit()

    seen_by_a = [row.id for row in service.list_prospects(db, user=manager_a)]
    assert seen_by_a == [mine]
    with pytest.raises(NotFound):
        service.get_prospect(db, user=manager_a, prospect_id=theirs)
    assert {row.id for row in service.list_prospects(db, user=branch_manager)} == {mine, theirs}
    board = service.board(db, user=branch_manager, owner_id=manager_b.id)
    assert [card.id for card in board[0].cards] == [theirs]
    owners = service.pipeline_owners(db, user=branch_manager)
    assert {manager_a.id, manager_b.id, branch_manager.id} <= {staff.id for staff in owners}


def test_moves_are_kept_with_who_and_when_and_the_funnel_counts_them(
    small_bank: SmallBank, db: Session
) -> None:
    manager = _staff(db, small_bank.manager_a)
    branch_manager = _staff(db, small_bank.branch_manager)
    won, lost, new = (_open(db, manager, name) for name in ("甲公司", "乙公司", "丙公司"))
    for prospect in (won, lost):
        _move(db, manager, prospect, ProspectStage.NEEDS)
        _analyse(db, manager, prospect)
        _move(db, manager, prospect, ProspectStage.PRESENTATION)
    _move(db, manager, won, ProspectStage.NEGOTIATION)
    _move(db, manager, won, ProspectStage.DEAL)
    _move(db, manager, lost, ProspectStage.LOST)
    db.commit()

    detail = service.get_prospect(db, user=manager, prospect_id=lost)
    assert [(event.from_stage, event.to_stage) for event in detail.history] == [
        (None, ProspectStage.IDENTIFY),
        (ProspectStage.IDENTIFY, ProspectStage.NEEDS),
        (ProspectStage.NEEDS, ProspectStage.PRESENTATION),
        (ProspectStage.PRESENTATION, ProspectStage.LOST),
    ]
    assert {event.actor for event in detail.history} == {manager.full_name}
    assert detail.prospect.lost_reason == "价格"
    assert detail.prospect.reached_stage is ProspectStage.PRESENTATION

    figures = service.funnel(db, user=branch_manager, branch_id=small_bank.branch_id)
    assert (figures.prospects, figures.lost) == (3, 1)
    reached = {step.stage: (step.reached, step.rate) for step in figures.steps}
    assert reached[ProspectStage.IDENTIFY] == (3, None)
    assert reached[ProspectStage.NEEDS] == (2, pytest.approx(2 / 3))
    assert reached[ProspectStage.PRESENTATION] == (2, 1.0)
    assert reached[ProspectStage.NEGOTIATION] == (1, 0.5)
    assert reached[ProspectStage.DEAL] == (1, 1.0)
    assert new in {row.id for row in service.list_prospects(db, user=manager)}


def test_a_follow_up_raises_a_task_for_the_owner_that_closes_with_it(
    small_bank: SmallBank, db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    today = bank_today()
    move_to_bank_day(time_machine, today)
    branch_manager = _staff(db, small_bank.branch_manager)
    manager = _staff(db, small_bank.manager_a)
    prospect = _open(
        db, branch_manager, "丁公司", owner_id=manager.id, customer_id=small_bank.book_a[0]
    )
    plan = FollowUpCreate(
        planned_on=today + timedelta(days=2), channel=FollowUpChannel.VISIT, purpose="上门拜访"
    )
    follow_up = service.add_follow_up(db, user=manager, prospect_id=prospect, data=plan)
    db.commit()
    task = db.get(Task, follow_up.task_id)
    assert task is not None
    assert (task.source, task.source_ref, task.assignee_id, task.due_on) == (
        "prospect",
        str(follow_up.id),
        manager.id,
        today + timedelta(days=2),
    )
    assert task.customer_id == small_bank.book_a[0]
    assert service.list_prospects(db, user=manager)[0].overdue is False

    move_to_bank_day(time_machine, today + timedelta(days=5))
    card = service.list_prospects(db, user=manager)[0]
    assert card.overdue and card.next_follow_up_on == today + timedelta(days=2)

    done = service.complete_follow_up(
        db,
        user=manager,
        prospect_id=prospect,
        follow_up_id=follow_up.id,
        data=FollowUpComplete(version=follow_up.version, outcome="同意开户"),
    )
    db.commit()
    db.refresh(task)
    assert done.done_at is not None and not done.overdue
    assert task.status is TaskStatus.DONE and task.completed_at is not None
    assert service.list_prospects(db, user=manager)[0].next_follow_up_on is None


def test_the_api_keeps_versions_objections_and_the_fee_flow(
    client: TestClient, small_bank: SmallBank, db: Session
) -> None:
    fee_product = factories.product(db, category=ProductCategory.FEE_SERVICE)
    db.commit()
    manager = login(client, small_bank.manager_a)
    created = client.post(
        API,
        json={
            "name": "戊科技",
            "kind": CustomerType.CORPORATE,
            "source": ProspectSource.EVENT,
            "phone": "13812345678",
            "product_id": fee_product.id,
            "expected_amount": "120000.00",
            "growth_potential": True,
        },
        headers=manager,
    )
    assert created.status_code == 201, created.text
    prospect = created.json()
    assert prospect["fee_stage"] == "negotiation" and prospect["expected_amount"] == "120000.00"
    url = f"{API}/{prospect['id']}"

    stale = client.post(f"{url}/stage", json={"version": 99, "stage": "needs"}, headers=manager)
    assert stale.status_code == 409
    skipped = client.post(f"{url}/stage", json={"version": 1, "stage": "deal"}, headers=manager)
    assert skipped.status_code == 409 and "possible now" in skipped.text
    bad = client.post(f"{url}/stage", json={"version": 1, "stage": "won"}, headers=manager)
    assert bad.status_code == 422

    objection = client.post(
        f"{url}/objections",
        json={"kind": "doubt", "said": "手续费太高了吧？", "answer": "列出了收费依据"},
        headers=manager,
    )
    assert objection.status_code == 201, objection.text
    assert objection.json()["suggestions"], "the handbook answers doubts about fee services"

    version = prospect["version"]
    for body in ({}, {"fee_quoted": "800.00"}, {}, {}):
        step = client.post(f"{url}/fee-flow", json={"version": version, **body}, headers=manager)
        assert step.status_code == 200, step.text
        version = step.json()["version"]
    assert step.json()["fee_stage"] == "completed" and step.json()["fee_quoted"] == "800.00"

    cultivated = client.patch(
        url,
        json={"version": version, "cultivation": ["satisfaction", "incentives"]},
        headers=manager,
    )
    assert cultivated.json()["cultivation"] == ["incentives", "satisfaction"]

    other = login(client, small_bank.manager_b)
    assert client.get(url, headers=other).status_code == 404
    assert client.get(API, headers=other).json() == []
    analyst = login(client, small_bank.analyst)
    assert client.get(API, headers=analyst).status_code == 403


def test_a_role_without_personal_data_view_sees_the_phone_masked(
    small_bank: SmallBank, db: Session
) -> None:
    manager = _staff(db, small_bank.manager_a)
    prospect = _open(db, manager, "己公司", phone="13812345678")
    auditor = factories.staff(db, role=Role.COMPLIANCE_AUDITOR)
    db.commit()
    assert service.list_prospects(db, user=manager)[0].phone == "13812345678"
    [seen] = service.list_prospects(db, user=auditor)
    assert seen.id == prospect and (seen.phone or "").startswith("138")
    assert seen.phone != "13812345678"
    assert service.funnel(db, user=auditor, branch_id=None).prospects == 1
