"""A bank of two branches with the staff who work and read their queues."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from tests import factories


@dataclass(frozen=True)
class QueueBank:
    branch: int
    other_branch: int
    branch_code: str
    teller: int
    teller_username: str
    manager_username: str
    second_teller: int
    branch_manager: int
    other_manager: int
    analyst: int


@pytest.fixture
def queue_bank(app_settings: str) -> QueueBank:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        main = factories.branch(session)
        other = factories.branch(session, name="杭州分行")
        teller = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        second = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        other_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=other.id)
        analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
        bank = QueueBank(
            branch=main.id,
            other_branch=other.id,
            branch_code=main.external_id,
            teller=teller.id,
            teller_username=teller.username,
            manager_username=manager.username,
            second_teller=second.id,
            branch_manager=manager.id,
            other_manager=other_manager.id,
            analyst=analyst.id,
        )
        session.commit()
    engine.dispose()
    return bank


@pytest.fixture
def db(app_settings: str) -> Iterator[Session]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        yield session
    engine.dispose()
