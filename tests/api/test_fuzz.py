"""Schemathesis fuzzes every operation of the OpenAPI document, logged in as each role.

The document is the one the application serves at ``/api/v1/openapi.json``. Every generated
request, valid and invalid, is sent once with a bearer token of each of the six roles, to one
bank with data in it (two branches and three books with two years of transactions, a finished
segmentation, CLV and churn run, privacy requests of every kind, an audit trail, and number 1
of every case the quality and complaint operations act on: ``tests/casework.py``), so the
reading endpoints answer with data and the writing ones (reveal, privacy requests, complaint
actions and recoveries, waves, standards, inspections, actions, promises) reach the code
behind the lookup. A failure names the role it was sent as.

Checks: no answer is a server error; every status code is one the document declares for the
operation; every answer matches the schema declared for its status code.

In CI the fuzzing phase runs ``CI_EXAMPLES`` derandomised examples per operation on SQLite
and on PostgreSQL (``make test`` starts a server), so every run sends the same requests;
the module takes about 70 s on one worker, half of it per database.
For a longer hunt set ``BANKCRM_FUZZ_EXAMPLES``: that many examples per operation, randomly
seeded (each run explores new inputs), plus Schemathesis' coverage phase (every boundary and
every kind of invalid value the document allows one to derive, a few hundred requests per
operation and role), on both databases::

    BANKCRM_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/api/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis import Case
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from sqlalchemy.orm import Session

from bankcrm.api import API_PREFIX
from bankcrm.churn import service as churn_service
from bankcrm.clv import service as clv_service
from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import AnalyticsEngine, CustomerType, PrivacyRequestKind, Role
from bankcrm.core.migrate import upgrade
from bankcrm.customers import service as customers_service
from bankcrm.customers.models import Customer
from bankcrm.main import create_app
from bankcrm.privacy import service as privacy_service
from bankcrm.segmentation import service as segmentation_service
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.casework import open_casework
from tests.conftest import _drop_postgres_database, _fresh_postgres_database
from tests.small_bank import SmallBank, login

EXAMPLES_VARIABLE = "BANKCRM_FUZZ_EXAMPLES"
CI_EXAMPLES = 10
LONG_RUN_EXAMPLES = os.environ.get(EXAMPLES_VARIABLE)
IS_LONG_RUN = LONG_RUN_EXAMPLES is not None
AS_OF = date(2026, 9, 30)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# One worker builds the bank once for every operation (``make test`` runs ``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("api-fuzz")

# The document depends on neither settings nor data, so it is read once, at collection;
# the settings read to build that app are forgotten, not to leak into other tests.
schema = schemathesis.openapi.from_asgi(
    f"{API_PREFIX}/openapi.json",
    create_app(),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": IS_LONG_RUN}}}),
)
reset_caches()


@dataclass
class FuzzBank:
    app: FastAPI
    headers: dict[Role, dict[str, str]]


def _book(session: Session, *, branch_id: int, manager_id: int, size: int) -> list[Customer]:
    """Customers with two years of transactions, some more often than others, so that
    segmentation, lifetime value and churn all have something to fit."""
    product = factories.product(session)
    customers = []
    for index in range(size):
        customer = factories.customer(
            session,
            branch_id=branch_id,
            manager_id=manager_id,
            customer_type=CustomerType.CORPORATE if index % 5 == 0 else CustomerType.INDIVIDUAL,
        )
        account = factories.account(session, customer=customer, product_id=product.id)
        for month in range(0, 24, 1 + customer.id % 3):
            factories.transaction(
                session,
                account=account,
                amount_cents=10_000 + 100 * customer.id,
                booked_at=datetime(2024, 10, 5, tzinfo=UTC) + timedelta(days=30 * month),
            )
        customers.append(customer)
    return customers


def _open_bank(session: Session) -> dict[Role, StaffUser]:
    main = factories.branch(session)
    other = factories.branch(session, name="杭州分行")
    manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    colleague = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=main.id)
    elsewhere = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=other.id)
    users = {
        Role.ADMIN: factories.staff(session, role=Role.ADMIN),
        Role.MARKETING_ANALYST: factories.staff(session, role=Role.MARKETING_ANALYST),
        Role.ACCOUNT_MANAGER: manager,
        Role.BRANCH_MANAGER: factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=main.id),
        Role.QUALITY_OFFICER: factories.staff(session, role=Role.QUALITY_OFFICER),
        Role.COMPLIANCE_AUDITOR: factories.staff(session, role=Role.COMPLIANCE_AUDITOR),
    }
    own = _book(session, branch_id=main.id, manager_id=manager.id, size=30)
    _book(session, branch_id=main.id, manager_id=colleague.id, size=5)
    outside = _book(session, branch_id=other.id, manager_id=elsewhere.id, size=3)
    # Registered by the account manager, so that the checker roles may decide them, and one
    # in the other branch, which the account and branch managers must not see.
    for maker, customer, kind in (
        (manager, own[0], PrivacyRequestKind.ACCESS),
        (manager, own[1], PrivacyRequestKind.CORRECTION),
        (manager, own[2], PrivacyRequestKind.DELETION),
        (users[Role.COMPLIANCE_AUDITOR], outside[0], PrivacyRequestKind.CORRECTION),
    ):
        privacy_service.create_request(
            session,
            user=maker,
            customer_id=customer.id,
            kind=kind,
            note="客户来电",
            reason="客户书面申请,已核验身份" if kind is PrivacyRequestKind.ACCESS else None,
            corrections={"occupation": "教师"} if kind is PrivacyRequestKind.CORRECTION else None,
        )
    customers_service.reveal_personal_data(
        session, user=users[Role.QUALITY_OFFICER], customer_id=own[3].id, reason="回访核实身份"
    )
    open_casework(
        session,
        officer=users[Role.QUALITY_OFFICER],
        customer_ids=[own[4].id, own[5].id],
        branch_id=main.id,
    )
    return users


def _analyse(session: Session) -> None:
    for job in (
        segmentation_service.run_segmentation,
        clv_service.run_clv,
        churn_service.run_churn,
    ):
        job(session, settings=get_settings(), as_of=AS_OF, engine=AnalyticsEngine.DUCKDB)
        session.commit()


# PostgreSQL refuses what SQLite stores (NUL in text, integers past 2**63, text past a
# column's length), so every run fuzzes both
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for the module (the function-scoped ``database_url`` would build
    the bank again for every operation)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'bankcrm.db'}"
        upgrade(url)
        yield url
        return
    url, name = _fresh_postgres_database()
    upgrade(url)
    yield url
    _drop_postgres_database(name)


@pytest.fixture(scope="module")
def fuzz_bank(fuzz_database: str) -> Iterator[FuzzBank]:
    """One bank for the whole module (building it takes seconds): the operations only add
    requests, decisions and audit entries to it, which the others must then answer about."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANKCRM_DATABASE_URL", fuzz_database)
        patch.setenv("BANKCRM_ENVIRONMENT", "test")
        reset_caches()
        app = create_app()  # before the data: it installs the audit recorder that logs it
        engine = make_engine(fuzz_database)
        with Session(engine) as session:
            users = _open_bank(session)
            session.commit()
            _analyse(session)
            headers = {role: factories.bearer(session, user.id) for role, user in users.items()}
            session.commit()
        engine.dispose()
        yield FuzzBank(app=app, headers=headers)
        reset_caches()


@schema.parametrize()
@settings(
    max_examples=int(LONG_RUN_EXAMPLES or CI_EXAMPLES),
    derandomize=not IS_LONG_RUN,
    database=None,
    deadline=None,
)
def test_every_role_gets_documented_answers_and_no_server_error(
    case: Case, fuzz_bank: FuzzBank
) -> None:
    for role, headers in fuzz_bank.headers.items():
        try:
            case.call_and_validate(app=fuzz_bank.app, headers=headers, checks=CHECKS)
        except BaseException as failure:  # Schemathesis reports a BaseExceptionGroup
            failure.add_note(f"sent as {role}")
            raise


def test_text_postgresql_cannot_store_is_refused_as_invalid(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    """NUL in free text was a server error on PostgreSQL (the fuzzer rarely draws it): it is
    refused as invalid input on both databases, while line breaks in a note still pass."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER).username
        session.commit()
    engine.dispose()
    customer_id = small_bank.book_a[0]
    manager = login(client, small_bank.manager_a)
    refused = [
        ("/auth/token", {}, {"json": {"username": "王\x00", "password": "x"}}),
        ("/auth/token", {}, {"data": {"username": "王\x00", "password": "x"}}),
        (
            f"/customers/{customer_id}/reveal",
            login(client, officer),
            {"json": {"reason": "核实\x00"}},
        ),
        (
            "/privacy/requests",
            manager,
            {"json": {"customer_id": customer_id, "kind": "access", "note": "来电\x00"}},
        ),
        (
            "/privacy/requests",
            manager,
            {"json": {"customer_id": customer_id, "kind": "access", "reason": "申请\x00"}},
        ),
        (
            "/privacy/requests",
            manager,
            {
                "json": {
                    "customer_id": customer_id,
                    "kind": "correction",
                    "corrections": {"occupation": "教师\x00"},
                }
            },
        ),
        (
            "/privacy/requests/1/reject",
            login(client, small_bank.branch_manager),
            {"json": {"version": 1, "reason": "无误\x00"}},
        ),
    ]
    for path, headers, body in refused:
        answer = client.post(f"{API_PREFIX}{path}", headers=headers, **body)
        assert answer.status_code == 422, (path, body, answer.text)

    note = {
        "customer_id": customer_id,
        "kind": "access",
        "note": "客户来电\n要求查询",
        "reason": "客户书面申请\n已核验身份",
    }
    answer = client.post(f"{API_PREFIX}/privacy/requests", headers=manager, json=note)
    assert answer.status_code == 201, answer.text
