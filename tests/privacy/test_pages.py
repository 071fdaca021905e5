"""The privacy request pages through the application, on SQLite and PostgreSQL: register,
maker–checker decision, retention hold, access export, stale forms, both languages."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.privacy.service import bank_today
from tests import factories
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in

HTML = {"accept": "text/html"}
NEW_ADDRESS = "上海市浦东新区世纪大道100号"
ACCESS_REASON = "客户本人书面申请查阅个人信息,已在柜台核验身份"


def add_staff(database_url: str, role: Role) -> str:
    """A user of a role the small bank lacks; returns the username."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        username = factories.staff(session, role=role).username
        session.commit()
    engine.dispose()
    return username


def switch_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    log_in(client, username)


def register(client: TestClient, form: dict[str, str | list[str]]) -> Response:
    token = csrf_of(client.get("/privacy").text)
    return client.post(
        "/privacy", data={**form, "csrf_token": token}, headers=HTML, follow_redirects=False
    )


def register_ok(client: TestClient, form: dict[str, str | list[str]]) -> int:
    answer = register(client, form)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/privacy/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no decision form on the page"
    return found.group(1)


def decide(
    client: TestClient, request_id: int, decision: str, *, version: str, reason: str = ""
) -> Response:
    token = csrf_of(client.get(f"/privacy/{request_id}").text)
    return client.post(
        f"/privacy/{request_id}/{decision}",
        data={"csrf_token": token, "version": version, "reason": reason},
        headers=HTML,
        follow_redirects=False,
    )


def access_form(customer_id: int) -> dict[str, str | list[str]]:
    """An access request as the form takes it: it needs a reason."""
    return {"customer_id": str(customer_id), "kind": "access", "reason": ACCESS_REASON}


def correction_form(customer_id: int) -> dict[str, str | list[str]]:
    return {
        "customer_id": str(customer_id),
        "kind": "correction",
        "note": "客户来电：已换工作并搬家，要求更正职业与住址",
        "correction_field": ["occupation", "primary_address", ""],
        "correction_value": ["中学教师", NEW_ADDRESS, ""],
    }


def test_a_correction_is_registered_by_one_person_and_approved_by_another(
    client: TestClient, small_bank: SmallBank
) -> None:
    customer_id = small_bank.book_a[1]
    log_in(client, small_bank.manager_a)
    request_id = register_ok(client, correction_form(customer_id))

    page = client.get(f"/privacy/{request_id}").text
    assert "更正补充" in page and "已受理" in page
    assert "中学教师" in page and NEW_ADDRESS in page and "主要地址" in page
    assert "客户来电：已换工作并搬家" in page
    assert 'data-testid="approve-form"' not in page
    assert "此请求由您登记，须由另一位有审批权限的人员审批" in page
    listing = client.get("/privacy").text
    assert f'href="/privacy/{request_id}"' in listing
    assert f'href="/customers/{customer_id}"' in listing

    refused = client.post(
        f"/privacy/{request_id}/approve",
        data={"csrf_token": csrf_of(page), "version": "1"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert "您无权执行此操作" in refused.text and "privacy:approve" in refused.text

    switch_user(client, small_bank.branch_manager)
    page = client.get(f"/privacy/{request_id}").text
    assert 'data-testid="approve-form"' in page
    approved = decide(client, request_id, "approve", version=version_of(page))
    assert approved.status_code == 303
    page = client.get(f"/privacy/{request_id}").text
    assert "已办结" in page and small_bank.branch_manager in page
    assert 'data-testid="approve-form"' not in page
    profile = client.get(f"/customers/{customer_id}").text
    assert "中学教师" in profile and NEW_ADDRESS in profile


def test_the_maker_cannot_approve_even_with_the_right_to(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.branch_manager)
    request_id = register_ok(client, correction_form(small_bank.book_b[0]))
    page = client.get(f"/privacy/{request_id}").text
    assert 'data-testid="approve-form"' not in page

    refused = decide(client, request_id, "approve", version="1")
    assert refused.status_code == 403
    assert "您不能审批此请求" in refused.text
    assert "cannot also approve it (maker–checker)" in refused.text
    assert "已受理" in refused.text


def test_a_deletion_the_law_does_not_allow_yet_is_held_with_the_reason(
    client: TestClient, small_bank: SmallBank
) -> None:
    customer_id = small_bank.book_a[2]
    log_in(client, small_bank.manager_a)
    request_id = register_ok(
        client, {"customer_id": str(customer_id), "kind": "deletion", "note": "客户要求注销信息"}
    )
    page = client.get(f"/privacy/{request_id}").text
    outcome = re.search(r'data-testid="request-outcome">(.*?)</div>\s*</div>', page, re.S)
    assert outcome
    assert "暂缓删除" in outcome.group(1)
    assert "still holds 1 open account(s)" in outcome.group(1)
    assert "暂缓办理" in page and "登记时依留存规定判定" in page
    assert 'data-testid="decision"' not in page

    held = client.get("/privacy?status=held").text
    assert f'href="/privacy/{request_id}"' in held
    assert "共 1 件请求" in held
    assert "没有符合条件的个人信息请求" in client.get("/privacy?status=completed").text


def test_an_access_request_is_answered_with_json_and_excel(
    client: TestClient, small_bank: SmallBank
) -> None:
    customer_id = small_bank.book_a[3]
    log_in(client, small_bank.manager_a)
    request_id = register_ok(client, access_form(customer_id))
    page = client.get(f"/privacy/{request_id}").text
    assert "申请理由" in page and ACCESS_REASON in page
    assert f'href="/privacy/{request_id}/export?format=json"' in page
    assert f'href="/privacy/{request_id}/export?format=xlsx"' in page

    as_json = client.get(f"/privacy/{request_id}/export?format=json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.headers["content-disposition"].startswith("attachment;")
    data = json.loads(as_json.content)
    assert data["customer"]["name"] == "王03"
    assert len(data["accounts"]) == 1 and len(data["transactions"]) == 1

    as_excel = client.get(f"/privacy/{request_id}/export?format=xlsx")
    assert as_excel.status_code == 200
    assert as_excel.headers["content-disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(as_excel.content), read_only=True)
    profile = dict(workbook["customer"].iter_rows(min_row=2, values_only=True))
    assert profile["name"] == "王03"
    assert workbook["accounts"].max_row == 2

    page = client.get(f"/privacy/{request_id}").text
    assert "已办结" in page


def test_a_decision_on_a_stale_page_shows_the_conflict(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    auditor = add_staff(app_settings, Role.COMPLIANCE_AUDITOR)
    log_in(client, small_bank.manager_a)
    request_id = register_ok(client, correction_form(small_bank.book_a[4]))
    switch_user(client, small_bank.branch_manager)
    seen_version = version_of(client.get(f"/privacy/{request_id}").text)

    with TestClient(client.app) as colleague:
        log_in(colleague, auditor)
        control = decide(colleague, request_id, "reject", version=seen_version, reason="\x00")
        assert control.status_code == 422
        unexplained = decide(colleague, request_id, "reject", version=seen_version, reason=" ")
        assert unexplained.status_code == 422
        assert "审批未能保存" in unexplained.text and "say why" in unexplained.text
        rejected = decide(
            colleague, request_id, "reject", version=seen_version, reason="客户身份未能核实"
        )
        assert rejected.status_code == 303

    stale = decide(client, request_id, "approve", version=seen_version)
    assert stale.status_code == 409
    assert "该请求已被他人修改或已审批" in stale.text
    assert "changed by someone else" in stale.text
    assert "已驳回" in stale.text and "客户身份未能核实" in stale.text
    assert 'data-testid="approve-form"' not in stale.text
    assert "中学教师" not in client.get(f"/customers/{small_bank.book_a[4]}").text


def test_a_refused_form_comes_back_filled_in(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_a)
    garbled = register(client, {**correction_form(small_bank.book_a[5]), "customer_id": "王五"})
    assert garbled.status_code == 422
    assert "请输入客户ID" in garbled.text
    assert NEW_ADDRESS in garbled.text and "客户来电：已换工作并搬家" in garbled.text

    foreign = register(client, correction_form(small_bank.other_branch_customer))
    assert foreign.status_code == 404
    assert "在您可查看的客户中没有该客户ID" in foreign.text

    twice = {
        **correction_form(small_bank.book_a[5]),
        "correction_field": ["occupation", "occupation"],
        "correction_value": ["教师", "医生"],
    }
    assert "每个字段只能更正一次" in register(client, twice).text

    for unstorable in ({"note": "a\x00b"}, {"correction_value": ["a\x00b", "", ""]}):
        assert (
            register(client, {**correction_form(small_bank.book_a[5]), **unstorable}).status_code
            == 422
        )

    stray = {**correction_form(small_bank.book_a[5]), "kind": "access"}
    refused = register(client, stray)
    assert refused.status_code == 422
    assert "only a correction request carries corrections" in refused.text
    assert "没有符合条件的个人信息请求" in client.get("/privacy").text


def test_overdue_requests_are_marked(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    log_in(client, small_bank.manager_a)
    late = register_ok(client, access_form(small_bank.book_a[6]))
    register_ok(client, access_form(small_bank.book_a[7]))
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == late)
            .values(due_on=bank_today() - timedelta(days=1))
        )
        session.commit()
    engine.dispose()

    overdue = client.get("/privacy?overdue=1").text
    assert "共 1 件请求" in overdue
    assert f'href="/privacy/{late}"' in overdue
    assert re.search(
        r'class="text-nowrap text-danger fw-semibold" data-testid="request-due"', overdue
    )
    assert 'data-testid="request-overdue"' in client.get(f"/privacy/{late}").text
    assert "共 2 件请求" in client.get("/privacy").text


@pytest.mark.parametrize("path", ["/privacy", "/privacy/{request_id}"])
def test_pages_in_both_languages_without_inline_script(
    client: TestClient, small_bank: SmallBank, path: str
) -> None:
    log_in(client, small_bank.manager_a)
    request_id = register_ok(client, correction_form(small_bank.book_a[8]))
    url = path.format(request_id=request_id)
    chinese = client.get(url).text
    assert 'lang="zh-CN"' in chinese and "个人信息请求" in chinese and "更正补充" in chinese
    client.get(f"/lang/en?next={url}")
    english = client.get(url).text
    assert 'lang="en"' in english and "Privacy requests" in english
    assert "correction" in english and "received" in english
    for html in (chinese, english):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+\s*=", html)
