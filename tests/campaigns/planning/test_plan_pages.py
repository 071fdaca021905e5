"""The marketing plan pages: list, create, the plan with its rows and budget methods, the
approval buttons, refusals (no permission, maker–checker, a stale version) and the Excel and
PDF exports with their Chinese text and figures."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.campaigns.planning import service
from bankcrm.campaigns.planning.schemas import PlanCreate
from bankcrm.core.db import make_engine
from bankcrm.staff.models import StaffUser
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in

TITLE = "2027年代发工资客户营销计划"
HTML = {"accept": "text/html"}


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> Any:
    return client.post(action, data={**data, "csrf_token": csrf_of(page)}, follow_redirects=False)


def _version(page: str) -> str:
    return page.split('name="version" value="')[1].split('"')[0]


def _new_plan(client: TestClient, small_bank: SmallBank) -> tuple[int, str]:
    log_in(client, small_bank.analyst)
    listing = client.get("/plans")
    assert listing.status_code == 200 and 'data-testid="new-plan-form"' in listing.text
    created = _post(
        client,
        listing.text,
        "/plans",
        {
            "title": TITLE,
            "branch_id": str(small_bank.branch_id),
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
        },
    )
    assert created.status_code == 303, created.text
    plan_id = int(created.headers["location"].rsplit("/", 1)[1])
    return plan_id, client.get(f"/plans/{plan_id}").text


def test_a_plan_is_drafted_on_the_pages_and_exported(
    client: TestClient, small_bank: SmallBank
) -> None:
    plan_id, page = _new_plan(client, small_bank)
    assert TITLE in page and 'data-testid="section-strategy"' in page
    assert "有形化" in page  # the 7P review, in Chinese from its TOML file

    edit = client.get(f"/plans/{plan_id}/edit")
    assert edit.status_code == 200
    saved = _post(
        client,
        edit.text,
        f"/plans/{plan_id}/edit",
        {
            "version": _version(edit.text),
            "title": TITLE,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "target_new_customers": "800",
            "target_deposits": "30,000,000",
            "summary.summary": "聚焦代发工资客户的存款与理财交叉销售",
            "strategy.physical_evidence": "网点功能分区与宣传折页",
        },
    )
    assert saved.status_code == 303, saved.text
    page = client.get(f"/plans/{plan_id}").text
    assert "聚焦代发工资客户" in page and "¥30,000,000.00" in page

    for action, data in (
        (
            "rows/competitors",
            {"name": "招商银行", "market_share": "18", "promotion_spend": "900,000"},
        ),
        (
            "rows/pest",
            {"factor": "economic", "description": "降息周期", "impact": "4", "likelihood": "5"},
        ),
        ("rows/actions", {"what": "代发单位上门推介", "due_on": "2027-03-01", "cost": "12,000"}),
        ("rows/budget_lines", {"channel": "sms", "activity": "短信提醒", "planned": "8,000"}),
        ("checklist", {"answer.product_layers": "partly", "note.product_layers": "缺附加服务"}),
        (
            "budget",
            {
                "competitor_spend": "900000",
                "competitor_share": "18",
                "own_share": "12",
                "budget_method": "competitive_parity",
            },
        ),
    ):
        answer = _post(
            client, page, f"/plans/{plan_id}/{action}", {"version": _version(page), **data}
        )
        assert answer.status_code == 303, (action, answer.text)
        page = client.get(f"/plans/{plan_id}").text
    assert "招商银行" in page and "降息周期" in page and "代发单位上门推介" in page
    assert 'data-testid="plan-budget">¥600,000.00<' in page
    assert 'data-testid="method-objective_and_task">¥12,000.00<' in page
    assert 'data-testid="planned-total">¥8,000.00<' in page

    workbook = client.get(f"/plans/{plan_id}/export.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert len(book.sheetnames) == 6
    cells = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    assert TITLE in cells and 600000 in cells and "招商银行" in cells

    document = client.get(f"/plans/{plan_id}/export.pdf")
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(document.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert TITLE in text and "600,000.00" in text
    for page in reader.pages:
        for font in (ref.get_object() for ref in page["/Resources"]["/Font"].values()):
            # the packaged CJK font travels inside the file
            assert "WenQuanYiMicroHei" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_approval_on_the_pages_with_its_refusals(client: TestClient, small_bank: SmallBank) -> None:
    plan_id, page = _new_plan(client, small_bank)
    stale_version = _version(page)
    submitted = _post(client, page, f"/plans/{plan_id}/submit", {"version": stale_version})
    assert submitted.status_code == 303
    stale = _post(
        client,
        page,
        f"/plans/{plan_id}/rows/pest",
        {
            "version": stale_version,
            "factor": "social",
            "description": "老龄化",
            "impact": "3",
            "likelihood": "4",
        },
    )
    assert stale.status_code == 409 and 'data-testid="problem"' in stale.text
    client.cookies.clear()

    log_in(client, small_bank.manager_a)
    assert client.get("/plans", headers=HTML).status_code == 403
    client.cookies.clear()

    log_in(client, small_bank.branch_manager)
    page = client.get(f"/plans/{plan_id}").text
    assert 'data-testid="approve-plan"' in page
    assert 'data-testid="new-plan-form"' not in client.get("/plans").text
    returned = _post(
        client, page, f"/plans/{plan_id}/return", {"version": _version(page), "reason": ""}
    )
    assert returned.status_code == 422
    approved = _post(client, page, f"/plans/{plan_id}/approve", {"version": _version(page)})
    assert approved.status_code == 303, approved.text
    client.get("/lang/en?next=/")
    page = client.get(f"/plans/{plan_id}").text
    assert 'data-testid="plan-status">approved<' in page
    assert 'data-testid="approve-plan"' not in page


def test_the_author_may_not_approve_on_the_page(
    app_settings: str, client: TestClient, small_bank: SmallBank
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager = session.scalars(
            select(StaffUser).where(StaffUser.username == small_bank.branch_manager)
        ).one()
        plan = service.create_plan(
            session,
            user=manager,
            data=PlanCreate.model_validate(
                {
                    "title": TITLE,
                    "branch_id": small_bank.branch_id,
                    "period_start": "2027-01-01",
                    "period_end": "2027-06-30",
                }
            ),
        )
        service.submit(session, user=manager, plan_id=plan.id, version=plan.version)
        session.commit()
    engine.dispose()
    log_in(client, small_bank.branch_manager)
    page = client.get(f"/plans/{plan.id}").text
    assert 'data-testid="approve-plan"' not in page
    refused = _post(client, page, f"/plans/{plan.id}/approve", {"version": _version(page)})
    assert refused.status_code == 403 and 'data-testid="problem"' in refused.text
