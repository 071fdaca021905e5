"""Segment API: scoped like the customer list, 4xx with a reason on bad requests."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.segmentation import service
from tests.small_bank import SmallBank, login


def segment(database_url: str, as_of: date) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        service.run_segmentation(
            session,
            settings=Settings(database_url=database_url),
            as_of=as_of,
            engine=AnalyticsEngine.DUCKDB,
        )
        session.commit()
    engine.dispose()


def test_before_any_run_the_api_says_so(client: TestClient, small_bank: SmallBank) -> None:
    answer = client.get("/api/v1/segments/summary", headers=login(client, small_bank.analyst))
    assert answer.status_code == 404
    assert "not run" in answer.json()["detail"]


def test_summary_points_and_segment_follow_the_viewer_scope(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    segment(app_settings, date(2025, 12, 31))
    analyst = login(client, small_bank.analyst)
    manager_a = login(client, small_bank.manager_a)
    manager_b = login(client, small_bank.manager_b)

    everyone = client.get("/api/v1/segments/summary", headers=analyst).json()
    assert everyone["customers"] == 36
    assert sum(everyone["quadrants"].values()) == 36
    assert everyone["as_of"] == "2025-12-31"
    book = client.get("/api/v1/segments/summary", headers=manager_a).json()
    assert book["customers"] == 30
    corporates = client.get(
        "/api/v1/segments/summary", params={"customer_type": "corporate"}, headers=analyst
    ).json()
    assert corporates["customers"] == 6

    points = client.get("/api/v1/segments/points", headers=manager_a).json()
    assert {point["customer_id"] for point in points["points"]} == set(small_bank.book_a)
    sample = client.get("/api/v1/segments/points", params={"limit": 10}, headers=analyst).json()
    assert sample["total"] == 36
    assert 0 < len(sample["points"]) <= 10

    own = client.get(f"/api/v1/customers/{small_bank.book_a[0]}/segment", headers=manager_a)
    assert own.status_code == 200
    body = own.json()
    assert len(body["factors"]) == 7
    assert body["quadrant"] in {"loyal", "problem_1", "problem_2", "ordinary"}
    assert len(body["rfm"]) == 3
    other = client.get(f"/api/v1/customers/{small_bank.book_a[0]}/segment", headers=manager_b)
    assert other.status_code == 404


def test_bad_requests_are_answered_with_a_reason(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    segment(app_settings, date(2025, 12, 31))
    analyst = login(client, small_bank.analyst)
    for url, params in [
        ("/api/v1/segments/summary", {"as_of": "2025-13-01"}),
        ("/api/v1/segments/summary", {"customer_type": "martian"}),
        ("/api/v1/segments/points", {"limit": 0}),
        ("/api/v1/segments/summary", {"branch_id": "0"}),
    ]:
        answer = client.get(url, params=params, headers=analyst)
        assert answer.status_code == 422, (url, params, answer.text)
    missing = client.get(
        "/api/v1/segments/summary", params={"as_of": "2020-01-01"}, headers=analyst
    )
    assert missing.status_code == 404
    assert "2020-01-01" in missing.json()["detail"]
    one_run = client.get("/api/v1/segments/migration", headers=analyst)
    assert one_run.status_code == 404
    assert "two segmentation runs" in one_run.json()["detail"]
    backwards = client.get(
        "/api/v1/segments/migration",
        params={"from": "2025-12-31", "to": "2025-12-31"},
        headers=analyst,
    )
    assert backwards.status_code == 422


def test_migration_lists_transitions_between_two_runs(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    segment(app_settings, date(2025, 6, 1))
    segment(app_settings, date(2025, 12, 31))
    analyst = login(client, small_bank.analyst)
    answer = client.get("/api/v1/segments/migration", headers=analyst)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from_as_of"] == "2025-06-01"
    assert body["to_as_of"] == "2025-12-31"
    assert sum(cell["customers"] for cell in body["transitions"]) == 36
    book = client.get("/api/v1/segments/migration", headers=login(client, small_bank.manager_a))
    assert sum(cell["customers"] for cell in book.json()["transitions"]) == 30
