"""Incentive pools through the API: the worked example on planted KPI months, the clawback
of an unsuitable sale (and not of an unfounded complaint or another customer's), approval by
the branch's manager only, once, on the version they saw, and who reads which statement."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import (
    AuditAction,
    ComplaintChannel,
    ComplaintStatus,
    Severity,
)
from bankcrm.offers.models import Sale
from bankcrm.staff.incentives.models import IncentiveClawback
from bankcrm.web.locale import LOCALE_COOKIE
from tests.small_bank import SmallBank, login
from tests.staff.incentives.conftest import Desk

API = "/api/v1/incentives"
POOL = {"month": "2026-11-01", "amount": "100000.00"}


def _complain(
    db: Session,
    desk: Desk,
    *,
    customer_id: int,
    root_cause: str | None,
    received_at: datetime,
    issue: str = "not_as_advertised",
) -> int:
    complaint = Complaint(
        external_id=f"TS{received_at:%Y%m%d}{customer_id}{root_cause}",
        customer_id=customer_id,
        branch_id=desk.branch_id,
        product_id=desk.product_id,
        channel=ComplaintChannel.COUNTER,
        product_line="wealth_management",
        issue=issue,
        severity=Severity.MEDIUM,
        text="理财产品与宣传不符",
        status=ComplaintStatus.REPLIED,
        received_at=received_at,
        deadline_at=received_at + timedelta(days=15),
        root_cause=root_cause,
    )
    db.add(complaint)
    db.commit()
    return complaint.id


def _open_pool(client: TestClient, headers: dict[str, str], desk: Desk) -> dict[str, Any]:
    answer = client.post(
        f"{API}/pools", headers=headers, json={**POOL, "branch_id": desk.branch_id}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _by_person(client: TestClient, headers: dict[str, str], desk: Desk) -> dict[str, Any]:
    answer = client.get(f"{API}/statements", headers=headers, params={"month": "2026-11"})
    assert answer.status_code == 200, answer.text
    names = {staff_id: name for name, staff_id in desk.people.items()}
    return {names[row["staff_id"]]: row for row in answer.json()}


def test_the_branch_manager_computes_the_worked_example(
    small_bank: SmallBank, desk: Desk, client: TestClient
) -> None:
    manager = login(client, small_bank.branch_manager)
    pool = _open_pool(client, manager, desk)
    assert pool["statements"] == 4
    assert pool["unallocated"] == "9166.67"
    assert pool["status"] == "draft"

    rows = _by_person(client, manager, desk)
    assert {name: row["gross"] for name, row in rows.items()} == {
        "A": "37500.00",
        "B": "23333.33",
        "C": "9000.00",
        "D": "21000.00",
    }
    assert [(line["code"], line["amount"]) for line in rows["A"]["lines"]] == [
        ("volume", "26666.67"),
        ("quality", "12000.00"),
        ("cap", "-1166.67"),
    ]
    assert rows["C"]["lines"][0] == {
        "code": "volume",
        "amount": "0.00",
        "basis": 0.6,
        "threshold": 0.7,
        "paid": False,
        "clawback_id": None,
    }
    assert all(row["net"] == row["gross"] for row in rows.values())


def test_a_clawback_fires_on_an_unsuitable_sale_complaint_only(
    small_bank: SmallBank, desk: Desk, client: TestClient, db: Session
) -> None:
    founded = _complain(
        db,
        desk,
        customer_id=desk.customer_id,
        root_cause="overpromised",
        received_at=datetime(2026, 11, 5, 3, tzinfo=UTC),
    )
    # Not counted: an unfounded complaint about the same sale, another customer's complaint
    # about the product, and a founded one received after the pool's month.
    _complain(
        db,
        desk,
        customer_id=desk.customer_id,
        root_cause="unfounded",
        received_at=datetime(2026, 11, 6, 3, tzinfo=UTC),
    )
    _complain(
        db,
        desk,
        customer_id=desk.other_customer_id,
        root_cause="overpromised",
        received_at=datetime(2026, 11, 7, 3, tzinfo=UTC),
    )
    _complain(
        db,
        desk,
        customer_id=desk.customer_id,
        root_cause="staff_error",
        received_at=datetime(2026, 12, 2, 3, tzinfo=UTC),
    )
    manager = login(client, small_bank.branch_manager)
    pool = _open_pool(client, manager, desk)

    rows = _by_person(client, manager, desk)
    assert rows["A"]["gross"] == "37500.00"
    assert rows["A"]["clawback"] == "2000.00"
    assert rows["A"]["net"] == "35500.00"
    assert rows["A"]["lines"][-1]["code"] == "clawback"
    assert rows["A"]["lines"][-1]["amount"] == "-2000.00"
    assert [(each["sale_id"], each["complaint_id"]) for each in rows["A"]["clawbacks"]] == [
        (desk.sale_id, founded)
    ]
    assert rows["A"]["clawbacks"][0]["rule"] == "unsuitable_issue"
    assert all(rows[name]["clawback"] == "0.00" for name in "BCD")

    # Recomputing finds the same clawback again and takes it back once.
    again = client.post(f"{API}/pools/{pool['id']}/compute", headers=manager)
    assert again.status_code == 200, again.text
    assert _by_person(client, manager, desk)["A"]["net"] == "35500.00"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(IncentiveClawback)) == 1


def test_a_clawback_outside_the_window_does_not_fire(
    small_bank: SmallBank, desk: Desk, client: TestClient, db: Session
) -> None:
    db.get_one(Sale, desk.sale_id).sold_at = datetime(2025, 10, 1, 2, tzinfo=UTC)
    db.commit()
    _complain(
        db,
        desk,
        customer_id=desk.customer_id,
        root_cause="overpromised",
        received_at=datetime(2026, 11, 5, 3, tzinfo=UTC),
    )
    manager = login(client, small_bank.branch_manager)
    _open_pool(client, manager, desk)
    assert _by_person(client, manager, desk)["A"]["clawback"] == "0.00"


def test_approval_by_the_branch_manager_once_on_the_version_seen(
    small_bank: SmallBank, desk: Desk, client: TestClient, db: Session
) -> None:
    manager = login(client, small_bank.branch_manager)
    pool = _open_pool(client, manager, desk)
    approve = f"{API}/pools/{pool['id']}/approve"

    for username in (small_bank.manager_a, small_bank.admin):
        answer = client.post(approve, headers=login(client, username), json={"version": 1})
        assert answer.status_code == 403, username
    elsewhere = client.post(
        approve, headers=login(client, desk.other_branch_manager), json={"version": 1}
    )
    assert elsewhere.status_code == 404

    stale = client.post(approve, headers=manager, json={"version": pool["version"] + 5})
    assert stale.status_code == 409
    assert "version" in stale.json()["detail"]

    approved = client.post(approve, headers=manager, json={"version": pool["version"]})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] is not None

    audited = db.scalars(
        select(AuditEntry.after_json).where(
            AuditEntry.entity == "incentive_pools",
            AuditEntry.entity_id == str(pool["id"]),
            AuditEntry.action == AuditAction.UPDATE,
        )
    ).all()
    assert any('"approved"' in (after or "") for after in audited)

    twice = client.post(approve, headers=manager, json={"version": approved.json()["version"]})
    assert twice.status_code == 409
    frozen = client.post(f"{API}/pools/{pool['id']}/compute", headers=manager)
    assert frozen.status_code == 409
    duplicate = client.post(
        f"{API}/pools", headers=manager, json={**POOL, "branch_id": desk.branch_id}
    )
    assert duplicate.status_code == 409


def test_a_pool_of_another_branch_is_refused(
    small_bank: SmallBank, desk: Desk, client: TestClient
) -> None:
    answer = client.post(
        f"{API}/pools",
        headers=login(client, desk.other_branch_manager),
        json={**POOL, "branch_id": desk.branch_id},
    )
    assert answer.status_code == 403


def test_who_reads_which_statement(small_bank: SmallBank, desk: Desk, client: TestClient) -> None:
    manager = login(client, small_bank.branch_manager)
    _open_pool(client, manager, desk)
    rows = _by_person(client, manager, desk)
    statement_of_a = rows["A"]["id"]

    own = client.get(f"{API}/statements", headers=login(client, small_bank.manager_a))
    assert [row["staff_id"] for row in own.json()] == [desk.people["A"]]
    colleague = login(client, small_bank.manager_b)
    assert client.get(f"{API}/statements/{statement_of_a}", headers=colleague).status_code == 404
    export = f"{API}/statements/{statement_of_a}/export.xlsx"
    assert client.get(export, headers=colleague).status_code == 404
    assert client.get(f"{API}/pools", headers=colleague).json() == []

    for username in (small_bank.analyst, desk.quality_officer):
        headers = login(client, username)
        assert client.get(f"{API}/statements/{statement_of_a}", headers=headers).status_code == 403
        assert client.get(f"{API}/statements", headers=headers).status_code == 403

    admin = login(client, small_bank.admin)
    assert len(client.get(f"{API}/statements", headers=admin).json()) == 4
    assert client.get(f"{API}/statements/{statement_of_a}", headers=admin).status_code == 200
    assert len(client.get(f"{API}/pools", headers=admin, params={"month": "2026-11"}).json()) == 1
    other_branch = login(client, desk.other_branch_manager)
    assert client.get(f"{API}/statements", headers=other_branch).json() == []


def test_the_excel_statement(small_bank: SmallBank, desk: Desk, client: TestClient) -> None:
    manager = login(client, small_bank.branch_manager)
    _open_pool(client, manager, desk)
    statement_of_a = _by_person(client, manager, desk)["A"]["id"]
    client.cookies.set(LOCALE_COOKIE, "en")
    manager_a = login(client, small_bank.manager_a)
    answer = client.get(f"{API}/statements/{statement_of_a}/export.xlsx", headers=manager_a)
    assert answer.status_code == 200
    assert "incentive-statement-2026-11" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert values["Month"][0] == "2026-11"
    assert values["Cap"][3] == pytest.approx(-1166.67)
    assert values["Net"][3] == pytest.approx(37500.00)
    assert sheet["E11"].number_format == '"¥"#,##0.00'


def test_a_month_that_is_not_one_is_refused(small_bank: SmallBank, client: TestClient) -> None:
    manager = login(client, small_bank.branch_manager)
    answer = client.get(f"{API}/statements", headers=manager, params={"month": "2026-13"})
    assert answer.status_code == 422
