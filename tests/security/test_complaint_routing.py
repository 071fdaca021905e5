"""A new case goes where its customer can be seen (finding M1: a ``branch_id`` of another
branch routed a customer's case there, and an unknown branch was a 500)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.customers.models import Customer
from tests.complaints.test_desk import COMPLAINTS, Desk

TEXT = "网银转账失败后手续费未退回。"


def _other_branch(app_settings: str, desk: Desk) -> int:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        branch_id = session.scalar(
            select(Customer.branch_id).where(Customer.id == desk.bank.other_branch_customer)
        )
    engine.dispose()
    assert branch_id is not None and branch_id != desk.bank.branch_id
    return branch_id


def _post(client: TestClient, headers: dict[str, str], **fields: object) -> tuple[int, dict]:
    body = {"channel": "counter", "text": TEXT, "severity": "medium", **fields}
    answer = client.post(COMPLAINTS, json=body, headers=headers)
    return answer.status_code, answer.json()


def test_a_customers_case_goes_to_the_customers_branch(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    other = _other_branch(app_settings, desk)
    customer = desk.bank.book_a[0]
    status, body = _post(client, desk.manager, customer_id=customer, branch_id=other)
    assert status == 422 and body["field"] == "branch_id"
    status, body = _post(client, desk.officer, customer_id=customer, branch_id=999_999)
    assert status == 422 and body["field"] == "branch_id"
    status, body = _post(client, desk.manager, customer_id=customer)
    assert status == 201 and body["branch_id"] == desk.bank.branch_id
    status, body = _post(client, desk.manager, customer_id=customer, branch_id=desk.bank.branch_id)
    assert status == 201


def test_a_case_without_a_customer_stays_within_the_callers_branches(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    other = _other_branch(app_settings, desk)
    status, body = _post(client, desk.branch_manager, branch_id=other)
    assert status == 422 and body["field"] == "branch_id"
    status, body = _post(client, desk.branch_manager, branch_id=999_999)
    assert status == 422
    status, body = _post(client, desk.branch_manager)
    assert status == 201 and body["branch_id"] == desk.bank.branch_id
    status, body = _post(client, desk.officer, branch_id=other)
    assert status == 201 and body["branch_id"] == other
