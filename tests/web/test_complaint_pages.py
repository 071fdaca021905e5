"""The complaint desk pages through the application: the queue, intake, the workflow on the
case page, maker–checker service recovery, the case analysis and its Excel download, in
both languages.

Most tests share one desk per module (a SQLite bank with cases received months ago); the
case's way from intake to closure runs on SQLite and PostgreSQL with the small bank."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.complaints import service
from bankcrm.complaints.models import Complaint
from bankcrm.complaints.workflow import FINISHED
from bankcrm.core import clock
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import (
    AccountStatus,
    AuditAction,
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    PrivacyRequestStatus,
    RecoveryKind,
    RecoveryStatus,
    Role,
    Severity,
)
from bankcrm.core.migrate import upgrade
from bankcrm.main import create_app
from bankcrm.staff.models import StaffUser
from bankcrm.web.labels import label_for
from tests import factories
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in

HTML = {"accept": "text/html"}
CASE_TEXT = "信用卡年费未经同意被扣收，客户要求退还年费并说明原因"
ROOT_CAUSE = "staff_error"
"""员工未按标准操作, which reveals gap 3 (差距三)."""


@dataclass(frozen=True)
class Desk:
    """A bank with a complaint desk: who works there and the cases received months ago."""

    database_url: str
    officer: str
    """A service-quality officer: sees every case, handles them, cannot approve."""
    account_manager: str
    branch_manager: str
    checker: str
    """A second branch manager of the same branch: approves what the first proposed."""
    checker_name: str
    """The checker's full name, as the case shows its staff."""
    analyst: str
    """A marketing analyst: no complaint permission at all."""
    auditor: str
    """A compliance auditor: reads cases and reports, handles nothing."""
    customers: list[int]
    open_case: int
    """A seeded case left open past its deadline (escalated by the sweep)."""
    period: tuple[date, date]
    """A period holding exactly the seeded cases."""


def _seed_cases(session: Session, officer: StaffUser, customers: list[int]) -> int:
    """Six cases received 150 to 60 days ago: two by the same customer, four with a root
    cause, three replied (two in time) and closed, one fee refund of ¥200; the sweep then
    escalates the open ones that are overdue."""
    now = datetime.now(UTC)
    ids = []
    for index in range(6):
        case = service.create_complaint(
            session,
            user=officer,
            channel=ComplaintChannel.PHONE,
            text=f"{CASE_TEXT}（第{index + 1}件）",
            customer_id=customers[0] if index < 2 else customers[index],
            product_line="credit_card",
            issue="fees_and_interest",
            received_at=now - timedelta(days=150 - 18 * index),
        )
        ids.append(case.id)
    for case_id in ids[:4]:
        service.update_labels(
            session, user=officer, complaint_id=case_id, version=1, root_cause=ROOT_CAUSE
        )
    for case_id in ids[:3]:
        for action in (ComplaintAction.ACCEPT, ComplaintAction.INVESTIGATE):
            version = service.get_complaint(session, user=officer, complaint_id=case_id).version
            service.transition(
                session, user=officer, complaint_id=case_id, action=action, version=version
            )
        version = service.get_complaint(session, user=officer, complaint_id=case_id).version
        service.transition(
            session,
            user=officer,
            complaint_id=case_id,
            action=ComplaintAction.REPLY,
            version=version,
            reply="已核实并退还年费",
        )
        version = service.get_complaint(session, user=officer, complaint_id=case_id).version
        service.transition(
            session,
            user=officer,
            complaint_id=case_id,
            action=ComplaintAction.CLOSE,
            version=version,
            confirmation=CustomerConfirmation.SATISFIED,
        )
    service.propose_recovery(
        session,
        user=officer,
        complaint_id=ids[0],
        kind=RecoveryKind.FEE_REFUND,
        amount=Decimal("200"),
    )
    for case_id in ids[:2]:
        # replied three days after receipt, well within the deadline
        complaint = session.get_one(Complaint, case_id)
        complaint.first_replied_at = complaint.received_at + timedelta(days=3)
    session.flush()
    service.sweep(session)
    return ids[5]


def build_desk(directory: Path) -> Desk:
    database_url = f"sqlite:///{directory / 'desk.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        main = factories.branch(session)
        officer = factories.staff(session, role=Role.QUALITY_OFFICER)
        account_manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
        branch_manager = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        checker = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id)
        analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        customers = [
            factories.customer(
                session, branch_id=main.id, manager_id=account_manager.id, name=f"赵{index}"
            ).id
            for index in range(8)
        ]
        session.flush()
        open_case = _seed_cases(session, officer, customers)
        session.commit()
        today = clock.bank_day(datetime.now(UTC))
        desk = Desk(
            database_url=database_url,
            officer=officer.username,
            account_manager=account_manager.username,
            branch_manager=branch_manager.username,
            checker=checker.username,
            checker_name=checker.full_name,
            analyst=analyst.username,
            auditor=auditor.username,
            customers=customers,
            open_case=open_case,
            period=(today - timedelta(days=200), today - timedelta(days=30)),
        )
    engine.dispose()
    return desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANKCRM_ENVIRONMENT", "test")
        reset_caches()
        yield build_desk(tmp_path_factory.mktemp("complaint-desk"))
    reset_caches()


@pytest.fixture
def web(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The application on the desk's bank."""
    monkeypatch.setenv("BANKCRM_DATABASE_URL", desk.database_url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    reset_caches()
    with TestClient(create_app()) as test_client:
        yield test_client
    reset_caches()


def switch_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    log_in(client, username)


def post(client: TestClient, path: str, form: dict[str, str], *, page: str) -> Response:
    """Posts ``form`` with the CSRF token of ``page``, as the browser would from it."""
    token = csrf_of(client.get(page).text)
    return client.post(
        path, data={**form, "csrf_token": token}, headers=HTML, follow_redirects=False
    )


def case_id_of(answer: Response) -> int:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/complaints/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no form with a version on the page"
    return found.group(1)


def status_of(html: str) -> str:
    found = re.search(r'data-testid="complaint-status">([^<]+)<', html)
    assert found
    return found.group(1)


def act(
    client: TestClient, case_id: int, action: str, version: str | None = None, **fields: str
) -> Response:
    page = client.get(f"/complaints/{case_id}").text
    form = {"action": action, "version": version or version_of(page), **fields}
    return client.post(
        f"/complaints/{case_id}/transitions",
        data={**form, "csrf_token": csrf_of(page)},
        headers=HTML,
        follow_redirects=False,
    )


def no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html


def test_the_desk_speaks_the_glossary() -> None:
    """Complaint words the catalog keeps under a context (a complaint that is "closed" is
    办结, an account 关闭), which the catalog test does not see."""
    glossary = {
        ComplaintStatus.RECEIVED: "已受理登记",
        ComplaintStatus.ACCEPTED: "已受理",
        ComplaintStatus.INVESTIGATING: "调查中",
        ComplaintStatus.REPLIED: "已答复",
        ComplaintStatus.CLOSED: "已办结",
        ComplaintStatus.REOPENED: "重新处理",
        ComplaintStatus.ESCALATED: "已升级",
        ComplaintStatus.WITHDRAWN: "已撤回",
        RecoveryKind.APOLOGY: "致歉",
        RecoveryKind.FEE_REFUND: "退费",
        RecoveryKind.COMPENSATION: "补偿",
    }
    for value, word in glossary.items():
        assert label_for(value, "zh_CN") == word
    assert label_for(ComplaintStatus.CLOSED, "en") == "closed"
    assert label_for(PrivacyRequestStatus.RECEIVED, "zh_CN") == "已受理"
    assert label_for(AccountStatus.CLOSED, "zh_CN") == "已关闭"
    for enum in (
        ComplaintAction,
        ComplaintChannel,
        ComplaintEventKind,
        CustomerConfirmation,
        RecoveryStatus,
        Severity,
    ):
        for member in enum:
            assert label_for(member, "zh_CN") != member.value, member


# --- on both backends, with the small bank ------------------------------------------------


def test_a_case_from_intake_to_closure(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[0]
    log_in(client, small_bank.manager_a)
    form = {"customer_id": str(customer_id), "channel": "counter", "text": CASE_TEXT}

    suggested = post(client, "/complaints/new", {**form, "suggest": "1"}, page="/complaints/new")
    assert suggested.status_code == 200
    assert 'data-testid="suggestion"' in suggested.text and "置信度" in suggested.text
    assert CASE_TEXT in suggested.text
    assert re.search(r'<option value="[a-z_]+" selected>', suggested.text)

    garbled = post(
        client, "/complaints/new", {**form, "customer_id": "王五"}, page="/complaints/new"
    )
    assert garbled.status_code == 422 and "请输入客户ID" in garbled.text
    assert CASE_TEXT in garbled.text

    foreign = {**form, "customer_id": str(small_bank.other_branch_customer)}
    outside = post(client, "/complaints/new", foreign, page="/complaints/new")
    assert outside.status_code == 404 and "在您可查看的客户中没有该客户ID" in outside.text

    undated = post(
        client, "/complaints/new", {**form, "received_at": "昨天"}, page="/complaints/new"
    )
    assert undated.status_code == 422 and "请填写受理时间" in undated.text

    yesterday = clock.bank_day(datetime.now(UTC)) - timedelta(days=1)
    received = {"severity": "high", "received_at": f"{yesterday.isoformat()}T09:30"}
    case_id = case_id_of(
        post(client, "/complaints/new", {**form, **received}, page="/complaints/new")
    )
    page = client.get(f"/complaints/{case_id}").text
    assert f"{yesterday.isoformat()} 09:30" in page  # the bank's time, as typed
    assert status_of(page) == "已受理登记"
    assert f'href="/customers/{customer_id}"' in page and "王00" in page
    assert "柜面" in page and "由系统建议" in page and "与建议一致" in page
    assert 'data-testid="action-accept"' in page and 'data-testid="action-extend"' in page
    assert f'href="/complaints/{case_id}"' in client.get("/complaints?view=mine").text

    assert act(client, case_id, "accept").status_code == 303
    assert status_of(client.get(f"/complaints/{case_id}").text) == "已受理"
    stale_version = version_of(client.get(f"/complaints/{case_id}").text)
    assert act(client, case_id, "investigate").status_code == 303

    stale = act(client, case_id, "escalate", version=stale_version, reason="客户情绪激动")
    assert stale.status_code == 409
    assert "该案件已被他人修改，或当前状态不允许此操作" in stale.text
    assert "changed by someone else" in stale.text
    assert status_of(stale.text) == "调查中"
    assert "客户情绪激动" in stale.text  # what was typed is not lost

    unexplained = act(client, case_id, "escalate", reason=" ")
    assert unexplained.status_code == 422
    assert "操作未能执行" in unexplained.text and "needs a reason" in unexplained.text

    labels = post(
        client,
        f"/complaints/{case_id}/labels",
        {
            "version": version_of(client.get(f"/complaints/{case_id}").text),
            "product_line": "credit_card",
            "issue": "service_attitude",
            "root_cause": ROOT_CAUSE,
            "severity": "high",
        },
        page=f"/complaints/{case_id}",
    )
    assert labels.status_code == 303
    page = client.get(f"/complaints/{case_id}").text
    assert "员工未按标准操作" in page and "揭示差距三" in page
    assert 'data-testid="label-corrected"' in page

    noted = post(
        client,
        f"/complaints/{case_id}/notes",
        {"text": "调阅柜面录像，确认未告知年费"},
        page=f"/complaints/{case_id}",
    )
    assert noted.status_code == 303
    assert act(client, case_id, "reply", reply="年费已退还，并向客户致歉").status_code == 303
    assert act(client, case_id, "close", confirmation="satisfied").status_code == 303

    page = client.get(f"/complaints/{case_id}").text
    assert status_of(page) == "已办结"
    assert "年费已退还，并向客户致歉" in page and "调阅柜面录像" in page
    timeline = page[page.index('data-testid="timeline"') :]
    for step in ("登记", "受理", "调查", "分类标注", "备注", "答复", "办结", "满意"):
        assert step in timeline
    assert "已受理 → 调查中" in timeline
    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager_name = session.scalar(
            select(StaffUser.full_name).where(StaffUser.username == small_bank.manager_a)
        )
    engine.dispose()
    assert manager_name and manager_name in timeline  # staff by name, not by login
    assert 'data-testid="action-reopen"' in page and 'data-testid="action-close"' not in page

    illegal = act(client, case_id, "accept")
    assert illegal.status_code == 409 and "cannot accept a closed case" in illegal.text


# --- on the shared desk ----------------------------------------------------------------------


def test_the_desk_is_shown_to_the_roles_that_may_see_it(web: TestClient, desk: Desk) -> None:
    assert web.get("/complaints", follow_redirects=False).status_code == 303

    log_in(web, desk.officer)
    queue = web.get("/complaints")
    assert queue.status_code == 200
    assert 'data-testid="nav-complaints"' in queue.text and "投诉处理" in queue.text
    assert 'href="/complaints/new"' in queue.text and "登记投诉" in queue.text
    assert 'data-testid="complaint-row"' in queue.text
    overdue = web.get("/complaints?view=overdue").text
    assert f'href="/complaints/{desk.open_case}"' in overdue
    assert 'data-testid="complaint-overdue"' in overdue and "已升级" in overdue
    assert 'data-testid="complaint-row"' not in web.get("/complaints?view=due_soon").text
    assert 'data-testid="complaint-row"' not in web.get("/complaints?status=withdrawn").text
    assert web.get("/complaints?status=alien&view=alien").status_code == 200
    assert web.get("/complaints/new").status_code == 200
    case = web.get(f"/complaints/{desk.open_case}").text
    assert "系统" in case and "overdue" in case  # the sweep's escalation, by the system
    assert 'data-testid="action-investigate"' in case
    assert 'data-testid="action-extend"' not in case  # past the deadline: no extension
    assert web.get("/complaints/reports").status_code == 200
    assert web.get(f"/complaints/{2**31 - 1}", headers=HTML).status_code == 404

    switch_user(web, desk.auditor)
    queue = web.get("/complaints")
    assert queue.status_code == 200 and 'href="/complaints/new"' not in queue.text
    case = web.get(f"/complaints/{desk.open_case}").text
    assert 'data-testid="actions"' not in case and 'data-testid="labels-form"' not in case
    assert 'data-testid="note-form"' not in case and 'data-testid="recovery-form"' not in case
    assert web.get("/complaints/new", headers=HTML).status_code == 403
    refused = post(
        web, f"/complaints/{desk.open_case}/notes", {"text": "审计意见"}, page="/complaints"
    )
    assert refused.status_code == 403

    switch_user(web, desk.analyst)
    assert 'data-testid="nav-complaints"' not in web.get("/customers").text
    for path in ("/complaints", "/complaints/reports", f"/complaints/{desk.open_case}"):
        denied = web.get(path, headers=HTML)
        assert denied.status_code == 403 and "complaints:read" in denied.text


def test_a_recovery_above_the_limit_needs_a_second_person(web: TestClient, desk: Desk) -> None:
    log_in(web, desk.branch_manager)
    case_id = case_id_of(
        post(
            web,
            "/complaints/new",
            {"customer_id": str(desk.customers[6]), "channel": "letter", "text": CASE_TEXT},
            page="/complaints/new",
        )
    )
    refused = post(
        web,
        f"/complaints/{case_id}/recoveries",
        {"kind": "compensation", "amount": "12.345"},
        page=f"/complaints/{case_id}",
    )
    assert refused.status_code == 422 and "请以元为单位填写金额" in refused.text
    assert 'value="12.345"' in refused.text
    proposed = post(
        web,
        f"/complaints/{case_id}/recoveries",
        {"kind": "compensation", "amount": "800", "note": "误工补偿"},
        page=f"/complaints/{case_id}",
    )
    assert proposed.status_code == 303
    page = web.get(f"/complaints/{case_id}").text
    assert "补偿" in page and "¥800.00" in page and "待审批" in page
    assert "需由他人审批（双人复核）" in page
    assert 'data-testid="recovery-approve"' not in page
    recovery_id = re.search(r"/recoveries/(\d+)/decision", page)
    assert recovery_id is None  # no decision form for the maker
    recovery = service_recovery_id(desk, case_id)
    decision = f"/complaints/{case_id}/recoveries/{recovery}/decision"

    by_maker = post(web, decision, {"version": "1", "decision": "approve"}, page="/complaints")
    assert by_maker.status_code == 403
    assert "maker–checker" in by_maker.text and "待审批" in by_maker.text

    switch_user(web, desk.account_manager)
    page = web.get(f"/complaints/{case_id}").text
    assert "等待网点负责人审批" in page and 'data-testid="recovery-approve"' not in page
    no_right = post(web, decision, {"version": "1", "decision": "approve"}, page="/complaints")
    assert no_right.status_code == 403 and "complaints:approve" in no_right.text

    switch_user(web, desk.checker)
    page = web.get(f"/complaints/{case_id}").text
    assert 'data-testid="recovery-approve"' in page
    approved = post(web, decision, {"version": "1", "decision": "approve"}, page="/complaints")
    assert approved.status_code == 303
    page = web.get(f"/complaints/{case_id}").text
    assert "已批准" in page and desk.checker_name in page
    assert 'data-testid="recovery-approve"' not in page
    twice = post(web, decision, {"version": "1", "decision": "reject"}, page="/complaints")
    assert twice.status_code == 409 and "already approved" in twice.text


def service_recovery_id(desk: Desk, case_id: int) -> int:
    engine = make_engine(desk.database_url)
    with Session(engine) as session:
        officer = session.query(StaffUser).filter_by(username=desk.officer).one()
        recoveries = service.get_complaint(session, user=officer, complaint_id=case_id).recoveries
    engine.dispose()
    return recoveries[-1].id


def test_the_case_analysis_shows_figures_and_downloads_excel(web: TestClient, desk: Desk) -> None:
    log_in(web, desk.officer)
    start, end = (day.isoformat() for day in desk.period)
    answer = web.get(f"/complaints/reports?start={start}&end={end}")
    assert answer.status_code == 200
    page = answer.text

    def figure(name: str) -> str:
        found = re.search(rf'data-testid="figure-{name}">([^<]*)<', page)
        assert found, name
        return found.group(1)

    assert figure("cases") == "6" and figure("closed") == "3" and figure("overdue") == "3"
    assert figure("timely") == "66.7 %" and figure("recovery") == "¥200.00"
    assert figure("repeat") == "1" and figure("escalation") == "50.0 %"
    assert "员工未按标准操作" in page and "差距三" in page and "关键少数" in page
    assert f'href="/customers/{desk.customers[0]}"' in page
    assert f'href="/complaints/reports.xlsx?start={start}&amp;end={end}"' in page
    data = json.loads(
        re.search(
            r'<script id="complaints-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert sum(sum(series["counts"]) for series in data["volume"]["series"]) == 6
    assert data["volume"]["series"][0]["name"] == "收费与利息"
    assert data["pareto"] == {
        "labels": ["员工未按标准操作"],
        "cases": [4],
        "cumulative": [100.0],
        "vital": [True],
    }
    assert data["gaps"]["cases"] == [0, 0, 4, 0, 0, 0]
    assert '<script src="/static/js/complaints.js"></script>' in page
    no_inline_script(page)

    default = web.get("/complaints/reports").text
    assert 'data-testid="figure-cases"' in default
    wrong = web.get(f"/complaints/reports?start={end}&end={start}")
    assert wrong.status_code == 422 and "the period ends before it starts" in wrong.text
    assert web.get("/complaints/reports?start=2026-13-01").status_code == 422

    workbook_answer = web.get(f"/complaints/reports.xlsx?start={start}&end={end}")
    assert workbook_answer.status_code == 200
    assert workbook_answer.headers["content-disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(workbook_answer.content), read_only=True)
    assert workbook.sheetnames[0] == "摘要"
    summary = [row for row in workbook["摘要"].iter_rows(values_only=True) if any(row)]
    assert ("案件数", 6) in [tuple(row[:2]) for row in summary]

    web.get("/lang/en?next=/complaints/reports")
    english = web.get(f"/complaints/reports.xlsx?start={start}&end={end}")
    assert load_workbook(io.BytesIO(english.content), read_only=True).sheetnames[0] == "Summary"


def test_the_queue_leads_with_open_cases_and_shows_closed_ones_only_when_asked(
    web: TestClient, desk: Desk
) -> None:
    engine = make_engine(desk.database_url)
    with Session(engine) as session:
        statuses = dict(session.execute(select(Complaint.id, Complaint.status)).tuples().all())
    engine.dispose()
    finished = {case for case, status in statuses.items() if status in FINISHED}
    assert finished and len(finished) < len(statuses)  # the desk closed three of six

    def listed(url: str) -> list[int]:
        page = web.get(url)
        assert page.status_code == 200
        return [
            int(case) for case in re.findall(r'href="/complaints/(\d+)" data-testid', page.text)
        ]

    log_in(web, desk.officer)
    opened = listed("/complaints")
    assert opened and not finished & set(opened)
    assert 'data-testid="tab-open"' in web.get("/complaints").text
    assert listed("/complaints?view=open") == opened
    everything = listed("/complaints?view=all")
    assert sorted(everything) == sorted(statuses)
    # open cases first (earliest deadline first), then the closed and withdrawn ones
    assert everything[: len(opened)] == opened
    assert set(everything[len(opened) :]) == finished
    closed = listed("/complaints?status=closed")
    assert closed and set(closed) <= finished
    assert listed("/complaints?view=alien") == opened


def test_the_queue_downloads_as_excel_on_the_bank_clock_and_is_audited(
    web: TestClient, desk: Desk
) -> None:
    log_in(web, desk.account_manager)
    queue = web.get("/complaints?view=all").text
    assert 'href="/complaints/export.xlsx?view=all&amp;status="' in queue
    answer = web.get("/complaints/export.xlsx?view=all")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="complaints.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None and sheet.title == "投诉处理"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("案件编号", "受理", "答复期限", "已逾期")
    engine = make_engine(desk.database_url)
    with Session(engine) as session:
        cases = {
            case.external_id: case
            for case in session.scalars(select(Complaint).where(Complaint.customer_id.is_not(None)))
        }
        exported = [row[0] for row in rows[1:]]
        assert sorted(exported) == sorted(cases)
        first = cases[str(rows[1][0])]
        # Times are the bank's wall clock (Asia/Shanghai), not the stored UTC; a workbook
        # keeps them to the millisecond.
        written = rows[1][1]
        assert isinstance(written, datetime)
        assert abs(written - clock.bank_wall_time(first.received_at)) < timedelta(seconds=1)
        assert abs(written - clock.as_utc(first.received_at).replace(tzinfo=None)) > timedelta(
            hours=1
        )
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "complaints", AuditEntry.action == AuditAction.EXPORT
            )
        ).one()
        assert sorted(json.loads(entry.after_json or "{}")["complaints"]) == sorted(
            case.id for case in cases.values()
        )
    engine.dispose()

    switch_user(web, desk.analyst)
    assert web.get("/complaints/export.xlsx").status_code == 403


@pytest.mark.parametrize(
    "path", ["/complaints", "/complaints/new", "/complaints/{case}", "/complaints/reports"]
)
def test_pages_in_both_languages_without_inline_script(
    web: TestClient, desk: Desk, path: str
) -> None:
    log_in(web, desk.officer)
    url = path.format(case=desk.open_case)
    chinese = web.get(url).text
    assert 'lang="zh-CN"' in chinese and "投诉处理" in chinese
    web.get(f"/lang/en?next={url}")
    english = web.get(url).text
    assert 'lang="en"' in english and "Complaints" in english
    if path == "/complaints/{case}":
        assert "escalated" in english and "Credit cards" in english and "system" in english
        assert "已升级" in chinese and "信用卡" in chinese
    for html in (chinese, english):
        no_inline_script(html)
        for form in re.findall(r'<form method="post".*?</form>', html, re.S):
            assert 'name="csrf_token"' in form


def test_the_customer_360_lists_the_customers_cases_and_links_to_intake(
    web: TestClient, desk: Desk
) -> None:
    switch_user(web, desk.officer)
    customer = desk.customers[0]
    page = web.get(f"/customers/{customer}").text
    card = page[page.index('data-testid="customer-complaints"') :].split("</ul>")[0]
    assert f'href="/complaints/new?customer_id={customer}"' in card
    engine = make_engine(desk.database_url)
    with Session(engine) as session:
        officer = session.query(StaffUser).filter_by(username=desk.officer).one()
        expected = service.list_complaints(
            session, user=officer, customer_id=customer, page_size=10
        )
    engine.dispose()
    listed = [int(case) for case in re.findall(r'href="/complaints/(\d+)"', card)]
    assert listed
    assert listed == [item.id for item in expected.items]

    switch_user(web, desk.analyst)
    assert 'data-testid="customer-complaints"' not in web.get(f"/customers/{customer}").text
