"""The KPI pages on the hand-built bank: an account manager's own month with its figures and
trend data, a branch manager's ranking and roll-up with a person's page, and the people
turned away."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.staff.performance import service
from tests.staff.performance import bank as kpi_bank
from tests.staff.performance.bank import MONTH, KpiBank
from tests.staff.performance.test_service import hand_bank  # noqa: F401  (fixture)
from tests.web.test_pages import log_in


@pytest.fixture
def computed(hand_bank: KpiBank, app_settings: str) -> KpiBank:  # noqa: F811
    engine = make_engine(app_settings)
    with Session(engine) as session:
        service.compute_month(session, month=MONTH, rules=kpi_bank.rules())
        session.commit()
    engine.dispose()
    return hand_bank


def _cell(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', page, re.S)
    assert found is not None, testid
    return found.group(1).strip()


def _chart(page: str) -> dict[str, object]:
    island = re.search(r'<script id="kpi-trend-data" type="application/json">(.*?)</script>', page)
    assert island is not None
    return json.loads(island.group(1))


def test_an_account_manager_reads_their_own_month(client: TestClient, computed: KpiBank) -> None:
    log_in(client, computed.usernames[computed.manager_a])
    page = client.get("/performance", params={"month": "2026-02"})
    assert page.status_code == 200
    assert _cell(page.text, "kpi-person") == computed.names[computed.manager_a]
    assert "1,860,000.00" in _cell(page.text, "kpi-volume-figure")
    assert _cell(page.text, "kpi-retention-figure") == "66.7 %"
    assert _cell(page.text, "kpi-complaints-figure") == "3"
    assert _cell(page.text, "kpi-volume-attainment") == "93.0 %"
    assert _cell(page.text, "kpi-score") == "93.9"
    assert 'data-testid="kpi-ranking"' not in page.text
    assert 'data-testid="branch-rollup"' not in page.text
    chart = _chart(page.text)
    series = {item["type"]: item["data"] for item in chart["series"]}  # type: ignore[attr-defined]
    assert series["bar"] == [1_860_000.0]
    assert series["line"] == [pytest.approx(93.8667)]
    assert chart["xAxis"] == {"type": "category", "data": ["2026-02"]}
    assert 'href="/performance"' in page.text
    other = client.get(f"/performance/staff/{computed.manager_b}")
    assert other.status_code == 404


def test_a_branch_manager_sees_the_ranking_and_opens_one_person(
    client: TestClient, computed: KpiBank
) -> None:
    log_in(client, computed.usernames[computed.branch_manager])
    page = client.get("/performance", params={"month": "2026-02"})
    assert page.status_code == 200
    ranking = re.findall(r'data-testid="ranking-(\d+)"', page.text)
    assert [int(staff) for staff in ranking][:2] == [computed.manager_b, computed.manager_a]
    assert computed.names[computed.manager_a] in page.text
    assert computed.names[computed.manager_c] not in page.text
    assert "4,860,000.00" in page.text
    person = client.get(f"/performance/staff/{computed.manager_a}", params={"month": "2026-02"})
    assert person.status_code == 200
    assert _cell(person.text, "kpi-person") == computed.names[computed.manager_a]
    assert "1,860,000.00" in _cell(person.text, "kpi-volume-figure")
    assert client.get(f"/performance/staff/{computed.manager_c}").status_code == 404


def test_the_month_must_be_a_month(client: TestClient, computed: KpiBank) -> None:
    log_in(client, computed.usernames[computed.manager_a])
    assert client.get("/performance", params={"month": "2026-2"}).status_code == 422
