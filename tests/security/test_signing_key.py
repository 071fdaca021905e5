"""No published key ever signs anything (finding H3: the default environment signed with
``development-only-secret-change-me``, so anyone could forge the auditor's API token). Without
``BANKCRM_SECRET_KEY`` each installation draws its own key and keeps it beside the database,
readable by its owner only."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from pydantic import ValidationError
from sqlalchemy.orm import Session

import bankcrm
from bankcrm.core.config import Settings, get_settings
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import Role, SessionKind
from bankcrm.core.migrate import upgrade
from bankcrm.core.security import create_access_token
from bankcrm.core.signing_key import load_or_create
from bankcrm.main import create_app
from tests import factories

PUBLISHED = "development-only-secret-change-me"


def _unset_key(monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    monkeypatch.delenv("BANKCRM_SECRET_KEY", raising=False)
    monkeypatch.delenv("BANKCRM_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "development")
    monkeypatch.setenv("BANKCRM_DATABASE_URL", f"sqlite:///{database}")


def test_the_first_run_draws_a_key_beside_the_database_and_later_runs_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unset_key(monkeypatch, tmp_path / "bank" / "bankcrm.db")
    first = Settings()
    kept = tmp_path / "bank" / "bankcrm.secret-key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32 and first.secret_key != PUBLISHED
    assert first.key_file_note and "drawn now" in first.key_file_note
    second = Settings()
    assert second.secret_key == first.secret_key
    assert second.key_file_note and "drawn now" not in second.key_file_note
    assert str(kept) in second.key_file_note

    _unset_key(monkeypatch, tmp_path / "other" / "bankcrm.db")
    assert Settings().secret_key != first.secret_key, "every installation draws its own"


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "bankcrm.secret-key"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: load_or_create(path), range(16)))
    assert len({key for key, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert [entry.name for entry in tmp_path.iterdir()] == ["bankcrm.secret-key"]


def test_a_key_file_others_may_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unset_key(monkeypatch, tmp_path / "bankcrm.db")
    Settings()
    (tmp_path / "bankcrm.secret-key").chmod(0o644)
    with pytest.raises(ValidationError, match="chmod 600"):
        Settings()


def test_the_published_key_is_gone_from_the_code() -> None:
    source = Path(bankcrm.__file__).resolve().parent
    assert not [
        path for path in source.rglob("*.py") if PUBLISHED in path.read_text(encoding="utf-8")
    ]


@pytest.fixture
def keyless_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    database = tmp_path / "bankcrm.db"
    upgrade(f"sqlite:///{database}")
    _unset_key(monkeypatch, database)
    reset_caches()
    with TestClient(create_app()) as client:
        yield client
    reset_caches()


def test_a_token_signed_with_the_published_key_reads_nothing(
    keyless_app: TestClient, tmp_path: Path
) -> None:
    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR)
        session.commit()
        auditor_id = auditor.id
    engine.dispose()
    session_key = factories.login_key(get_settings().database_url, auditor_id, SessionKind.API)
    claims = {"sub": auditor_id, "sid": session_key}
    forged = URLSafeTimedSerializer(PUBLISHED, salt="bankcrm.api-token").dumps(claims)
    answer = keyless_app.get("/api/v1/audit", headers={"authorization": f"Bearer {forged}"})
    assert answer.status_code == 401
    issued = create_access_token(auditor_id, session_key)
    assert (
        keyless_app.get("/api/v1/audit", headers={"authorization": f"Bearer {issued}"}).status_code
        == 200
    )
