"""Logins and sessions (findings M2, M4, L3): a session ends at logout and every session of a
user ends when their password, role or access changes; an unknown name costs what a wrong
password costs; failed logins hold up one address at one name, never the owner elsewhere;
``X-Forwarded-For`` counts only from a configured proxy; a guessable password is refused."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.clock import utcnow
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.core.exceptions import AuthenticationFailed, ValidationFailed
from bankcrm.core.migrate import upgrade
from bankcrm.staff import service
from tests import factories
from tests.commands import BANKCRM, free_port, wait_until_serving
from tests.conftest import SQLITE_ONLY
from tests.factories import PASSWORD
from tests.small_bank import SmallBank, login
from tests.web.test_pages import csrf_of, log_in

HTML = {"accept": "text/html"}


def _in_session(database_url: str, change: Callable[[Session], object]) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        change(session)
        session.commit()
    engine.dispose()


def _page_cookie(client: TestClient, username: str) -> str:
    log_in(client, username)
    cookie = client.cookies["bankcrm_session"]
    assert client.get("/customers", headers=HTML).status_code == 200
    return cookie


def _page_with(app_client: TestClient, cookie: str) -> int:
    app_client.cookies.clear()
    answer = app_client.get(
        "/customers",
        headers={**HTML, "cookie": f"bankcrm_session={cookie}"},
        follow_redirects=False,
    )
    return answer.status_code


def test_logout_ends_the_session_and_a_copied_cookie_with_it(
    client: TestClient, small_bank: SmallBank
) -> None:
    cookie = _page_cookie(client, small_bank.manager_a)
    token = csrf_of(client.get("/customers", headers=HTML).text)
    logout = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert logout.status_code == 303
    assert _page_with(client, cookie) == 303, "the copy kept before logout is worth nothing"

    headers = login(client, small_bank.manager_a)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    revoked = client.get("/api/v1/me", headers=headers)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        lambda session, name: service.set_password(
            session, username=name, password="another horse battery 7"
        ),
        lambda session, name: service.set_role(session, username=name, role=Role.ADMIN),
        lambda session, name: service.set_active(session, username=name, active=False),
    ],
    ids=["password", "role", "disabled"],
)
def test_a_new_password_role_or_a_disabled_account_ends_every_session(
    client: TestClient,
    small_bank: SmallBank,
    app_settings: str,
    change: Callable[[Session, str], object],
) -> None:
    name = small_bank.manager_a
    first_token = login(client, name)
    second_token = login(client, name)
    cookie = _page_cookie(client, name)
    bystander = login(client, small_bank.manager_b)

    _in_session(app_settings, lambda session: change(session, name))

    for headers in (first_token, second_token):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert _page_with(client, cookie) == 303
    assert client.get("/api/v1/me", headers=bystander).status_code == 200


@SQLITE_ONLY
def test_every_login_attempt_checks_one_password(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown or disabled name costs the Argon2 check a wrong password costs, so the
    answer's time tells no one which names exist (it took 8 ms against 230 ms)."""
    known = factories.staff(session, role=Role.MARKETING_ANALYST)
    disabled = factories.staff(session, role=Role.MARKETING_ANALYST)
    disabled.is_active = False
    session.commit()
    checks: list[str] = []
    real_check = service.verify_password

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password_hash[:9])
        return real_check(password_hash, password)

    monkeypatch.setattr(service, "verify_password", counted)
    for name in (known.username, "nobody-at-all", disabled.username):
        with pytest.raises(AuthenticationFailed) as refused:
            service.authenticate(session, username=name, password="wrong guess", address="a")
        assert refused.value.message == service.INVALID_LOGIN
    assert len(checks) == 3 and all(check.startswith("$argon2") for check in checks)


@SQLITE_ONLY
def test_failed_logins_hold_up_one_address_at_one_name_not_the_owner(
    session: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(utcnow(), tick=False)
    owner = factories.staff(session, role=Role.BRANCH_MANAGER)
    session.commit()

    def attempt(name: str, password: str, address: str) -> str:
        try:
            service.authenticate(session, username=name, password=password, address=address)
        except service.LoginBackedOff as waiting:
            session.commit()
            return f"wait {waiting.seconds}"
        except AuthenticationFailed:
            session.commit()
            return "refused"
        session.commit()
        return "in"

    for _ in range(service.FREE_FAILURES):
        assert attempt(owner.username, "guess", "10.0.0.66") == "refused"
        assert attempt("no-such-name", "guess", "10.0.0.66") == "refused"
    assert attempt(owner.username, PASSWORD, "10.0.0.66") == "wait 30"
    assert attempt("no-such-name", PASSWORD, "10.0.0.66") == "wait 30", "no name is told apart"
    assert attempt(owner.username, PASSWORD, "10.0.0.7") == "in", "the owner is not locked out"

    time_machine.shift(timedelta(seconds=31))
    assert attempt(owner.username, "guess", "10.0.0.66") == "refused"
    assert attempt(owner.username, PASSWORD, "10.0.0.66") == "wait 60", "each failure doubles"

    assert service.unlock(session, username=owner.username) == 1
    session.commit()
    assert attempt(owner.username, PASSWORD, "10.0.0.66") == "in"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-1", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("iloveyou1234", "too easy to guess"),
        ("wanglei19880101", "too easy to guess"),
    ],
)
def test_a_short_or_guessable_password_is_refused(
    session: Session, password: str, problem: str
) -> None:
    with pytest.raises(ValidationFailed, match=problem):
        service.create_user(
            session,
            username="wanglei1988",
            full_name="王磊",
            role=Role.ACCOUNT_MANAGER,
            password=password,
        )
    user = service.create_user(
        session,
        username="wanglei1988",
        full_name="王磊",
        role=Role.ACCOUNT_MANAGER,
        password="teapot orbit lantern 42",
    )
    assert user.id


@pytest.fixture
def served_without_proxies(tmp_path: Path, test_secret_key: str) -> Iterator[str]:
    database_url = f"sqlite:///{tmp_path / 'bankcrm.db'}"
    upgrade(database_url)
    port = free_port()
    env = {
        **os.environ,
        "BANKCRM_DATABASE_URL": database_url,
        "BANKCRM_ENVIRONMENT": "test",
        "BANKCRM_SECRET_KEY": test_secret_key,
        "BANKCRM_LOGIN_FAILURES_PER_WINDOW": "2",
    }
    env.pop("BANKCRM_TRUSTED_PROXIES", None)
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [BANKCRM, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    wait_until_serving(base_url, process, log=log)
    yield base_url
    process.terminate()
    process.wait(timeout=30)


def test_a_forwarded_address_counts_only_from_a_configured_proxy(
    served_without_proxies: str,
) -> None:
    answers = [
        httpx.post(
            f"{served_without_proxies}/api/v1/auth/token",
            data={"username": f"nobody{attempt}", "password": "guess"},
            headers={"X-Forwarded-For": f"10.9.0.{attempt}"},
        ).status_code
        for attempt in range(4)
    ]
    assert answers == [401, 401, 429, 429], "a claimed address does not reset the count"
