"""Text from the records is never a formula in an export (finding M3: complaint text
``=HYPERLINK(…)`` became a live formula in the access-request workbook). Every workbook row goes
through ``append_row``, every CSV value from the records through ``csv_cell``."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

import bankcrm
from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.workbook import FORMULA_LEADS, append_row, csv_cell
from bankcrm.customers.models import Customer
from bankcrm.quality.models import SurveyWave
from bankcrm.quality.reporting.export import report_workbook
from bankcrm.quality.reporting.report import build_wave_report
from bankcrm.segmentation.service import export_segments
from tests.api.test_segments import segment
from tests.conftest import SQLITE_ONLY
from tests.privacy.test_pages import access_form, register_ok
from tests.quality.reporting.test_report import plant_waves
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

SOURCE = Path(bankcrm.__file__).resolve().parent
FORMULAS = {
    "name": '=HYPERLINK("https://evil.example/","王")',
    "nickname": "+1+cmd|' /C calc'!A0",
    "occupation": "-2+3",
    "interests": "@SUM(1,1)",
    "primary_address": "\t=1+1",
}


def _live_formulas(workbook: Workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _texts(workbook: Workbook) -> set[str]:
    return {
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_a_row_with_formula_leads_is_written_as_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    values = [f"{lead}1+1" for lead in FORMULA_LEADS]
    append_row(sheet, [*values, "plain", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reread = load_workbook(io.BytesIO(buffer.getvalue()))
    assert _live_formulas(reread) == []
    cells = next(reread.worksheets[0].iter_rows())
    # XML keeps a carriage return as a line feed
    assert [cell.value for cell in cells[: len(values)]] == [
        value.replace("\r", "\n") for value in values
    ]
    assert all(cell.quotePrefix for cell in cells[: len(values)])
    assert not cells[-2].quotePrefix and cells[-1].value == 3
    assert [csv_cell(value) for value in ("=1", "-1", "1", 5)] == ["'=1", "'-1", "1", 5]


def test_the_access_request_workbook_keeps_hostile_profile_text_as_text(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[3]
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(update(Customer).where(Customer.id == customer_id).values(**FORMULAS))
        session.commit()
    engine.dispose()
    log_in(client, small_bank.manager_a)
    request_id = register_ok(client, access_form(customer_id))
    answer = client.get(f"/privacy/{request_id}/export?format=xlsx")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.content))
    assert _live_formulas(workbook) == []
    assert set(FORMULAS.values()) <= _texts(workbook)


@SQLITE_ONLY
def test_the_survey_report_workbook_keeps_hostile_titles_and_branch_names_as_text(
    session: Session,
) -> None:
    planted = plant_waves(session)
    session.execute(
        update(SurveyWave).where(SurveyWave.id == planted.current).values(title=FORMULAS["name"])
    )
    session.execute(
        update(Branch).where(Branch.id == planted.branch_b).values(name=FORMULAS["interests"])
    )
    session.commit()
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )
    workbook = load_workbook(io.BytesIO(report_workbook(report)))
    assert _live_formulas(workbook) == []
    assert {FORMULAS["name"], FORMULAS["interests"]} <= _texts(workbook)


@SQLITE_ONLY
def test_the_segment_export_quotes_a_customer_number_that_reads_as_a_formula(
    small_bank: SmallBank, app_settings: str, tmp_path: Path
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer).where(Customer.id == small_bank.book_a[0]).values(external_id="=1+1")
        )
        session.commit()
    engine.dispose()
    segment(app_settings, date(2025, 12, 31))
    engine = make_engine(app_settings)
    with Session(engine) as session:
        export_segments(session, as_of=date(2025, 12, 31), out=tmp_path / "out" / "segments.csv")
    engine.dispose()
    with (tmp_path / "out" / "segments.csv").open(encoding="utf-8", newline="") as handle:
        numbers = {row["customer_id"] for row in csv.DictReader(handle)}
    assert "'=1+1" in numbers and "=1+1" not in numbers


def test_no_export_writes_a_worksheet_row_or_cell_itself() -> None:
    """Rows enter workbooks only through ``core.workbook.append_row``, which neutralises
    formula leads; a direct ``sheet.append`` or ``cell.value =`` would bypass it."""
    bypasses = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "workbook.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if "openpyxl" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"sheet", "profile", "worksheet", "ws"}
            ) or (
                isinstance(node, ast.Assign)
                and any(
                    isinstance(target, ast.Attribute) and target.attr == "value"
                    for target in node.targets
                )
            ):
                bypasses.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert bypasses == []
