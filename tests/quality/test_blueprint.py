"""The service blueprint: the shipped file, refused files, and the live figures of its fail
and wait points on the page and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.complaints.models import Complaint
from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    ComplaintChannel,
    InspectionKind,
    Role,
    Severity,
    StandardCategory,
)
from bankcrm.quality.blueprint import (
    LANES,
    BlueprintInvalid,
    PointKind,
    StandardChecks,
    figures,
    linked_standards,
    load_blueprint,
    parse_blueprint,
)
from bankcrm.quality.models import Inspection, InspectionResult, ServiceStandard
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.conftest import SQLITE_ONLY
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

API = "/api/v1/quality/blueprint"
CATALOGUE = {
    "ENV-01", "ENV-02", "ENV-03", "ETQ-01", "ETQ-02", "ETQ-03", "EFF-01", "EFF-02", "EFF-03",
    "PRC-01", "PRC-02", "PRC-03", "PRC-04",
}  # fmt: skip
"""The codes of the shipped standards catalogue."""
ISSUES = frozenset(load_taxonomy().issues)


def _shipped_text() -> str:
    return resources.files("bankcrm.quality").joinpath("data/blueprint.toml").read_text("utf-8")


MINIMAL = """
title = { zh = "蓝图", en = "Blueprint" }

[[steps]]
code = "greeting"
name = { zh = "迎候", en = "Greeting" }
customer = [{ zh = "进入网点", en = "Enters" }]
front_stage = [{ zh = "问好", en = "Greets" }]
back_stage = [{ zh = "检查", en = "Checks" }]
support = [{ zh = "叫号系统", en = "Queue system" }]

[[points]]
code = "late_greeting"
kind = "fail"
step = "greeting"
text = { zh = "未迎候", en = "Not greeted" }
standards = ["ETQ-01"]
issues = ["service_attitude"]
"""


# --- the file ------------------------------------------------------------------------------


def test_the_shipped_blueprint_has_the_branch_flow_and_links_known_codes() -> None:
    blueprint = load_blueprint()
    assert [step.code for step in blueprint.steps] == [
        "greeting",
        "consulting",
        "handling",
        "follow_up",
    ]
    assert blueprint.steps[0].name.zh == "迎候"
    for step in blueprint.steps:
        assert set(step.lanes) == set(LANES)
        assert all(step.lanes[lane] for lane in LANES), step.code
        assert {point.kind for point in blueprint.points_of(step.code)} <= set(PointKind)
    kinds = {point.kind for point in blueprint.points}
    assert kinds == {PointKind.FAIL, PointKind.WAIT}
    assert set(linked_standards(blueprint)) <= CATALOGUE
    assert {issue for point in blueprint.points for issue in point.issues} <= ISSUES
    queue = next(point for point in blueprint.points if point.code == "queue_wait")
    assert (queue.kind, queue.standards, queue.issues) == (
        PointKind.WAIT,
        ("EFF-01",),
        ("waiting_time",),
    )


def test_a_minimal_blueprint_reads() -> None:
    blueprint = parse_blueprint(MINIMAL, issues=ISSUES)
    assert blueprint.title.text("en") == "Blueprint"
    assert blueprint.steps[0].lanes["support"][0].text("zh_CN") == "叫号系统"
    assert blueprint.points_of("greeting")[0].standards == ("ETQ-01",)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        (
            'text = { zh = "未迎候", en = "Not greeted" }',
            'text = { zh = "未迎候" }',
            "points.late_greeting.text",
        ),
        ('back_stage = [{ zh = "检查", en = "Checks" }]', "", "steps.greeting.back_stage"),
        ('step = "greeting"', 'step = "farewell"', "points.late_greeting.step"),
        ('kind = "fail"', 'kind = "broken"', "points.late_greeting.kind"),
        ('standards = ["ETQ-01"]', 'standards = ["greet fast"]', "points.late_greeting.standards"),
        (
            'name = { zh = "迎候", en = "Greeting" }',
            'name = { en = "Greeting" }',
            "steps.greeting.name",
        ),
    ],
)
def test_a_broken_file_names_the_entry(old: str, new: str, named: str) -> None:
    assert old in MINIMAL
    with pytest.raises(BlueprintInvalid, match=re.escape(named)):
        parse_blueprint(MINIMAL.replace(old, new), issues=ISSUES)


def test_an_unknown_complaint_issue_is_refused() -> None:
    broken = MINIMAL.replace('issues = ["service_attitude"]', 'issues = ["rude_staff"]')
    with pytest.raises(BlueprintInvalid, match=r"points\.late_greeting\.issues: 'rude_staff'"):
        parse_blueprint(broken, issues=ISSUES)
    # the same file passes when the bank's own taxonomy has the issue
    assert parse_blueprint(broken, issues=ISSUES | {"rude_staff"}).points[0].issues == (
        "rude_staff",
    )


def test_a_repeated_point_code_and_a_file_that_is_no_toml_are_refused() -> None:
    point = MINIMAL[MINIMAL.index("[[points]]") :]
    with pytest.raises(BlueprintInvalid, match=r"points\.late_greeting: the code is used twice"):
        parse_blueprint(MINIMAL + point, issues=ISSUES)
    with pytest.raises(BlueprintInvalid, match="not a TOML file"):
        parse_blueprint("title = ", issues=ISSUES)
    shipped = tomllib.loads(_shipped_text())
    assert len(shipped["points"]) == len(load_blueprint().points)


def test_figures_count_failed_shares_complaints_and_mark_unknown_standards() -> None:
    blueprint = parse_blueprint(
        MINIMAL.replace('standards = ["ETQ-01"]', 'standards = ["ETQ-01", "ETQ-09"]').replace(
            'issues = ["service_attitude"]', 'issues = ["service_attitude", "waiting_time"]'
        ),
        issues=ISSUES,
    )
    [found] = figures(
        blueprint,
        standards={"ETQ-01": StandardChecks("ETQ-01", "10秒内迎候", None, checked=4, failed=1)},
        complaints={"service_attitude": 3, "waiting_time": 2, "fees_and_interest": 7},
    )
    greet, unknown = found.standards
    assert (greet.in_catalogue, greet.checked, greet.failed, greet.failed_share) == (
        True,
        4,
        1,
        0.25,
    )
    assert greet.title is not None and greet.title.en == "10秒内迎候"
    assert (unknown.code, unknown.in_catalogue, unknown.failed_share) == ("ETQ-09", False, None)
    assert found.complaints == 5


# --- the figures from the records store ----------------------------------------------------


@dataclass
class Planted:
    bank: SmallBank
    reader: dict[str, str]
    outsider: dict[str, str]
    since: date
    until: date


@pytest.fixture
def planted(small_bank: SmallBank, app_settings: str) -> Planted:
    """ETQ-01 failed by two inspections of the period and passed by a third (a fourth, before
    the period, does not count); three staff-attitude complaints in the period, one before."""
    until = date(2026, 6, 30)
    since = date(2026, 1, 1)
    engine = make_engine(app_settings)
    with Session(engine) as session:
        standards = {
            code: ServiceStandard(code=code, category=category, title=title, title_en=title_en)
            for code, category, title, title_en in (
                ("ETQ-01", StandardCategory.ETIQUETTE, "10秒内迎候", "Greet within 10 s"),
                ("ETQ-02", StandardCategory.ETIQUETTE, "统一着装佩戴工牌", "Uniform and badge"),
                ("EFF-01", StandardCategory.EFFICIENCY, "排队不超过15分钟", "Queue ≤ 15 min"),
            )
        }
        session.add_all(standards.values())
        session.flush()
        inspector = factories.staff(session, role=Role.QUALITY_OFFICER)
        for day, greeted in (
            (date(2026, 2, 3), False),
            (date(2026, 6, 30), False),
            (date(2026, 1, 1), True),
            (date(2025, 12, 31), False),
        ):
            inspection = Inspection(
                kind=InspectionKind.SECRET_VISIT,
                branch_id=small_bank.branch_id,
                inspector_id=inspector.id,
                inspected_on=day,
                created_at=datetime.now(UTC),
            )
            inspection.results = [
                InspectionResult(standard_id=standards["ETQ-01"].id, passed=greeted),
                InspectionResult(standard_id=standards["ETQ-02"].id, passed=True),
            ]
            session.add(inspection)
        # bank days in Beijing time: 2026-01-01 00:30 there is still 2025 in UTC
        for number, (issue, received) in enumerate(
            (
                ("service_attitude", datetime(2025, 12, 31, 16, 30, tzinfo=UTC)),
                ("service_attitude", datetime(2026, 3, 10, 2, 0, tzinfo=UTC)),
                ("service_attitude", datetime(2026, 6, 30, 15, 0, tzinfo=UTC)),
                ("service_attitude", datetime(2026, 6, 30, 16, 30, tzinfo=UTC)),
                ("waiting_time", datetime(2025, 12, 31, 15, 0, tzinfo=UTC)),
            )
        ):
            session.add(
                Complaint(
                    external_id=f"C-BP-{number}",
                    customer_id=small_bank.book_a[number],
                    branch_id=small_bank.branch_id,
                    channel=ComplaintChannel.COUNTER,
                    issue=issue,
                    severity=Severity.MEDIUM,
                    text="柜员态度冷淡",
                    received_at=received,
                    deadline_at=received + timedelta(days=15),
                )
            )
        session.commit()
        ids = {name: id_ for name, id_ in session.execute(select(StaffUser.username, StaffUser.id))}
    engine.dispose()

    def bearer(username: str) -> dict[str, str]:
        return factories.api_headers(app_settings, ids[username])

    return Planted(
        bank=small_bank,
        reader=bearer(small_bank.analyst),
        outsider=bearer(small_bank.manager_a),
        since=since,
        until=until,
    )


def _point(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(point for point in body["points"] if point["code"] == code)


def test_the_api_shows_inspections_and_complaints_of_the_period(
    client: TestClient, planted: Planted
) -> None:
    answer = client.get(
        API,
        params={"since": planted.since.isoformat(), "until": planted.until.isoformat()},
        headers=planted.reader,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["since"], body["until"]) == ("2026-01-01", "2026-06-30")
    assert body["lanes"] == list(LANES)
    assert [line["code"] for line in body["lines"]] == [
        "interaction",
        "visibility",
        "internal_interaction",
    ]
    assert body["lines"][1] == {"code": "visibility", "above": "front_stage", "below": "back_stage"}
    late = _point(body, "late_greeting")
    greet, uniform, smile = late["standards"]
    assert greet["code"] == "ETQ-01" and greet["in_catalogue"]
    assert (greet["checked"], greet["failed"]) == (3, 2)
    assert greet["failed_share"] == pytest.approx(2 / 3)
    assert greet["title"] == {"zh": "10秒内迎候", "en": "Greet within 10 s"}
    assert (uniform["checked"], uniform["failed"], uniform["failed_share"]) == (3, 0, 0.0)
    assert (smile["code"], smile["in_catalogue"], smile["checked"]) == ("ETQ-03", False, 0)
    # 2026-01-01 00:30, 03-10 and 06-30 23:00 Beijing time; 07-01 00:30 is after the period
    assert late["complaints"] == 3
    assert late["issues"] == [
        {"code": "service_attitude", "label": {"zh": "服务态度", "en": "Staff attitude"}}
    ]
    queue = _point(body, "queue_wait")
    assert queue["kind"] == "wait"
    assert queue["complaints"] == 0
    [wait] = queue["standards"]
    assert (wait["checked"], wait["failed_share"]) == (0, None)


@SQLITE_ONLY
def test_the_default_period_is_twelve_months_and_bad_periods_are_refused(
    client: TestClient, planted: Planted
) -> None:
    answer = client.get(API, headers=planted.reader)
    assert answer.status_code == 200
    since = date.fromisoformat(answer.json()["since"])
    until = date.fromisoformat(answer.json()["until"])
    assert since.day == 1
    assert (until.year - since.year) * 12 + until.month - since.month == 11
    reversed_period = client.get(
        API, params={"since": "2026-07-01", "until": "2026-06-30"}, headers=planted.reader
    )
    assert reversed_period.status_code == 422
    assert reversed_period.json()["field"] == "until"
    for params in ({"since": "yesterday"}, {"until": "9999-12-31"}, {"since": "0001-01-01"}):
        assert client.get(API, params=params, headers=planted.reader).status_code == 422, params
    assert client.get(API, headers=planted.outsider).status_code == 403


@SQLITE_ONLY
def test_the_page_draws_the_lanes_lines_and_point_figures(
    client: TestClient, planted: Planted
) -> None:
    log_in(client, planted.bank.analyst)
    page = client.get("/quality/blueprint?since=2026-01-01&until=2026-06-30")
    assert page.status_code == 200
    html = page.text
    for testid in (
        "lane-customer",
        "lane-front_stage",
        "lane-back_stage",
        "lane-support",
        "line-interaction",
        "line-visibility",
        "step-greeting",
        "step-follow_up",
    ):
        assert f'data-testid="{testid}"' in html, testid
    # the lines sit between their lanes
    assert (
        html.index('data-testid="lane-customer"')
        < html.index('data-testid="line-interaction"')
        < html.index('data-testid="lane-front_stage"')
        < html.index('data-testid="line-visibility"')
        < html.index('data-testid="lane-back_stage"')
    )
    assert '<link rel="stylesheet" href="/static/css/quality.css">' in html
    assert re.search(r'data-testid="point-late_greeting" data-complaints="3"', html)
    assert re.search(r'class="blueprint-point blueprint-point-fail" data-testid="point-late', html)
    assert re.search(r'class="blueprint-point blueprint-point-wait" data-testid="point-queue', html)
    greet = re.search(
        r'data-testid="standard-late_greeting-ETQ-01" data-checked="(\d+)" data-failed="(\d+)"',
        html,
    )
    assert greet and greet.groups() == ("3", "2")
    assert "66.7 %" in html
    assert "10秒内迎候" in html and "迎候" in html
    missing = html[html.index('data-testid="standard-late_greeting-ETQ-03"') :]
    assert missing.index('data-testid="standard-missing"') < missing.index("</li>")
    # the analyst does not handle complaints: the count is shown without a link to the desk
    assert '<a href="/complaints">' not in html
    assert "<script>" not in html


@SQLITE_ONLY
def test_the_page_links_complaints_for_complaint_readers_and_refuses_a_bad_period(
    client: TestClient, planted: Planted
) -> None:
    log_in(client, planted.bank.branch_manager)
    page = client.get("/quality/blueprint?since=2026-01-01&until=2026-06-30")
    assert page.status_code == 200
    assert re.search(r'<a href="/complaints">3\D', page.text)
    refused = client.get("/quality/blueprint?since=2026-07-01&until=2026-06-30")
    assert refused.status_code == 422
    assert 'data-testid="problem"' in refused.text
    assert 'data-testid="blueprint"' in refused.text
    assert client.get("/quality/blueprint?since=not-a-day").status_code == 422
