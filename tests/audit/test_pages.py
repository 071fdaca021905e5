"""The audit trail page: what a compliance auditor sees after a correction, the filters,
days in the bank's time zone, and who may not look."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.audit import repository
from bankcrm.audit.chain import Link
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.customers.models import Customer
from tests.privacy.test_pages import (
    HTML,
    add_staff,
    correction_form,
    decide,
    register_ok,
    switch_user,
    version_of,
)
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in


def _cells(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">([^<]*)<', html)


def _number(app_settings: str, customer_id: int) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        number = session.get_one(Customer, customer_id).external_id
    engine.dispose()
    return number


def _approved_correction(client: TestClient, bank: SmallBank, customer_id: int) -> int:
    log_in(client, bank.manager_a)
    request_id = register_ok(client, correction_form(customer_id))
    switch_user(client, bank.branch_manager)
    version = version_of(client.get(f"/privacy/{request_id}").text)
    assert decide(client, request_id, "approve", version=version).status_code == 303
    return request_id


def test_the_auditor_finds_the_correction_and_who_made_it(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    customer_id = small_bank.book_a[1]
    request_id = _approved_correction(client, small_bank, customer_id)
    switch_user(client, auditor)

    page = client.get(f"/audit?customer_id={customer_id}").text
    assert set(re.findall(r'data-customer-id="(\d+)"', page)) == {str(customer_id)}
    # the customer is named as everywhere, never by the database id
    assert set(_cells(page, "audit-customer")) == {f"王01 ({_number(app_settings, customer_id)})"}
    rows = list(
        zip(
            _cells(page, "audit-actor"),
            _cells(page, "audit-action"),
            _cells(page, "audit-record"),
            strict=True,
        )
    )
    assert (small_bank.branch_manager, "修改", f"customers #{customer_id}") in rows
    assert (small_bank.manager_a, "新增", f"privacy_requests #{request_id}") in rows
    assert (small_bank.branch_manager, "修改", f"privacy_requests #{request_id}") in rows
    assert "中学教师" not in page, "personal values are fingerprinted, never shown"
    assert "hmac:" in page and "<details>" in page

    seqs = [int(seq) for seq in re.findall(r'<td class="text-end font-monospace">(\d+)<', page)]
    assert seqs == sorted(seqs, reverse=True)

    updates = client.get(f"/audit?customer_id={customer_id}&action=update").text
    assert set(_cells(updates, "audit-action")) == {"修改"}
    by_actor = client.get(f"/audit?actor={small_bank.manager_a}&entity=privacy_requests").text
    assert set(_cells(by_actor, "audit-actor")) == {small_bank.manager_a}
    other = client.get(f"/audit?customer_id={small_bank.book_a[2]}").text
    assert set(re.findall(r'data-customer-id="(\d+)"', other)) == {str(small_bank.book_a[2])}
    assert set(_cells(other, "audit-actor")) == {"system"}, "only the fixture wrote about it"
    assert "没有符合条件的审计记录" in client.get("/audit?actor=nobody").text


def test_days_are_the_banks_days(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    """04:00 in Shanghai on 15 January is still 14 January in UTC."""
    engine = make_engine(app_settings)
    with engine.begin() as connection:
        repository.append(
            connection,
            [
                Link(
                    seq=0,
                    occurred_at=datetime(2026, 1, 14, 20, 0, tzinfo=UTC),
                    actor_id=None,
                    actor_label="nightly-batch",
                    action="import",
                    entity="customers",
                    entity_id=None,
                    customer_id=None,
                    reason=None,
                    before_json=None,
                    after_json='{"rows":3}',
                )
            ],
        )
    engine.dispose()
    log_in(client, add_staff(app_settings, Role.COMPLIANCE_AUDITOR))

    that_day = client.get("/audit?actor=nightly-batch&since=2026-01-15&until=2026-01-15").text
    assert _cells(that_day, "audit-actor") == ["nightly-batch"]
    assert "2026-01-15 04:00" in that_day and "数据导入" in that_day
    day_before = client.get("/audit?actor=nightly-batch&since=2026-01-14&until=2026-01-14").text
    assert _cells(day_before, "audit-actor") == []
    everything = client.get("/audit?actor=nightly-batch&since=0001-01-01&until=9999-12-31").text
    assert _cells(everything, "audit-actor") == ["nightly-batch"]


def test_garbled_filters_are_ignored_not_crashed(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    log_in(client, add_staff(app_settings, Role.COMPLIANCE_AUDITOR))
    answer = client.get("/audit?customer_id=abc&action=alien&since=yesterday&until=2026-02-30")
    assert answer.status_code == 200
    assert client.get("/audit?actor=%00", headers=HTML).status_code == 422


def test_only_auditors_see_the_trail(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_a)
    refused = client.get("/audit", headers=HTML)
    assert refused.status_code == 403
    assert "您无权执行此操作" in refused.text
    assert 'href="/audit"' not in client.get("/customers").text


def test_the_trail_in_both_languages(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    log_in(client, add_staff(app_settings, Role.COMPLIANCE_AUDITOR))
    chinese = client.get("/audit").text
    assert "审计日志" in chinese and "登录" in chinese
    client.get("/lang/en?next=/audit")
    english = client.get("/audit").text
    assert 'lang="en"' in english and "Audit trail" in english
    assert "newest first" in english and "login" in english
    for html in (chinese, english):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+\s*=", html)
