"""The survey-wave report as a workbook, a PDF, a JSON answer and a page."""

from __future__ import annotations

import io
import re
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import SurveyKind, WaveStatus
from bankcrm.quality.models import SurveyResponse, SurveyWave
from bankcrm.quality.reporting.export import report_pdf, report_workbook
from bankcrm.quality.reporting.report import build_wave_report
from bankcrm.web.i18n import gettext
from tests.conftest import SQLITE_ONLY
from tests.quality.reporting.test_report import Planted, plant_waves
from tests.small_bank import SmallBank, login
from tests.web.test_pages import log_in

HTML = {"accept": "text/html"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zh(message: str) -> str:
    """A heading as the Chinese catalog words it (new headings until they are translated)."""
    return gettext("zh_CN", message)


def _planted(database_url: str) -> Planted:
    engine = make_engine(database_url)
    with Session(engine) as session:
        planted = plant_waves(session)
    engine.dispose()
    return planted


@SQLITE_ONLY
def test_the_workbook_reads_back_with_chinese_headings(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )
    workbook = load_workbook(io.BytesIO(report_workbook(report)))
    assert workbook.sheetnames == [
        "摘要",
        "维度",
        "题项",
        "网点排名",
        zh("Segments and months"),
        "变化",
    ]

    summary = {row[0]: row[1] for row in workbook["摘要"].iter_rows(values_only=True) if row[0]}
    assert summary["有效受访者"] == 6
    assert summary["回收率"] == 0.7
    assert abs(summary["SERVQUAL 得分（不加权）"] - (-6 / 7 - 0.25) / 2) < 1e-9

    dimensions = workbook["维度"]
    assert dimensions["A1"].value == "维度"
    assert dimensions["B1"].value == "差距（P − E）"
    assert (dimensions["A2"].value, dimensions["A3"].value) == ("可靠性", "移情性")
    assert abs(dimensions["B2"].value - (-6 / 7)) < 1e-9
    assert dimensions["B2"].number_format == "0.00"
    assert len(dimensions._charts) == 1

    branches = workbook["网点排名"]
    assert branches["B1"].value == "网点"
    assert branches["B2"].value == planted.branch_b_name
    assert branches["I2"].value == "是"

    change = [row for row in workbook["变化"].iter_rows(values_only=True) if row[0]]
    assert change[0][0] == zh("Previous wave")
    assert "MINI-2025H2" in change[0][1]


@SQLITE_ONLY
def test_the_english_workbook_and_the_empty_wave(session: Session) -> None:
    planted = plant_waves(session)
    english = build_wave_report(session, user=planted.reader, wave_id=planted.current, locale="en")
    workbook = load_workbook(io.BytesIO(report_workbook(english)))
    assert workbook.sheetnames[:3] == ["Summary", "Dimensions", "Items"]
    assert not any(re.search(r"[\u4e00-\u9fff]", name) for name in workbook.sheetnames)
    assert [cell.value for cell in workbook["Dimensions"][1]][:4] == [
        "Dimension",
        "Gap (P − E)",
        "CI low",
        "CI high",
    ]
    assert workbook["Summary"]["A1"].value == "Service quality survey report"
    assert workbook["Dimensions"]["A2"].value == "reliability"
    assert workbook["Items"]["C2"].value == "This bank keeps its promises."

    empty = build_wave_report(session, user=planted.reader, wave_id=planted.empty, locale="zh_CN")
    workbook = load_workbook(io.BytesIO(report_workbook(empty)))
    cells = [row[0] for row in workbook["摘要"].iter_rows(values_only=True)]
    assert zh("Nobody has answered this wave yet.") in cells
    assert workbook["维度"].max_row == 1


@SQLITE_ONLY
def test_the_pdf_text_holds_the_title_the_chinese_dimensions_and_the_score(
    session: Session,
) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )
    content = report_pdf(report)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert reader.pages[0].mediabox.width == 595.2756
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert zh("Service quality survey report") in text
    assert "客户满意度调查 MINI-2026H1" in text
    for name in ("可靠性", "移情性", "网点排名", planted.branch_a_name):
        assert name in text, name
    # SERVQUAL (−6/7 − 0.25) / 2 = −0.554 and the weighted −0.614, to two places
    assert "-0.55" in text
    assert "-0.61" in text

    empty = build_wave_report(session, user=planted.reader, wave_id=planted.empty, locale="en")
    text = PdfReader(io.BytesIO(report_pdf(empty))).pages[0].extract_text()
    assert "Nobody has answered this wave yet." in text


@SQLITE_ONLY
def test_the_pdf_embeds_its_chinese_font(session: Session) -> None:
    planted = plant_waves(session)
    report = build_wave_report(
        session, user=planted.reader, wave_id=planted.current, locale="zh_CN"
    )
    content = report_pdf(report)
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font["/BaseFont"]): font
        for page in reader.pages
        for font in (ref.get_object() for ref in page["/Resources"]["/Font"].values())
    }
    assert fonts
    for name, font in fonts.items():
        # Subsets of the packaged TrueType font, each carried inside the file
        assert re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei-\d+", name), name
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), name
    assert b"STSong" not in content
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert zh("Service quality survey report") in text
    assert "可靠性" in text


@SQLITE_ONLY
def test_the_api_answers_json_workbook_and_pdf(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    planted = _planted(app_settings)
    headers = login(client, small_bank.analyst)
    url = f"/api/v1/quality/waves/{planted.current}/report"

    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["participation"]["respondents"] == 6
    assert body["servqual"]["dimensions"][0]["code"] == "reliability"
    assert body["servqual"]["change"]["previous_code"] == "MINI-2025H2"

    ranked = client.get(url, params={"min_respondents": 3, "locale": "en"}, headers=headers)
    assert ranked.json()["servqual"]["branches"][0]["rank"] == 1

    workbook = client.get(url, params={"format": "xlsx"}, headers=headers)
    assert workbook.status_code == 200
    assert workbook.headers["content-type"] == XLSX
    assert "survey-report-MINI-2026H1.xlsx" in workbook.headers["content-disposition"]
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames[0] == "摘要"

    pdf = client.get(url, params={"format": "pdf", "locale": "en"}, headers=headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        "Service quality survey report"
        in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    )

    empty = client.get(f"/api/v1/quality/waves/{planted.empty}/report", headers=headers)
    assert empty.status_code == 200
    assert empty.json()["servqual"] is None

    assert client.get("/api/v1/quality/waves/99999/report", headers=headers).status_code == 404
    unknown_format = client.get(url, params={"format": "docx"}, headers=headers)
    assert unknown_format.status_code == 422
    manager = login(client, small_bank.manager_a)
    assert client.get(url, headers=manager).status_code == 403


@SQLITE_ONLY
def test_the_report_page_and_its_downloads(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    planted = _planted(app_settings)
    # an analyst reads every branch's answers (a branch manager, their branch's)
    log_in(client, small_bank.analyst)
    page = client.get(f"/quality/waves/{planted.current}/report", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert re.search(r'data-testid="respondents">6<', html)
    assert "可靠性" in html
    assert 'data-testid="too-few"' in html
    assert f'href="/quality/waves/{planted.current}"' in html
    assert 'id="quality-report-data"' in html
    assert "70.0%" in html
    for chart in ("gap-chart", "radar-chart", "trend-chart", "grid-chart"):
        assert f'data-testid="{chart}"' in html
    assert 'data-testid="change-row"' in html

    workbook = client.get(f"/quality/waves/{planted.current}/report.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-type"] == XLSX
    pdf = client.get(f"/quality/waves/{planted.current}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    empty = client.get(f"/quality/waves/{planted.empty}/report", headers=HTML)
    assert empty.status_code == 200
    assert 'data-testid="no-answers"' in empty.text
    assert re.search(r'data-testid="respondents">0<', empty.text)
    assert 'id="quality-report-data"' not in empty.text

    assert client.get("/quality/waves/99999/report", headers=HTML).status_code == 404

    client.get("/lang/en", params={"next": "/x"}, follow_redirects=False)
    english = client.get(f"/quality/waves/{planted.current}/report", headers=HTML)
    assert "<td>reliability</td>" in english.text


@SQLITE_ONLY
def test_the_page_of_an_nps_wave_shows_its_score_and_trend(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        wave = SurveyWave(
            code="NPS-2026Q1",
            title="推荐意愿调查",
            kind=SurveyKind.NPS,
            status=WaveStatus.CLOSED,
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 3, 31),
        )
        session.add(wave)
        session.flush()
        # two promoters, one passive, one detractor: NPS (2 − 1) / 4 = 25
        for number, score in enumerate([10, 9, 7, 3]):
            session.add(
                SurveyResponse(
                    external_id=f"NPS{number}",
                    kind=SurveyKind.NPS,
                    wave=wave.code,
                    answered_on=date(2026, 2, 1 + number),
                    score=score,
                )
            )
        session.commit()
        wave_id = wave.id
    engine.dispose()
    log_in(client, small_bank.analyst)
    page = client.get(f"/quality/waves/{wave_id}/report", headers=HTML)
    assert page.status_code == 200
    assert re.search(r'data-testid="respondents">4<', page.text)
    assert re.search(r'data-testid="satisfaction-score">25\.0<', page.text)
    assert 'data-testid="satisfaction-chart"' in page.text
    assert 'data-testid="gap-chart"' not in page.text
