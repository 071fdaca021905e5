"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

Each test worker migrates one template per backend once; a test's database is a copy of it
(the SQLite file copied, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), which is the same
schema as migrating again at a fraction of the time.

PostgreSQL comes from ``BANKCRM_TEST_POSTGRES_URL`` (``make test`` starts a throwaway
server and sets it). Without it the ``postgres`` cases are skipped, except under
``CI=true`` where a missing server is a failure.
"""

from __future__ import annotations

import os
import select
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.migrate import upgrade

pytest_plugins = ["tests.small_bank"]


def _sleep_without_clock_nanosleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


if "faketime" in os.environ.get("LD_PRELOAD", ""):
    # The suite runs under Debian's faketime to find date bombs. Python's time.sleep waits
    # with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), which libfaketime 0.9.10 turns
    # into an invalid (EINVAL) or endless wait; select's relative timeout is left alone.
    time.sleep = _sleep_without_clock_nanosleep

PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"
POSTGRES_URL_VARIABLE = "BANKCRM_TEST_POSTGRES_URL"
TEST_SECRET_KEY = "bankcrm-test-suite-secret-never-used-in-production"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With ``CI=true`` nothing may be skipped: a skip hides a part the CI did not test."""
    if os.environ.get("CI") != "true" or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped, which fails the run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def test_secret_key() -> Iterator[str]:
    """Tests run the app with ``BANKCRM_ENVIRONMENT=test``, which refuses the development
    secret; servers the tests start inherit this one too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANKCRM_SECRET_KEY", TEST_SECRET_KEY)
        yield TEST_SECRET_KEY


def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{POSTGRES_URL_VARIABLE} is not set and CI=true: PostgreSQL is required")
    pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set (make test starts a server)")


def _fresh_postgres_database(template: str | None = None) -> tuple[str, str]:
    server_url = make_url(postgres_server_url())
    name = f"bankcrm_test_{uuid.uuid4().hex[:12]}"
    copying = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copying}'))
    admin.dispose()
    return server_url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(make_url(postgres_server_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "bankcrm.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """The name of a migrated PostgreSQL database that nobody connects to."""
    url, name = _fresh_postgres_database()
    upgrade(url)
    yield name
    _drop_postgres_database(name)


def _sqlite_copy(template: Path, directory: Path) -> str:
    path = directory / "bankcrm.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""For tests of what the backend cannot change (form checks, page rendering, exports of
figures computed elsewhere): they run on SQLite only, their queries are tested on both."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, migrated, empty database on each backend."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("migrated_sqlite_file"), tmp_path)
        return
    url, name = _fresh_postgres_database(request.getfixturevalue("migrated_postgres_template"))
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def postgres_url(migrated_postgres_template: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database, for behaviour only a server shows (row locks)."""
    url, name = _fresh_postgres_database(migrated_postgres_template)
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def sqlite_url(migrated_sqlite_file: Path, tmp_path: Path) -> str:
    """A migrated SQLite database, for tests whose subject does not depend on the backend."""
    return _sqlite_copy(migrated_sqlite_file, tmp_path)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def app_settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the application's settings at the test database; returns its URL."""
    monkeypatch.setenv("BANKCRM_DATABASE_URL", database_url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    reset_caches()
    yield database_url
    reset_caches()


@pytest.fixture(scope="session")
def project_data() -> Path:
    """The repository's real public data sets (``data/``, see its README): part of the
    repository, so a missing one is a failure, not a skip."""
    assert PROJECT_DATA.is_dir(), f"the repository's data sets are missing: {PROJECT_DATA}"
    return PROJECT_DATA


@pytest.fixture
def berka_dir(project_data: Path) -> Path:
    """The PKDD'99 Czech bank data set (gzipped ``*.asc.gz``) in the repository."""
    directory = project_data / "berka-pkdd99-financial"
    assert directory.is_dir(), f"the Berka data set is missing: {directory}"
    return directory


@pytest.fixture(scope="session")
def demo_bank_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The import files of a demo-sized bank (20,000 customers, seed 7, as ``bankcrm demo``),
    generated once per test process."""
    from bankcrm.ingest.synth import generate_bank

    directory = tmp_path_factory.mktemp("demo-bank-files")
    generate_bank(directory, customers=20_000, seed=7)
    return directory
