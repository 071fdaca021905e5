"""The case-analysis workbook, read back with openpyxl: sheets, figures, formats, languages."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bankcrm.complaints.analysis import CaseReport, case_report
from bankcrm.complaints.export import MONEY_FORMAT, PERCENT_FORMAT, report_workbook
from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.web.i18n import gettext
from tests.complaints.test_analysis import CASES, END, NOW, START

ENGLISH_SHEETS = [
    "Summary",
    "Monthly volume",
    "Root causes",
    "Timeliness",
    "Recovery cost",
    "Repeat complainants",
]
CHINESE_SHEETS = [
    "摘要",
    gettext("zh_CN", "Monthly volume"),
    "投诉根因",
    gettext("zh_CN", "Timeliness"),
    "补救成本",
    "重复投诉客户",
]


def zh(message: str) -> str:
    """A heading as the Chinese catalog words it (new headings until they are translated)."""
    return gettext("zh_CN", message)


@pytest.fixture(scope="module")
def report() -> CaseReport:
    return case_report(CASES, start=START, end=END, now=NOW, taxonomy=load_taxonomy())


def read(report: CaseReport, locale: str) -> Workbook:
    content = report_workbook(report, taxonomy=load_taxonomy(), locale=locale)
    return load_workbook(io.BytesIO(content))


def row_of(sheet: Worksheet, label: str | int) -> tuple:
    """The first row whose first cell is ``label``, as cells."""
    for row in sheet.iter_rows():
        if row[0].value == label:
            return row
    raise AssertionError(f"no row labelled {label!r} on {sheet.title}")


def test_english_sheets_and_summary_figures(report):
    workbook = read(report, "en")
    assert workbook.sheetnames == ENGLISH_SHEETS
    summary = workbook["Summary"]
    assert summary["A1"].value == "Case analysis"
    assert row_of(summary, "Cases")[1].value == 10
    assert row_of(summary, "Overdue, awaiting reply")[1].value == 1
    timely_rate = row_of(summary, "Timely reply rate")[1]
    assert timely_rate.value == pytest.approx(5 / 7)
    assert timely_rate.number_format == PERCENT_FORMAT
    assert row_of(summary, "Days to first reply (median)")[1].value == pytest.approx(15)
    satisfied = row_of(summary, "Satisfied")
    assert [satisfied[1].value, satisfied[2].value] == [2, pytest.approx(0.4)]
    assert row_of(summary, "Gap 3: service delivery")[1].value == 6


def test_monthly_volume_by_issue(report):
    sheet = read(report, "en")["Monthly volume"]
    assert [cell.value for cell in sheet[1]] == [
        "Issue",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "Total",
    ]
    assert [cell.value for cell in sheet[2]] == ["All cases", 4, 3, 0, 3, 10]
    assert [cell.value for cell in sheet[3]] == ["Fees and interest", 2, 2, 0, 1, 5]
    assert [cell.value for cell in row_of(sheet, "No branch")] == [
        "No branch",
        0,
        1,
        0,
        0,
        1,
    ]
    assert row_of(sheet, "referred by the regulator")[5].value == 1


def test_root_cause_pareto_with_chart(report):
    sheet = read(report, "en")["Root causes"]
    first = [cell.value for cell in sheet[2]]
    assert first == ["Staff did not follow the standard", 3, 4, 0.5, 0.5, "Yes"]
    assert sheet["E2"].number_format == PERCENT_FORMAT
    # The fourth cause, third party, falls outside the vital few and reveals no gap.
    assert [cell.value for cell in sheet[5]] == ["Third party", None, 1, 0.125, 1.0, "No"]
    assert row_of(sheet, "Cases without a root cause yet")[2].value == 2
    assert len(sheet._charts) == 1


def test_timeliness_recovery_and_repeat_sheets(report):
    workbook = read(report, "en")
    east = row_of(workbook["Timeliness"], "East")
    assert [cell.value for cell in east] == ["East", 4, 3, 0.75]
    assert east[3].number_format == PERCENT_FORMAT
    recovery = workbook["Recovery cost"]
    total = row_of(recovery, "Recovery cost (CNY)")[1]
    assert total.value == pytest.approx(670.5)
    assert isinstance(total.value, int | float)
    assert total.number_format == MONEY_FORMAT
    assert row_of(recovery, "Credit cards")[1].value == pytest.approx(470.5)
    assert row_of(recovery, "No branch")[1].value == pytest.approx(300)
    repeat = workbook["Repeat complainants"]
    assert row_of(repeat, "Repeat complainants")[1].value == 3
    assert [cell.value for cell in row_of(repeat, 101)] == [101, 3]


def test_chinese_headings_and_labels(report):
    workbook = read(report, "zh-CN")
    assert workbook.sheetnames == CHINESE_SHEETS
    assert workbook["摘要"]["A1"].value == "投诉案件分析"
    assert row_of(workbook["摘要"], zh("Timely reply rate"))[1].value == pytest.approx(5 / 7)
    volume = workbook[zh("Monthly volume")]
    assert volume["A1"].value == "问题类型"
    assert volume["A3"].value == "收费与利息"
    assert volume["A2"].value == zh("All cases")
    root_causes = workbook["投诉根因"]
    assert [cell.value for cell in root_causes[1]] == [
        "投诉根因",
        zh("Gap"),
        "案件数",
        "占比",
        zh("Cumulative share"),
        zh("Vital few"),
    ]
    assert root_causes["A2"].value == "员工未按标准操作"
    assert root_causes["F2"].value == "是"


def test_an_empty_report_still_makes_a_workbook():
    empty = case_report([], start=START, end=END, now=NOW, taxonomy=load_taxonomy())
    workbook = read(empty, "en")
    assert workbook.sheetnames == ENGLISH_SHEETS
    summary = workbook["Summary"]
    assert row_of(summary, "Cases")[1].value == 0
    assert row_of(summary, "Timely reply rate")[1].value is None
    assert [cell.value for cell in workbook["Monthly volume"][2]] == ["All cases", 0, 0, 0, 0, 0]
    assert workbook["Root causes"]._charts == []
