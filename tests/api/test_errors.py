"""The answers no endpoint gives on purpose: a write that lost a race, an unexpected error."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.main import create_app


def _app_with_failing_routes() -> TestClient:
    app = create_app()

    @app.get("/api/v1/test-stale")
    def stale() -> None:
        raise StaleDataError("UPDATE statement on table 'privacy_requests' matched 0 rows")

    @app.get("/api/v1/test-crash")
    def crash() -> None:
        raise RuntimeError("boom")

    return TestClient(app, raise_server_exceptions=False)


def test_a_write_that_lost_a_race_is_a_conflict_with_a_reason(app_settings: str) -> None:
    answer = _app_with_failing_routes().get("/api/v1/test-stale")
    assert answer.status_code == 409
    assert "someone else changed this record" in answer.json()["detail"]


def test_an_unexpected_error_keeps_the_security_headers_and_hides_the_cause(
    app_settings: str,
) -> None:
    answer = _app_with_failing_routes().get("/api/v1/test-crash")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal error"}
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
