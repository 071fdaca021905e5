"""Odd values in any query parameter of any GET route are a 4xx or ignored, never a 500
(finding L1: ``branch_id=²`` passed ``str.isdigit`` and crashed ``int``). The routes and their
parameters come from the application's route table, so tomorrow's route is tried too."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.core.pagination import whole_number
from bankcrm.main import create_app
from tests import factories
from tests.conftest import SQLITE_ONLY
from tests.small_bank import SmallBank, login
from tests.web.test_pages import log_in

ODD_VALUES = ("²", "①", "١٢", "９", "-1", "0", "9" * 25, "1e3", " ", "%", "<b>", "\u202e1")


def _query_names(dependant: Dependant) -> set[str]:
    names = {parameter.alias for parameter in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def _routes_with_queries() -> Iterator[tuple[str, set[str]]]:
    for context in iter_route_contexts(create_app().routes):
        route = context.route
        if isinstance(route, APIRoute) and "GET" in (context.methods or ()):
            names = _query_names(route.dependant) - {"next"}
            if names:
                yield context.path.replace("{", "").replace("}", "").replace("_id", "1"), names


def test_the_one_number_parser_takes_ascii_digits_only() -> None:
    assert [whole_number(value) for value in ("7", " 12 ", "2147483647")] == [7, 12, 2147483647]
    assert [whole_number(value) for value in ODD_VALUES] == [None] * len(ODD_VALUES)
    assert whole_number("0", low=0) == 0 and whole_number("2147483648") is None


@SQLITE_ONLY
def test_odd_query_values_never_crash_a_route(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER).username
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR).username
        session.commit()
    engine.dispose()
    routes = dict(_routes_with_queries())
    assert {"/customers", "/segments", "/segments/customers", "/churn"} <= set(routes)
    crashes = []
    for username in (small_bank.analyst, small_bank.branch_manager, officer, auditor):
        client.cookies.clear()
        bearer = login(client, username)
        log_in(client, username)
        for path, names in routes.items():
            for name in sorted(names):
                for value in ODD_VALUES:
                    headers = bearer if path.startswith("/api/") else {"accept": "text/html"}
                    answer = client.get(path, params={name: value}, headers=headers)
                    if answer.status_code >= 500:
                        crashes.append(f"{username} {path}?{name}={value!r}")
    assert crashes == []
