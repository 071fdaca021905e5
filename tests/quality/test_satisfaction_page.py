"""The satisfaction page and API: CSAT, first-time CSAT, NPS with its interval, monthly
trends and branches from hand-built answers; no answers is a page that says so."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.enums import SurveyKind
from bankcrm.quality.models import SurveyResponse
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.conftest import SQLITE_ONLY
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

API = "/api/v1/quality/satisfaction"
SINCE = date(2026, 3, 1)


@dataclass
class Answers:
    bank: SmallBank
    reader: dict[str, str]
    outsider: dict[str, str]
    main_branch: str
    other_branch: str


def _bearers(session: Session, bank: SmallBank) -> tuple[dict[str, str], dict[str, str]]:
    ids = {name: id_ for name, id_ in session.execute(select(StaffUser.username, StaffUser.id))}
    return (
        factories.bearer(session, ids[bank.analyst]),
        factories.bearer(session, ids[bank.manager_a]),
    )


@pytest.fixture
def answers(small_bank: SmallBank, app_settings: str) -> Answers:
    """CSAT 2 → 5 (one customer, March then April), 4, 3 and an anonymous 5; NPS 10, 9, 9, 7
    and 5; an answer before the period and a SERVQUAL answer that must not count."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        other = factories.branch(session, name="杭州分行")
        main_id = small_bank.branch_id
        first, second, third = small_bank.book_a[:3]
        rows = [
            (SurveyKind.CSAT, first, main_id, date(2026, 3, 5), 2),
            (SurveyKind.CSAT, first, main_id, date(2026, 4, 2), 5),
            (SurveyKind.CSAT, second, main_id, date(2026, 4, 9), 4),
            (SurveyKind.CSAT, third, other.id, date(2026, 3, 20), 3),
            (SurveyKind.CSAT, None, other.id, date(2026, 4, 30), 5),
            (SurveyKind.CSAT, third, other.id, date(2026, 2, 27), 1),
            (SurveyKind.NPS, first, main_id, date(2026, 3, 6), 10),
            (SurveyKind.NPS, second, main_id, date(2026, 3, 7), 9),
            (SurveyKind.NPS, third, other.id, date(2026, 4, 1), 9),
            (SurveyKind.NPS, None, other.id, date(2026, 4, 2), 7),
            (SurveyKind.NPS, None, None, date(2026, 4, 3), 5),
            (SurveyKind.NPS, first, main_id, date(2026, 2, 1), 0),
            (SurveyKind.SERVQUAL, first, main_id, date(2026, 3, 8), None),
        ]
        for number, (kind, customer, branch, day, score) in enumerate(rows):
            session.add(
                SurveyResponse(
                    external_id=f"SAT-{number}",
                    kind=kind,
                    customer_id=customer,
                    branch_id=branch,
                    answered_on=day,
                    score=score,
                    answers={"E1": 6, "P1": 5} if score is None else None,
                )
            )
        session.commit()
        main_name = session.get_one(Branch, main_id).name
        reader, outsider = _bearers(session, small_bank)
        session.commit()
        planted = Answers(small_bank, reader, outsider, main_name, other.name)
    engine.dispose()
    return planted


# the NPS by hand: 3 promoters and 1 detractor of 5 answers
PROMOTERS, DETRACTORS, COUNT = 3 / 5, 1 / 5, 5
NPS = 100 * (PROMOTERS - DETRACTORS)
SPREAD = 100 * 1.959964 * math.sqrt((PROMOTERS + DETRACTORS - (NPS / 100) ** 2) / COUNT)


def test_the_api_computes_csat_first_time_csat_nps_and_branches(
    client: TestClient, answers: Answers
) -> None:
    answer = client.get(API, params={"since": SINCE.isoformat()}, headers=answers.reader)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["since"] == "2026-03-01"
    # 5, 4 and 5 of 2, 5, 4, 3, 5 are satisfied; the mean is 19 / 5
    assert body["csat"] == {"answers": 5, "satisfied": 3, "share": 0.6, "mean": 3.8}
    # first answers: 2 (the customer's March answer), 4, 3; the anonymous answer is left out
    assert body["first_time_csat"]["answers"] == 3
    assert body["first_time_csat"]["satisfied"] == 1
    assert body["first_time_csat"]["share"] == pytest.approx(1 / 3)
    nps = body["nps"]
    assert (nps["answers"], nps["promoters"], nps["passives"], nps["detractors"]) == (5, 3, 1, 1)
    assert nps["score"] == pytest.approx(40.0)
    assert nps["low"] == pytest.approx(NPS - SPREAD, abs=1e-3)
    assert nps["high"] == pytest.approx(NPS + SPREAD, abs=1e-3)
    assert body["monthly"]["csat"] == {
        "months": ["2026-03", "2026-04"],
        "values": [0.0, 1.0],
        "answers": [2, 3],
    }
    # March: 10, 9 → 100; April: 9, 7, 5 → (1 − 1) / 3 = 0
    assert body["monthly"]["nps"]["months"] == ["2026-03", "2026-04"]
    assert body["monthly"]["nps"]["values"] == pytest.approx([100.0, 0.0])
    branches = {row["branch_name"]: row for row in body["branches"]}
    assert list(branches)[-1] is None
    main, other = branches[answers.main_branch], branches[answers.other_branch]
    assert (main["csat"]["answers"], main["csat"]["share"]) == (3, pytest.approx(2 / 3))
    assert (other["csat"]["answers"], other["csat"]["share"]) == (2, 0.5)
    assert (main["nps"]["answers"], main["nps"]["score"]) == (2, 100.0)
    assert (other["nps"]["answers"], other["nps"]["score"]) == (2, 50.0)
    nowhere = branches[None]
    assert (nowhere["csat"]["answers"], nowhere["nps"]["answers"]) == (0, 1)
    assert nowhere["nps"]["score"] == -100.0 and nowhere["nps"]["low"] is None


@SQLITE_ONLY
def test_the_api_refuses_bad_days_and_roles_without_quality_read(
    client: TestClient, answers: Answers
) -> None:
    assert client.get(API, params={"since": "March"}, headers=answers.reader).status_code == 422
    far = client.get(API, params={"since": "0001-01-01"}, headers=answers.reader)
    assert far.status_code == 422 and far.json()["field"] == "since"
    assert client.get(API, headers=answers.outsider).status_code == 403
    # the default period (twelve months up to today) starts on the first of a month
    default = client.get(API, headers=answers.reader)
    assert default.status_code == 200
    assert date.fromisoformat(default.json()["since"]).day == 1


@SQLITE_ONLY
def test_the_page_shows_the_figures_trends_and_branches(
    client: TestClient, answers: Answers
) -> None:
    log_in(client, answers.bank.analyst)
    page = client.get("/quality/satisfaction?since=2026-03-01")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'data-testid="figure-csat">60\.0 %<', html)
    assert re.search(r'data-testid="figure-first-time">33\.3 %<', html)
    assert re.search(r'data-testid="figure-nps">40\.0<', html)
    assert re.search(r'data-testid="figure-nps-answers">5<', html)
    assert f"{NPS - SPREAD:.1f}" in html and f"{NPS + SPREAD:.1f}" in html
    assert html.count('data-testid="branch-row"') == 3
    row = html[html.index(answers.other_branch) :]
    assert re.search(r"50\.0 %</td>", row[: row.index("</tr>")])
    block = re.search(
        r'<script id="quality-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert block
    chart = json.loads(block.group(1))
    assert chart["csat"] == {
        "months": ["2026-03", "2026-04"],
        "values": [0.0, 100.0],
        "answers": [2, 3],
    }
    assert chart["nps"]["values"] == [100.0, 0.0]
    assert '<script src="/static/js/quality.js"></script>' in html
    assert 'data-testid="no-answers"' not in html


@SQLITE_ONLY
def test_no_answers_is_a_page_that_says_so(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    log_in(client, small_bank.analyst)
    page = client.get("/quality/satisfaction")
    assert page.status_code == 200
    assert 'data-testid="no-answers"' in page.text
    assert "quality-data" not in page.text
    engine = make_engine(app_settings)
    with Session(engine) as session:
        reader, _ = _bearers(session, small_bank)
        session.commit()
    engine.dispose()
    body = client.get(API, headers=reader).json()
    assert body["csat"] == {"answers": 0, "satisfied": 0, "share": None, "mean": None}
    assert body["nps"]["score"] is None and body["branches"] == []
    assert body["monthly"]["nps"] == {"months": [], "values": [], "answers": []}


@SQLITE_ONLY
def test_a_bad_day_on_the_page_is_refused_with_the_default_period(
    client: TestClient, answers: Answers
) -> None:
    log_in(client, answers.bank.analyst)
    page = client.get("/quality/satisfaction?since=2026-13-01")
    assert page.status_code == 422
    assert 'data-testid="problem"' in page.text
    log_in(client, answers.bank.manager_a)
    assert client.get("/quality/satisfaction").status_code == 403
