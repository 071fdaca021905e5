"""The load test's virtual staff (bench/locustfile.py) still find their way through the pages
that ``make loadtest`` measures, on the served demo bank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.loadtest import read_failures, read_figures, run_locust

from tests.web.conftest import ServedDemo

USERS = 10


@pytest.mark.slow
def test_every_role_works_through_its_pages_without_an_error(
    served_demo: ServedDemo, tmp_path: Path
) -> None:
    logins = tmp_path / "logins.json"
    logins.write_text(json.dumps({"logins": served_demo.logins}), encoding="utf-8")

    prefix = run_locust(tmp_path, served_demo.base_url, logins, users=USERS, seconds=10)

    routes, total = read_figures(prefix)
    assert read_failures(prefix) == []
    assert total.failures == 0
    by_name = {route.name: route for route in routes}
    assert by_name["POST /login"].requests == USERS
    assert by_name["GET /customers"].requests >= USERS
    assert total.requests > 3 * USERS


def test_only_this_machine_is_a_target(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        run_locust(tmp_path, "http://example.com:80", tmp_path / "logins.json", users=1, seconds=1)
