"""The survey-wave report of the demo bank in headless Chromium, in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.quality.models import SurveyWave
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

DEMO_WAVES = ("SERVQUAL-2025H2", "SERVQUAL-2026H1")


def _demo_wave_ids(demo: ServedDemo) -> dict[str, int]:
    """The demo's closed SERVQUAL waves, the generated answers' waves."""
    engine = make_engine(f"sqlite:///{demo.directory / 'bankcrm.db'}")
    with Session(engine) as session:
        rows = session.execute(
            select(SurveyWave.code, SurveyWave.id).where(SurveyWave.code.in_(DEMO_WAVES))
        )
        ids = {code: wave_id for code, wave_id in rows}
    engine.dispose()
    assert set(ids) == set(DEMO_WAVES)
    return ids


def test_the_wave_report_draws_its_charts_and_downloads(page: Any, served_demo: ServedDemo) -> None:
    waves = _demo_wave_ids(served_demo)
    log_in(page, served_demo, served_demo.login_for("quality_officer"))
    page.goto(f"{served_demo.base_url}/customers")
    page.goto(f"{served_demo.base_url}/quality/waves/{waves['SERVQUAL-2026H1']}/report")
    assert int(page.get_by_test_id("respondents").inner_text()) >= 1
    assert page.get_by_test_id("servqual-unweighted").inner_text().startswith("-")
    for chart in ("gap-chart", "radar-chart", "trend-chart", "grid-chart"):
        # ECharts draws into a canvas inside the container once the data block is read
        page.get_by_test_id(chart).locator("canvas").first.wait_for()
    assert page.get_by_test_id("dimension-row").count() == 5
    assert page.get_by_test_id("item-row").count() == 22
    assert page.get_by_test_id("branch-row").count() >= 1
    # the other demo wave opened first, so this one is compared with it
    assert page.get_by_test_id("change-row").count() == 6
    assert "响应性" in page.get_by_test_id("dimension-table").inner_text()
    snap(page, "quality-report-zh")

    with page.expect_download() as workbook:
        page.get_by_test_id("export-xlsx").click()
    assert workbook.value.suggested_filename == "survey-report-SERVQUAL-2026H1.xlsx"
    with page.expect_download() as pdf:
        page.get_by_test_id("export-pdf").click()
    assert pdf.value.suggested_filename == "survey-report-SERVQUAL-2026H1.pdf"
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"

    page.get_by_test_id("back-to-wave").wait_for()
    assert page.get_by_test_id("back-to-wave").get_attribute("href") == (
        f"/quality/waves/{waves['SERVQUAL-2026H1']}"
    )
