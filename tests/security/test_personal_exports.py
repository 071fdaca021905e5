"""An export of personal data needs a reason and, for a role that sees personal data masked,
a second person (finding L7: the auditor filed an access request for any customer and
exported the full ID number without a reason or a second person)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction, Role
from bankcrm.customers.models import Customer
from tests.privacy.test_pages import HTML, add_staff, csrf_of, log_in, register
from tests.small_bank import SmallBank, login

API = "/api/v1/privacy/requests"
ID_NUMBER = "110101198003070418"
REASON = "客户本人书面申请查阅个人信息,已在柜台核验身份证件"


def _with_id_number(app_settings: str, customer_id: int) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer).where(Customer.id == customer_id).values(id_number=ID_NUMBER)
        )
        session.commit()
    engine.dispose()


def _exports(app_settings: str, customer_id: int) -> list[AuditEntry]:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.action == AuditAction.EXPORT,
                    AuditEntry.customer_id == customer_id,
                )
                .order_by(AuditEntry.seq)
            )
        )
    engine.dispose()
    return entries


def _file(
    client: TestClient, headers: dict[str, str], customer_id: int, reason: str | None = REASON
) -> dict[str, object]:
    body: dict[str, object] = {"customer_id": customer_id, "kind": "access"}
    if reason is not None:
        body["reason"] = reason
    answer = client.post(API, headers=headers, json=body)
    assert answer.status_code == 201, answer.text
    filed: dict[str, object] = answer.json()
    return filed


def test_the_auditors_access_request_without_a_reason_is_refused(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    headers = login(client, auditor)
    customer_id = small_bank.book_a[0]
    for body in (
        {"customer_id": customer_id, "kind": "access"},
        {"customer_id": customer_id, "kind": "access", "reason": "  "},
        {"customer_id": customer_id, "kind": "access", "reason": "\u200b\u200b"},
    ):
        answer = client.post(API, headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["field"] == "reason"
    assert client.get(API, headers=headers).json()["total"] == 0

    log_in(client, auditor)
    refused = register(client, {"customer_id": str(customer_id), "kind": "access"})
    assert refused.status_code == 422
    assert "请填写申请理由" in refused.text and "needs a reason" in refused.text
    assert "没有符合条件的个人信息请求" in refused.text


def test_the_auditors_export_before_approval_is_refused(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[1]
    _with_id_number(app_settings, customer_id)
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    headers = login(client, auditor)
    filed = _file(client, headers, customer_id)

    for file_format in ("json", "xlsx"):
        answer = client.get(
            f"{API}/{filed['id']}/export", params={"format": file_format}, headers=headers
        )
        assert answer.status_code == 403, answer.text
        assert "must approve access request" in answer.json()["detail"]
        assert ID_NUMBER not in answer.text
    assert filed["reason"] == REASON and filed["decided_by"] is None

    log_in(client, auditor)
    page = client.get(f"/privacy/{filed['id']}").text
    assert 'data-testid="export-blocked"' in page and "须等另一位有审批权限的人员" in page
    assert f"/privacy/{filed['id']}/export" not in page
    download = client.get(f"/privacy/{filed['id']}/export?format=xlsx", headers=HTML)
    assert download.status_code == 403
    assert "您暂时不能下载该客户的信息" in download.text
    assert "must approve access request" in download.text
    assert ID_NUMBER not in download.text
    assert client.get(f"{API}/{filed['id']}", headers=headers).json()["status"] == "received"
    assert _exports(app_settings, customer_id) == []


def test_the_same_person_cannot_approve_their_own_request(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[2]
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    colleague = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    headers = login(client, auditor)
    filed = _file(client, headers, customer_id)

    own = client.post(
        f"{API}/{filed['id']}/approve", headers=headers, json={"version": filed["version"]}
    )
    assert own.status_code == 403, own.text
    assert "maker–checker" in own.json()["detail"]
    log_in(client, auditor)
    page = client.get(f"/privacy/{filed['id']}").text
    assert 'data-testid="approve-form"' not in page

    # the checker who approved is the second person: they do not export it themselves
    checker = login(client, colleague)
    approved = client.post(
        f"{API}/{filed['id']}/approve", headers=checker, json={"version": filed["version"]}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["decided_by"] == colleague
    again = client.post(
        f"{API}/{filed['id']}/approve",
        headers=checker,
        json={"version": approved.json()["version"]},
    )
    assert again.status_code == 409 and "already been approved" in again.json()["detail"]
    by_checker = client.get(f"{API}/{filed['id']}/export", headers=checker)
    assert by_checker.status_code == 403
    assert "approved access request" in by_checker.json()["detail"]
    assert _exports(app_settings, customer_id) == []


def test_after_a_checker_approves_the_export_works_and_is_audited_with_the_reason(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[3]
    _with_id_number(app_settings, customer_id)
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    headers = login(client, auditor)
    filed = _file(client, headers, customer_id)

    log_in(client, small_bank.branch_manager)
    page = client.get(f"/privacy/{filed['id']}").text
    assert 'data-testid="approve-form"' in page and "申请理由" in page and REASON in page
    token = csrf_of(page)
    approved = client.post(
        f"/privacy/{filed['id']}/approve",
        data={"csrf_token": token, "version": str(filed["version"])},
        headers=HTML,
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text

    answer = client.get(f"{API}/{filed['id']}/export", headers=headers)
    assert answer.status_code == 200, answer.text
    assert json.loads(answer.content)["customer"]["id_number"] == ID_NUMBER
    done = client.get(f"{API}/{filed['id']}", headers=headers).json()
    assert done["status"] == "completed" and done["decided_by"] == small_bank.branch_manager

    (entry,) = _exports(app_settings, customer_id)
    assert entry.actor_label == auditor
    assert entry.entity == "customers" and entry.entity_id == str(customer_id)
    assert entry.reason == f"privacy access request {filed['id']}: {REASON}"
    recorded = json.loads(entry.after_json or "")
    assert recorded["approved_by"] == small_bank.branch_manager
    assert recorded["privacy_request"] == filed["id"] and recorded["format"] == "json"


def test_an_account_manager_exports_with_a_reason_and_no_second_person(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[4]
    _with_id_number(app_settings, customer_id)
    headers = login(client, small_bank.manager_a)
    unexplained = client.post(
        API, headers=headers, json={"customer_id": customer_id, "kind": "access"}
    )
    assert unexplained.status_code == 422 and unexplained.json()["field"] == "reason"

    filed = _file(client, headers, customer_id)
    log_in(client, small_bank.manager_a)
    download = client.get(f"/privacy/{filed['id']}/export?format=json")
    assert download.status_code == 200, download.text
    assert json.loads(download.content)["customer"]["id_number"] == ID_NUMBER

    (entry,) = _exports(app_settings, customer_id)
    assert entry.actor_label == small_bank.manager_a
    assert entry.reason == f"privacy access request {filed['id']}: {REASON}"
    assert json.loads(entry.after_json or "")["approved_by"] is None
