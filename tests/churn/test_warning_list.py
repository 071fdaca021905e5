"""The warning list as an account manager works it: the owner column, reasons in money and
months, a retention task raised once from a row, the Excel export (in scope, audited,
formula-looking text kept as text), and the model's figures only on the analyst's page."""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.churn import service
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine, AuditAction, ChurnDiagnosis, ChurnMethod
from bankcrm.core.exceptions import NotFound
from bankcrm.customers.models import Customer
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in

AS_OF = date(2026, 9, 30)
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
EVALUATION = {
    "customers": 500,
    "churners": 40,
    "auc": 0.8123,
    "pr_auc": 0.41,
    "top_decile_lift": 3.2,
    "active": None,
    "lead_time": None,
    "lead_time_active": None,
}


def _reasons() -> list[dict[str, float | str | None]]:
    return [
        {
            "feature": "turnover",
            "value": round(math.log1p(12_000), 4),
            "typical": round(math.log1p(30_000), 4),
            "impact": 0.2,
        },
        {"feature": "months_since_last_transaction", "value": 5.0, "typical": 1.0, "impact": 0.1},
        {"feature": "volume_trend", "value": -0.004, "typical": 0.1, "impact": 0.05},
    ]


@dataclass(frozen=True)
class Warned:
    """The small bank with a churn run: three of book A warned, one of book B, one of the
    other branch."""

    book_a: list[int]
    book_b: int
    elsewhere: int
    manager_a_name: str


def _warned(app_settings: str, bank: SmallBank) -> Warned:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        run = ChurnRun(
            as_of=AS_OF,
            engine=AnalyticsEngine.DUCKDB,
            method=ChurnMethod.MODEL,
            customers=40,
            warnings=5,
            threshold=0.5,
            active_threshold=0.3,
            settings={"active_months": 2},
            evaluation=EVALUATION,
            finished_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        session.add(run)
        session.flush()
        warned = [*bank.book_a[:3], bank.book_b[0], bank.other_branch_customer]
        for rank, customer_id in enumerate(warned):
            session.add(
                ChurnScore(
                    run_id=run.id,
                    customer_id=customer_id,
                    probability=0.9 - rank / 100,
                    reasons=_reasons(),
                    diagnosis=ChurnDiagnosis.RELATIONSHIP,
                    decline_months=4,
                    active=True,
                    value_cents=(rank + 1) * 1_000_000,
                )
            )
        formula = session.get(Customer, bank.book_a[1])
        assert formula is not None
        formula.name = FORMULA_NAME
        manager = session.scalars(
            select(StaffUser).where(StaffUser.username == bank.manager_a)
        ).one()
        session.commit()
        result = Warned(
            book_a=bank.book_a[:3],
            book_b=bank.book_b[0],
            elsewhere=bank.other_branch_customer,
            manager_a_name=manager.full_name,
        )
    engine.dispose()
    return result


@pytest.fixture
def warned(app_settings: str, small_bank: SmallBank) -> Warned:
    return _warned(app_settings, small_bank)


def _english(client: TestClient, username: str) -> None:
    log_in(client, username)
    client.get("/lang/en?next=/churn")


def _customers(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/customers/(\d+)" data-testid', html)]


def test_the_manager_sees_owner_reasons_in_money_and_months_and_no_model_figures(
    client: TestClient, small_bank: SmallBank, warned: Warned
) -> None:
    _english(client, small_bank.manager_a)
    page = client.get("/churn")
    assert page.status_code == 200
    # own book only, ranked by probability × value (the third has the highest value)
    assert _customers(page.text) == list(reversed(warned.book_a))
    owners = re.findall(r'data-testid="churn-owner">([^<]*)<', page.text)
    assert owners == [warned.manager_a_name] * 3
    assert "Transactions in the last 12 months ¥12K; similar customers usually ¥30K" in (page.text)
    assert "Last own transaction 5 months ago; similar customers usually 1 month ago" in page.text
    assert "log yuan" not in page.text and "(log" not in page.text
    assert "-0%" not in page.text
    for figure in ("AUC", "Top-decile lift", "PR-AUC", "α", "0.812", "P(alive)"):
        assert figure not in page.text, figure
    assert 'data-testid="churn-model-link"' not in page.text
    assert client.get("/churn/model", follow_redirects=False).status_code == 403


def test_the_analyst_finds_the_figures_on_the_model_page(
    client: TestClient, small_bank: SmallBank, warned: Warned
) -> None:
    _english(client, small_bank.analyst)
    listed = client.get("/churn")
    assert 'data-testid="churn-auc"' not in listed.text
    assert 'href="/churn/model?as_of=2026-09-30"' in listed.text
    # the analyst works no tasks: no task column
    assert 'data-testid="churn-create-task"' not in listed.text
    model = client.get("/churn/model")
    assert model.status_code == 200
    assert 'data-testid="churn-auc">0.812<' in model.text
    assert "Top-decile lift" in model.text


def test_create_retention_task_raises_one_task_and_the_row_shows_it(
    client: TestClient, small_bank: SmallBank, warned: Warned, app_settings: str
) -> None:
    _english(client, small_bank.manager_a)
    page = client.get("/churn?page_size=10")
    assert page.text.count('data-testid="churn-create-task"') == 3
    customer_id = warned.book_a[0]
    form = {"csrf_token": csrf_of(page.text), "as_of": "2026-09-30", "page_size": "10"}
    for _ in range(2):  # a second click (or a stale page) raises no second task
        answer = client.post(
            f"/churn/{customer_id}/retention-task", data=form, follow_redirects=False
        )
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert location.startswith("/churn?as_of=2026-09-30&")
        assert "page_size=10" in location and location.endswith(f"#customer-{customer_id}")
    engine = make_engine(app_settings)
    with Session(engine) as session:
        tasks = session.scalars(select(Task).where(Task.customer_id == customer_id)).all()
        assert len(tasks) == 1
        task = tasks[0]
        assert (task.kind, task.source) == ("retention", "churn")
        assert task.assignee_id is not None and task.created_by_id == task.assignee_id
        assert task.description and "流失概率 90%" in task.description
        created = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "tasks", AuditEntry.entity_id == str(task.id)
            )
        ).all()
        assert created, "the new task is in the audit trail"
    engine.dispose()
    shown = client.get("/churn?page_size=10").text
    assert f'href="/tasks/{task.id}" data-testid="churn-task-link">Retention task open<' in shown
    assert shown.count('data-testid="churn-create-task"') == 2
    # another book's customer is not found, and no task is raised for them
    other = client.post(f"/churn/{warned.book_b}/retention-task", data=form, follow_redirects=False)
    assert other.status_code == 404


def test_the_service_raises_once_and_refuses_a_customer_out_of_scope(
    session: Session, small_bank: SmallBank, app_settings: str
) -> None:
    warned = _warned(app_settings, small_bank)
    manager = session.scalars(
        select(StaffUser).where(StaffUser.username == small_bank.manager_a)
    ).one()
    settings = get_settings()
    first = service.raise_retention_task(
        session, user=manager, customer_id=warned.book_a[2], settings=settings
    )
    again = service.raise_retention_task(
        session, user=manager, customer_id=warned.book_a[2], settings=settings
    )
    assert first[1] is True and again == (first[0], False)
    assert service.retention_tasks(session, user=manager, customer_ids=warned.book_a) == {
        warned.book_a[2]: first[0]
    }
    with pytest.raises(NotFound):
        service.raise_retention_task(
            session, user=manager, customer_id=warned.elsewhere, settings=settings
        )


def _sheet_rows(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_keeps_the_filters_and_scope_is_audited_and_keeps_formulas_text(
    client: TestClient, small_bank: SmallBank, warned: Warned, app_settings: str
) -> None:
    _english(client, small_bank.manager_a)
    page = client.get("/churn")
    link = re.search(r'href="(/churn/export\.xlsx\?[^"]+)" data-testid="churn-export"', page.text)
    assert link and "as_of=2026-09-30" in link.group(1)
    answer = client.get(link.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "churn-warnings.xlsx" in answer.headers["content-disposition"]
    rows = _sheet_rows(answer.content)
    assert rows[0] == (
        "Customer",
        "Customer number",
        "Account manager",
        "Group",
        "Churn probability",
        "Lifetime value (CNY)",
        "Probability × value (CNY)",
        "Main reasons",
        "Diagnosis",
        "Declining for (months)",
    )
    # the manager's own three warnings, in the page's order; nobody of book B or elsewhere
    assert len(rows) == 4
    assert {row[2] for row in rows[1:]} == {warned.manager_a_name}
    assert rows[1][4] == pytest.approx(0.88) and rows[1][5] == 30_000
    assert "Transactions in the last 12 months ¥12K" in str(rows[1][7])
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    formula_cells = [cell for cell in sheet["A"] if cell.value == FORMULA_NAME]
    assert len(formula_cells) == 1
    assert formula_cells[0].data_type == "s" and formula_cells[0].quotePrefix
    assert sheet["E2"].number_format == "0.0%"

    engine = make_engine(app_settings)
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "churn_warnings", AuditEntry.action == AuditAction.EXPORT
            )
        ).all()
    engine.dispose()
    assert len(entries) == 1
    after = json.loads(entries[0].after_json or "{}")
    assert sorted(after["customers"]) == sorted(warned.book_a)
    assert after["as_of"] == "2026-09-30" and after["format"] == "xlsx"


def test_a_branch_managers_export_follows_the_manager_filter(
    client: TestClient, small_bank: SmallBank, warned: Warned, app_settings: str
) -> None:
    _english(client, small_bank.branch_manager)
    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager_b = session.scalars(
            select(StaffUser).where(StaffUser.username == small_bank.manager_b)
        ).one()
    engine.dispose()
    everyone = _sheet_rows(client.get("/churn/export.xlsx").content)
    assert len(everyone) == 5  # the branch's four warnings, not the other branch's
    filtered = _sheet_rows(client.get(f"/churn/export.xlsx?manager_id={manager_b.id}").content)
    assert len(filtered) == 2 and filtered[1][2] == manager_b.full_name
