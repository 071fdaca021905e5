"""A small bank with two branches and two books, served through the real application."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import CustomerType, Role
from bankcrm.main import create_app
from tests import factories


@dataclass
class SmallBank:
    manager_a: str
    manager_b: str
    branch_manager: str
    analyst: str
    admin: str
    book_a: list[int]
    book_b: list[int]
    other_branch_customer: int
    branch_id: int


@pytest.fixture
def small_bank(app_settings: str) -> SmallBank:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        main = factories.branch(session)
        other = factories.branch(session, name="杭州分行")
        manager_a = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        manager_b = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        manager_c = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=other.id)
        branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
        admin = factories.staff(session, role=Role.ADMIN)
        deposit = factories.product(session)
        book_a = []
        for index in range(30):
            row = factories.customer(
                session,
                branch_id=main.id,
                manager_id=manager_a.id,
                name=f"王{index:02d}",
                customer_type=CustomerType.CORPORATE if index % 5 == 0 else CustomerType.INDIVIDUAL,
            )
            account = factories.account(session, customer=row, product_id=deposit.id)
            factories.transaction(session, account=account, amount_cents=50_000)
            book_a.append(row.id)
        book_b = [
            factories.customer(
                session, branch_id=main.id, manager_id=manager_b.id, name=f"李{index}"
            ).id
            for index in range(5)
        ]
        elsewhere = factories.customer(session, branch_id=other.id, manager_id=manager_c.id)
        bank = SmallBank(
            manager_a=manager_a.username,
            manager_b=manager_b.username,
            branch_manager=branch_manager.username,
            analyst=analyst.username,
            admin=admin.username,
            book_a=book_a,
            book_b=book_b,
            other_branch_customer=elsewhere.id,
            branch_id=main.id,
        )
        session.commit()
    engine.dispose()
    return bank


@pytest.fixture
def client(app_settings: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = factories.PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
