"""A survey wave end to end in headless Chromium: a customer answers through the one-time
link in Chinese without logging in, cannot answer twice, and the wave report counts them."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import SurveyKind, WaveStatus
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.quality.models import SurveyInvitation, SurveyWave
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def _fresh_invitation(demo: ServedDemo) -> tuple[int, str]:
    """An open SERVQUAL wave's invitation nobody has opened, from the served demo's database."""
    engine = make_engine(f"sqlite:///{demo.directory / 'bankcrm.db'}")
    try:
        with Session(engine) as session:
            statement = (
                select(SurveyInvitation.wave_id, SurveyInvitation.token)
                .join(SurveyWave, SurveyWave.id == SurveyInvitation.wave_id)
                .where(
                    SurveyWave.kind == SurveyKind.SERVQUAL,
                    SurveyWave.status == WaveStatus.OPEN,
                    SurveyInvitation.completed_at.is_(None),
                    SurveyInvitation.opened_at.is_(None),
                )
                .order_by(SurveyInvitation.id)
            )
            found = session.execute(statement).first()
            assert found is not None, "the demo has an open SERVQUAL wave with fresh invitations"
            return int(found[0]), str(found[1])
    finally:
        engine.dispose()


def _respondents(page: Any, demo: ServedDemo, wave_id: int) -> int:
    page.goto(f"{demo.base_url}/quality/waves/{wave_id}/report")
    return int(re.sub(r"\D", "", page.get_by_test_id("respondents").first.inner_text()))


def _answer(survey: Any, key: str, point: int) -> None:
    survey.locator(f"label[for='{key}-{point}']").click()


def test_a_customer_answers_once_in_chinese_and_the_report_counts_them(
    page: Any, browser: Any, served_demo: ServedDemo
) -> None:
    wave_id, token = _fresh_invitation(served_demo)
    log_in(page, served_demo, served_demo.login_for("quality_officer"))
    page.goto(f"{served_demo.base_url}/customers")
    before = _respondents(page, served_demo, wave_id)

    # the respondent: a phone-sized browser with no login
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    survey = context.new_page()
    try:
        link = f"{served_demo.base_url}/s/{token}"
        survey.goto(link)
        instrument = shipped_instrument("servqual_bank")
        assert survey.locator("html").get_attribute("lang") == "zh-CN"
        assert survey.get_by_test_id("expectation-text-1").inner_text() == (
            instrument.items[0].expectation.text("zh")
        )
        assert survey.get_by_test_id("current-user").count() == 0

        _answer(survey, "E1", 7)
        _answer(survey, "P1", 3)
        survey.get_by_test_id("save-draft").click()
        survey.get_by_test_id("draft-saved").wait_for()
        survey.goto(link)
        assert survey.locator("#E1-7").is_checked()
        assert survey.locator("#P1-3").is_checked()

        for item in instrument.items:
            _answer(survey, f"E{item.number}", 6)
            perception = 4 if item.dimension == "responsiveness" else 5
            _answer(survey, f"P{item.number}", perception)
        survey.locator("#W_reliability").fill("40")
        survey.locator("#W_responsiveness").fill("30")
        survey.locator("#W_tangibles").fill("10")
        survey.locator("#W_assurance").fill("10")
        survey.locator("#W_empathy").fill("10")
        snap(survey, "survey-respondent-zh")
        survey.get_by_test_id("submit-survey").click()
        notice = survey.get_by_test_id("survey-notice")
        notice.wait_for()
        assert notice.get_attribute("data-notice") == "thanks"

        survey.goto(link)
        assert survey.get_by_test_id("survey-notice").get_attribute("data-notice") == "answered"
        snap(survey, "survey-answered-zh")
    finally:
        context.close()

    # a direct post on the used link, with a valid form token, is refused
    with httpx.Client(base_url=served_demo.base_url, headers={"accept": "text/html"}) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf
        refused = client.post(f"/s/{token}", data={"csrf_token": csrf.group(1), "E1": "1"})
    assert refused.status_code == 409
    assert _respondents(page, served_demo, wave_id) == before + 1
