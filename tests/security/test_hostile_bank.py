"""The attack suite's widest sweep: a demo bank whose every free-text field holds markup and a
spreadsheet formula, read through every page, export and API route as every role.

Every text column of the schema is written hostile unless it is named below as a code the
software itself reads, so a column added tomorrow is attacked too. What must hold on every
answer: no server error; on a page, nothing from the records becomes a tag, an attribute or a
script, and every JSON island is JSON; in a workbook or CSV, nothing from the records is a
formula."""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal, get_args, get_origin

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Enum, String, Table, Text, select, update
from sqlalchemy.orm import Session

import bankcrm.tables  # noqa: F401  (every table on the metadata)
from bankcrm.audit import recorder as audit_recorder
from bankcrm.core import clock
from bankcrm.core.db import Base, make_engine, reset_caches
from bankcrm.core.enums import AuditAction, WaveStatus
from bankcrm.core.workbook import reads_as_formula
from bankcrm.demo.flows import DemoLogin, build_demo_bank
from bankcrm.ingest.synth import GENERATED_AS_OF
from bankcrm.main import create_app
from tests.web.test_pages import csrf_of

MARKUP = (
    '=HYPERLINK("https://evil.example/","莫")</script><meta http-equiv="refresh" '
    'content="0;url=https://evil.example/"><img src=x onerror=alert(1)>\'"&'
)
"""What a hostile import or an approved correction writes where there is room."""
HOSTILE_BY_ROOM = (
    (len(MARKUP), MARKUP),
    (64, "@1</script><img src=x onerror=alert(1)><meta http-equiv=refresh>"),
    (32, "+1<img src=x onerror=alert(1)>"),
    (16, "-1<svg onload=1>"),
)
TELLTALE = "onerror=alert(1)"

CODES: dict[str, set[str]] = {
    # append-only: the trail gets its hostile text the way it gets any, through the recorder
    "audit_entries": {
        "actor_label",
        "reason",
        "entity",
        "entity_id",
        "before_json",
        "after_json",
        "prev_hash",
        "entry_hash",
    },
    "audit_head": {"last_hash"},
    "login_backoffs": {"username", "address"},
    "staff_sessions": {"key_digest"},
    "staff_users": {"username", "password_hash", "preferred_locale"},
    "survey_invitations": {"token"},
    # codes of the bank's own catalogues (taxonomy, instruments, standards, dimensions):
    # imports and forms take only values the catalogue knows
    "service_standards": {"code"},
    "service_promises": {"product_line"},
    # a bank-authored instrument is checked as TOML when its wave is made
    "survey_waves": {"code", "instrument", "instrument_text"},
    "survey_responses": {"wave"},
    "complaints": {"product_line", "issue", "suggested_product_line", "suggested_issue"}
    | {"root_cause"},
    "improvement_actions": {"dimension"},
    "tasks": {"kind", "source", "source_ref"},
    "accounts": {"currency"},
    "standing_orders": {"purpose"},
    "transactions": {"kind"},
    # a campaign's code is generated (CMP-2026-001) and its contact tasks name it; a plan's
    # sections and 7P answers are keyed by the handbook's section and question codes
    "campaigns": {"code"},
    "marketing_plan_sections": {"code"},
    "marketing_plan_checklist": {"code"},
    # qualifications, service types and clawback rules are codes of the bank's own catalogues;
    # a course code and a ticket number are unique (a ticket number per branch and day)
    "training_courses": {"code", "qualification"},
    "staff_certificates": {"qualification"},
    "staff_kpi_months": {"role"},
    "incentive_clawbacks": {"rule"},
    "queue_tickets": {"number", "service_type"},
    # a job's name, and what a run did as a catalog message that its figures fill
    "job_runs": {"job", "step"},
}
"""Text columns that hold a code the software reads, not text people type or import."""


def _free_text_columns(table: Table) -> Iterator[tuple[str, int | None]]:
    for column in table.columns:
        if isinstance(column.type, Enum) or not isinstance(column.type, String | Text):
            continue
        if column.name == "external_id" or column.name in CODES.get(table.name, set()):
            continue
        yield column.name, getattr(column.type, "length", None)


def _hostile(room: int | None) -> str:
    return next(value for length, value in HOSTILE_BY_ROOM if room is None or length <= room)


def _make_hostile(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    written = []
    with Session(engine) as session:
        audit_recorder.act_as(session, actor_id=None, label=_hostile(100))
        audit_recorder.record(
            session,
            action=AuditAction.READ_PERSONAL,
            entity="customers",
            reason=MARKUP,
            after={"name": MARKUP},
        )
        for table in Base.metadata.sorted_tables:
            values = {name: _hostile(room) for name, room in _free_text_columns(table)}
            if values:
                session.execute(update(table).values(values))
                written += [f"{table.name}.{name}" for name in values]
        session.commit()
    engine.dispose()
    return written


class _Page(HTMLParser):
    """What the browser would build from a page: tags, attributes and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[str] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "meta" and "http-equiv" in named:
            self.faults.append(f"<meta http-equiv={named['http-equiv']}>")
        if tag == "svg" or (tag == "img" and named.get("src") == "x"):
            self.faults.append(f"<{tag}>")
        self.faults += [f"{tag}[{name}]" for name in named if name.startswith("on")]
        if tag == "script":
            self._script, self._script_body = named, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_body.append(data)
        else:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        body = "".join(self._script_body)
        if self._script.get("type") == "application/json":
            try:
                self.text.append(json.dumps(json.loads(body), ensure_ascii=False))
            except json.JSONDecodeError:
                self.faults.append(f"JSON island {self._script.get('id')} is not JSON")
        elif body.strip() or not self._script.get("src"):
            self.faults.append("an inline script")
        self._script = None


@dataclass
class _Sweep:
    crashes: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)
    """Routes whose answer carried hostile text as text: the sweep reached the data."""
    exports: set[str] = field(default_factory=set)

    def read(self, route: str, url: str, content_type: str, body: bytes) -> None:
        if content_type.startswith("text/html"):
            page = _Page()
            page.feed(body.decode())
            self.faults += [f"{url}: {fault}" for fault in page.faults]
            if TELLTALE in "".join(page.text):
                self.shown.add(route)
        elif "spreadsheetml" in content_type:
            self.exports.add(route)
            workbook = load_workbook(io.BytesIO(body))
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            self.faults.append(f"{url}: formula in {sheet.title}!{cell.coordinate}")
                        elif isinstance(cell.value, str) and TELLTALE in cell.value:
                            self.shown.add(route)
        elif content_type.startswith("text/csv"):
            self.exports.add(route)
            for number, row in enumerate(csv.reader(io.StringIO(body.decode("utf-8-sig"))), 1):
                self.faults += [
                    f"{url}: formula in row {number}"
                    for value in row
                    if reads_as_formula(value) and not _is_number(value)
                ]
                if any(TELLTALE in value for value in row):
                    self.shown.add(route)
        elif content_type.startswith("application/json") and TELLTALE in body.decode():
            self.shown.add(route)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _HostileBank:
    database_url: str
    logins: list[DemoLogin]
    written: list[str]
    ids: dict[str, list[str]]


PATH_PARAMETERS = {
    "customer_id": "customers",
    "request_id": "privacy_requests",
    "complaint_id": "complaints",
    "wave_id": "survey_waves",
    "inspection_id": "inspections",
    "action_id": "improvement_actions",
    "product_id": "products",
    "sale_id": "sales",
    "quote_id": "pricing_quotes",
    "rating_id": "corporate_ratings",
    "campaign_id": "campaigns",
    "plan_id": "marketing_plans",
    "prospect_id": "prospects",
    "follow_up_id": "prospect_follow_ups",
    "ticket_id": "queue_tickets",
    "pool_id": "incentive_pools",
    "statement_id": "incentive_statements",
    "certificate_id": "staff_certificates",
    "branch_id": "branches",
    "staff_id": "staff_users",
    "task_id": "tasks",
    "run_id": "job_runs",
}
"""Which table's rows a route's path parameter names; a route with another one fails the sweep
until it is added here."""
OBJECTS_PER_ROUTE = 3


@pytest.fixture(scope="module")
def hostile_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_HostileBank]:
    directory = tmp_path_factory.mktemp("hostile-bank")
    database_url = f"sqlite:///{directory / 'bankcrm.db'}"
    bank = build_demo_bank(
        database_url=database_url,
        work_dir=directory,
        customers=300,
        seed=11,
        as_of=GENERATED_AS_OF,
    )
    written = _make_hostile(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        ids = {
            parameter: [
                str(row_id)
                for row_id in session.scalars(
                    select(Base.metadata.tables[table].c.id)
                    .order_by(Base.metadata.tables[table].c.id)
                    .limit(OBJECTS_PER_ROUTE)
                )
            ]
            for parameter, table in PATH_PARAMETERS.items()
        }
        invitations = Base.metadata.tables["survey_invitations"]
        waves = Base.metadata.tables["survey_waves"]
        ids["token"] = list(
            session.scalars(
                select(invitations.c.token)
                .join(waves, waves.c.id == invitations.c.wave_id)
                .where(
                    invitations.c.completed_at.is_(None),
                    waves.c.status == WaveStatus.OPEN,
                    waves.c.closes_on >= clock.bank_today(),
                )
                .order_by(invitations.c.id.desc())
                .limit(1)
            )
        )
    engine.dispose()
    ids["code"] = ["en"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANKCRM_DATABASE_URL", database_url)
        patch.setenv("BANKCRM_ENVIRONMENT", "test")
        reset_caches()
        yield _HostileBank(database_url, bank.logins, written, ids)
    reset_caches()


def _query_choices(dependant: Dependant) -> dict[str, list[str]]:
    """The query parameters that pick one of a few values (a file format, a grouping)."""
    choices: dict[str, list[str]] = {}
    for parameter in dependant.query_params:
        annotation = parameter.field_info.annotation
        if get_origin(annotation) is Literal:
            choices[parameter.alias] = [str(value) for value in get_args(annotation)]
        elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            choices[parameter.alias] = [str(member.value) for member in annotation]
    for dependency in dependant.dependencies:
        choices |= _query_choices(dependency)
    return choices


@dataclass(frozen=True)
class _Route:
    path: str
    choices: dict[str, list[str]]

    def urls(self, ids: dict[str, list[str]], own_customers: list[str]) -> Iterator[str]:
        parameters = re.findall(r"\{(\w+)\}", self.path)
        paths = [self.path]
        for parameter in parameters:
            values = own_customers if parameter == "customer_id" else ids[parameter]
            paths = [path.replace(f"{{{parameter}}}", value) for path in paths for value in values]
        for path in paths:
            yield path
            for name, values in self.choices.items():
                yield from (f"{path}?{name}={value}" for value in values)


def _get_routes() -> list[_Route]:
    return [
        _Route(context.path, _query_choices(context.route.dependant))
        for context in iter_route_contexts(create_app().routes)
        if isinstance(context.route, APIRoute) and "GET" in (context.methods or ())
    ]


def _log_in(client: TestClient, login: DemoLogin) -> dict[str, str]:
    client.cookies.clear()
    answer = client.post(
        "/login",
        data={
            "username": login.username,
            "password": login.password,
            "csrf_token": csrf_of(client.get("/login").text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    token = client.post(
        "/api/v1/auth/token", data={"username": login.username, "password": login.password}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_every_free_text_field_is_attacked(hostile_bank: _HostileBank) -> None:
    assert {
        "customers.name",
        "branches.name",
        "staff_users.full_name",
        "products.name_zh",
        "complaints.text",
        "complaint_events.text",
        "survey_waves.title",
        "improvement_actions.title",
        "privacy_requests.note",
        "notes.body",
        "inspection_results.note",
    } <= set(hostile_bank.written)


def test_every_route_as_every_role_keeps_hostile_text_data(hostile_bank: _HostileBank) -> None:
    routes = _get_routes()
    unknown = {
        parameter
        for route in routes
        for parameter in re.findall(r"\{(\w+)\}", route.path)
        if parameter not in hostile_bank.ids
    }
    assert unknown == set(), "name the table these path parameters read in PATH_PARAMETERS"
    sweep = _Sweep()
    with TestClient(create_app(), base_url="http://testserver") as client:
        for login in hostile_bank.logins:
            bearer = _log_in(client, login)
            listed = client.get("/api/v1/customers", headers=bearer)
            own_customers = (
                [str(item["id"]) for item in listed.json()["items"][:OBJECTS_PER_ROUTE]]
                if listed.status_code == 200
                else hostile_bank.ids["customer_id"]
            )
            for route in routes:
                for url in route.urls(hostile_bank.ids, own_customers):
                    api = url.startswith("/api/")
                    answer = client.get(
                        url,
                        headers=bearer if api else {"accept": "text/html"},
                        follow_redirects=False,
                    )
                    if answer.status_code >= 500:
                        sweep.crashes.append(f"{login.role} {url}: {answer.status_code}")
                        continue
                    if answer.status_code == 200:
                        sweep.read(
                            route.path, url, answer.headers.get("content-type", ""), answer.content
                        )
    assert sweep.crashes == []
    assert sweep.faults == []
    assert {
        "/customers",
        "/customers/{customer_id}",
        "/segments",
        "/complaints/{complaint_id}",
        "/quality/waves/{wave_id}",
        "/quality/actions/{action_id}",
        "/privacy/{request_id}",
        "/audit",
        "/s/{token}",
    } <= sweep.shown
    assert {
        "/complaints/reports.xlsx",
        "/quality/waves/{wave_id}/report.xlsx",
        "/quality/waves/{wave_id}/links.csv",
        "/privacy/{request_id}/export",
        "/api/v1/privacy/requests/{request_id}/export",
    } <= sweep.exports
