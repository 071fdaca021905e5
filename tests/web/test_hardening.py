"""Authentication hardening, tested against running servers.

The demo server (``served_demo``) shows the CSRF refusal, the security headers and pages
free of inline script. Lockout, the login rate limit and session expiry get a server of
their own (``guarded``): a small bank with tight limits, so that its failed logins and its
short idle time touch no other test. Each test there speaks from its own client address
(``X-Forwarded-For``, which uvicorn trusts from 127.0.0.1), as the rate limit counts per
address.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from base64 import b64decode, b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import Role
from bankcrm.core.migrate import upgrade
from bankcrm.main import create_app
from tests import factories
from tests.commands import BANKCRM, free_port, wait_until_serving
from tests.factories import PASSWORD
from tests.web.conftest import ServedDemo

IDLE_SECONDS = 3
MAX_AGE_SECONDS = 3600
FAILURES_PER_WINDOW = 3
WINDOW_SECONDS = 300
SESSION_COOKIE = "bankcrm_session"
CSRF_REFUSAL = "the form has expired or did not come from this site; reload it"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


@dataclass
class GuardedServer:
    base_url: str
    user_ids: dict[str, int]
    secret_key: str
    database_url: str


@pytest.fixture(scope="module")
def guarded(
    tmp_path_factory: pytest.TempPathFactory, test_secret_key: str
) -> Iterator[GuardedServer]:
    """``bankcrm serve`` on a bank of a few analysts: sessions idle out after 3 seconds and
    last an hour at most; 3 failed logins per address in 5 minutes."""
    directory = tmp_path_factory.mktemp("guarded")
    database_url = f"sqlite:///{directory / 'bankcrm.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        user_ids = {
            username: factories.staff(session, role=Role.MARKETING_ANALYST, username=username).id
            for username in ("limited", "idle", "rotating", "busy")
        }
        session.commit()
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "BANKCRM_DATABASE_URL": database_url,
        "BANKCRM_ENVIRONMENT": "test",
        "BANKCRM_SECRET_KEY": test_secret_key,
        "BANKCRM_SESSION_IDLE_SECONDS": str(IDLE_SECONDS),
        "BANKCRM_SESSION_MAX_AGE_SECONDS": str(MAX_AGE_SECONDS),
        "BANKCRM_LOGIN_FAILURES_PER_WINDOW": str(FAILURES_PER_WINDOW),
        "BANKCRM_LOGIN_WINDOW_SECONDS": str(WINDOW_SECONDS),
        # the visitors below stand behind a proxy on this host that names their addresses
        "BANKCRM_TRUSTED_PROXIES": "127.0.0.1",
    }
    server_log = directory / "server.log"
    with server_log.open("w") as log:
        process = subprocess.Popen(
            [BANKCRM, "serve", "--port", str(port)],
            cwd=directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    wait_until_serving(base_url, process, log=server_log)
    yield GuardedServer(
        base_url=base_url,
        user_ids=user_ids,
        secret_key=test_secret_key,
        database_url=database_url,
    )
    process.terminate()
    process.wait(timeout=30)


def visitor(base_url: str, address: str | None = None) -> httpx.Client:
    headers = {"X-Forwarded-For": address} if address else {}
    return httpx.Client(base_url=base_url, headers=headers, follow_redirects=False, timeout=30)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login_error(html: str) -> str:
    found = re.search(r'data-testid="login-error">([^<]*)<', html)
    assert found, "the login page shows no error"
    return found.group(1)


def log_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def api_login(base_url: str, address: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


# --- lockout and rate limit --------------------------------------------------------------


def test_failed_logins_from_one_address_are_answered_429(guarded: GuardedServer) -> None:
    address = "10.2.0.1"
    with visitor(guarded.base_url, address) as client:
        # successes never count: a branch's staff share one address through the proxy
        for _ in range(FAILURES_PER_WINDOW + 1):
            assert log_in(client, "limited", PASSWORD).status_code == 303
        for attempt in range(FAILURES_PER_WINDOW):
            assert log_in(client, f"nobody_{attempt}", "guess").status_code == 401

        refused = log_in(client, "limited", PASSWORD)
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert 0 < wait <= WINDOW_SECONDS
        message = login_error(refused.text)
        assert message.startswith("此网络地址登录失败次数过多")
        assert str(wait) in message

    api = api_login(guarded.base_url, address, "limited", PASSWORD)
    assert api.status_code == 429
    assert 0 < int(api.headers["retry-after"]) <= WINDOW_SECONDS
    assert api.json()["detail"].startswith("too many failed logins from this address")

    with visitor(guarded.base_url, "10.2.0.2") as other:
        assert log_in(other, "limited", PASSWORD).status_code == 303
    assert api_login(guarded.base_url, "10.2.0.3", "limited", PASSWORD).status_code == 200


# --- session lifetime ----------------------------------------------------------------------


def session_of(server: GuardedServer, client: httpx.Client) -> dict[str, Any]:
    """What the client's session cookie holds, read as the server reads it."""
    data = TimestampSigner(server.secret_key).unsign(client.cookies[SESSION_COOKIE])
    session: dict[str, Any] = json.loads(b64decode(data))
    return session


def test_an_idle_session_ends(guarded: GuardedServer) -> None:
    with visitor(guarded.base_url, "10.3.0.1") as client:
        assert log_in(client, "idle", PASSWORD).status_code == 303
        at_login = session_of(guarded, client)
        assert client.get("/customers").status_code == 200
        assert session_of(guarded, client)["seen_at"] > at_login["seen_at"]

        time.sleep(IDLE_SECONDS + 1.5)
        expired = client.get("/customers")
        assert expired.status_code == 303
        assert expired.headers["location"] == "/login?next=/customers"
        assert f"{SESSION_COOKIE}=null" in expired.headers["set-cookie"]
        assert SESSION_COOKIE not in client.cookies
        assert client.get("/customers").status_code == 303


def forged_session(server: GuardedServer, *, started_ago: float, seen_ago: float) -> str:
    """A session cookie as the server would sign it, for a login ``started_ago`` seconds
    ago whose last page request was ``seen_ago`` seconds ago."""
    now = time.time()
    user_id = server.user_ids["busy"]
    session = {
        "user_id": user_id,
        "session_key": factories.login_key(server.database_url, user_id),
        "csrf_token": "forged",
        "started_at": now - started_ago,
        "seen_at": now - seen_ago,
    }
    data = b64encode(json.dumps(session).encode())
    return TimestampSigner(server.secret_key).sign(data).decode()


@pytest.mark.parametrize(
    ("started_ago", "seen_ago", "status_code"),
    [
        (10 * IDLE_SECONDS, 1, 200),  # busy long after login: goes on
        (10 * IDLE_SECONDS, IDLE_SECONDS + 60, 303),  # idle
        (MAX_AGE_SECONDS + 60, 1, 303),  # busy, but past its maximum age
    ],
)
def test_the_session_lifetime_counts_from_login_and_from_the_last_page(
    guarded: GuardedServer, started_ago: float, seen_ago: float, status_code: int
) -> None:
    cookie = forged_session(guarded, started_ago=started_ago, seen_ago=seen_ago)
    with visitor(guarded.base_url) as client:
        answer = client.get("/customers", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert answer.status_code == status_code
    if status_code == 303:
        assert answer.headers["location"] == "/login?next=/customers"


def test_login_rotates_the_session_and_logout_clears_it(guarded: GuardedServer) -> None:
    with visitor(guarded.base_url, "10.4.0.1") as client:
        anonymous_token = csrf_of(client.get("/login").text)
        anonymous_cookie = client.cookies[SESSION_COOKIE]
        answer = client.post(
            "/login",
            data={"username": "rotating", "password": PASSWORD, "csrf_token": anonymous_token},
        )
        assert answer.status_code == 303
        flags = [flag.strip().lower() for flag in answer.headers["set-cookie"].split(";")]
        assert {"httponly", "samesite=lax", "path=/"} <= set(flags)
        assert "secure" not in flags  # cookie_secure is off here; see the HTTPS test below
        assert client.cookies[SESSION_COOKIE] != anonymous_cookie
        token = csrf_of(client.get("/customers").text)
        assert token != anonymous_token

        logout = client.post("/logout", data={"csrf_token": token})
        assert logout.status_code == 303
        assert logout.headers["location"] == "/login"
        assert f"{SESSION_COOKIE}=null" in logout.headers["set-cookie"]
        assert "expires=thu, 01 jan 1970" in logout.headers["set-cookie"].lower()
        assert SESSION_COOKIE not in client.cookies
        assert client.get("/customers").status_code == 303
        client.get("/login")
        assert client.post("/logout", data={"csrf_token": token}).status_code == 403


# --- CSRF ----------------------------------------------------------------------------------


def page_routes(app: FastAPI, method: str) -> list[str]:
    """Paths of the application's routes for ``method`` outside ``/api/``, from its route
    table, so that a route added tomorrow is in the list."""
    paths = set()
    for context in iter_route_contexts(app.routes):
        path = context.path
        if path and method in (context.methods or ()) and not path.startswith("/api/"):
            paths.add(path)
    return sorted(paths)


def test_every_page_post_refuses_a_missing_or_wrong_csrf_token(served_demo: ServedDemo) -> None:
    posts = page_routes(create_app(), "POST")
    assert {"/login", "/logout"} <= set(posts)
    analyst = served_demo.login_for("marketing_analyst")
    with visitor(served_demo.base_url) as client:
        assert log_in(client, analyst["username"], analyst["password"]).status_code == 303
        for path in posts:
            url = re.sub(r"\{[^}]+\}", "1", path)
            for form in ({"reason": "test"}, {"reason": "test", "csrf_token": "forged"}):
                answer = client.post(url, data=form)
                assert answer.status_code == 403, f"POST {path} {form}: {answer.status_code}"
                assert answer.json()["detail"] == CSRF_REFUSAL
        # the refused logout ended nothing
        assert client.get("/customers").status_code == 200


# --- security headers and pages ------------------------------------------------------------


def assert_security_headers(answer: httpx.Response) -> None:
    where = f"{answer.request.method} {answer.request.url.path} ({answer.status_code})"
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, f"{where}: {name}"
    assert "strict-transport-security" not in answer.headers, where


def test_every_kind_of_answer_carries_the_security_headers(served_demo: ServedDemo) -> None:
    html = {"accept": "text/html"}
    analyst = served_demo.login_for("marketing_analyst")
    with visitor(served_demo.base_url) as client:
        answers = [
            client.get("/login"),
            client.get("/customers", headers=html),
            client.get("/static/css/bankcrm.css"),
            client.get("/static/no-such-file.js"),
            client.get("/no-such-page", headers=html),
            client.get("/api/v1/customers"),
            client.get("/api/v1/openapi.json"),
            client.post("/api/v1/auth/token", data={}),
        ]
        answers.append(log_in(client, analyst["username"], analyst["password"]))
        answers += [
            client.get("/customers"),
            client.get("/customers/2000000000", headers=html),
            client.post("/logout", data={}, headers=html),
        ]
    assert [answer.status_code for answer in answers] == [
        *(200, 303, 200, 404, 404, 401, 200, 422),
        *(303, 200, 404, 403),
    ]
    for answer in answers:
        assert_security_headers(answer)


def test_swagger_ui_gets_its_own_policy_in_development(served_demo: ServedDemo) -> None:
    docs = httpx.get(f"{served_demo.base_url}/api/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy
    assert docs.headers["x-frame-options"] == "DENY"


class PageAudit(HTMLParser):
    """What a page must not contain under the CSP: inline scripts (JSON data blocks are
    data), event handler attributes and ``javascript:`` URLs; and posting forms without
    the CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._posting_form: str | None = None
        self._form_has_token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")
        if (
            tag == "script"
            and not attributes.get("src")
            and attributes.get("type") != "application/json"
        ):
            self.problems.append("an inline <script>")
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._posting_form = attributes.get("action") or "(no action)"
            self._form_has_token = False
        if (
            tag == "input"
            and self._posting_form
            and attributes.get("name") == "csrf_token"
            and attributes.get("value")
        ):
            self._form_has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._posting_form:
            if not self._form_has_token:
                self.problems.append(f"a form posting to {self._posting_form} without a token")
            self._posting_form = None


def crawl(client: httpx.Client, starts: list[str]) -> dict[str, httpx.Response]:
    """Every page reachable by links from ``starts``, one URL per path shape (ids alike)."""
    seen: dict[str, httpx.Response] = {}
    queue = list(starts)
    while queue:
        url = queue.pop(0)
        path = url.split("?", 1)[0]
        shape = re.sub(r"/\d+", "/#", path)
        if shape in seen or not path.startswith("/") or path.startswith(("//", "/static/")):
            continue
        if path.startswith(("/api/", "/lang/", "/logout", "/login")):
            continue
        answer = client.get(url)
        seen[shape] = answer
        if answer.headers.get("content-type", "").startswith("text/html"):
            audit = PageAudit()
            audit.feed(answer.text)
            queue.extend(audit.links)
    return seen


STARTING_QUERIES = {"/customers/search": "/customers/search?q=%E7%8E%8B%E8%8A%B3"}
"""Routes a page's script calls with a query it needs (the customer picker's search)."""


def test_no_page_has_inline_script_or_a_form_without_its_token(served_demo: ServedDemo) -> None:
    starts = [
        STARTING_QUERIES.get(path, path)
        for path in page_routes(create_app(), "GET")
        if "{" not in path
    ]
    roles = sorted({login["role"] for login in served_demo.logins})
    checked: set[str] = set()
    for role in roles:
        login = served_demo.login_for(role)
        with visitor(served_demo.base_url) as client:
            assert log_in(client, login["username"], login["password"]).status_code == 303
            for shape, answer in crawl(client, starts).items():
                assert answer.status_code in (200, 303, 403), f"{role} {shape}"
                assert_security_headers(answer)
                if answer.status_code != 200 or "text/html" not in answer.headers["content-type"]:
                    continue
                audit = PageAudit()
                audit.feed(answer.text)
                assert not audit.problems, f"{role} {shape}: {audit.problems}"
                checked.add(shape)
    assert {"/customers", "/customers/#", "/segments", "/churn", "/clv"} <= checked


# --- settings, in process ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "secret_key", "cookie_secure", "refusal"),
    [
        ("production", "", True, "set BANKCRM_SECRET_KEY or BANKCRM_SECRET_KEY_FILE"),
        ("test", "short-but-private", False, "at least 32 characters"),
        ("development", "short-but-private", False, "at least 32 characters"),
        ("production", "x" * 40, False, "BANKCRM_COOKIE_SECURE must be true"),
    ],
)
def test_weak_settings_are_refused(
    environment: str, secret_key: str, cookie_secure: bool, refusal: str
) -> None:
    with pytest.raises(ValidationError, match=refusal):
        Settings(environment=environment, secret_key=secret_key, cookie_secure=cookie_secure)


def test_development_and_a_proper_production_setup_start() -> None:
    assert Settings(environment="development", secret_key="y" * 32).secret_key
    assert Settings(environment="production", secret_key="x" * 32, cookie_secure=True)


@pytest.fixture
def https_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    database_url = f"sqlite:///{tmp_path / 'bankcrm.db'}"
    upgrade(database_url)
    monkeypatch.setenv("BANKCRM_DATABASE_URL", database_url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    monkeypatch.setenv("BANKCRM_COOKIE_SECURE", "true")
    reset_caches()
    with TestClient(create_app(), base_url="https://testserver") as client:
        yield client
    reset_caches()


def test_over_https_cookies_are_secure_and_hsts_is_sent(https_app: TestClient) -> None:
    login_page = https_app.get("/login")
    assert login_page.headers["strict-transport-security"] == "max-age=31536000"
    flags = [flag.strip().lower() for flag in login_page.headers["set-cookie"].split(";")]
    assert {"secure", "httponly", "samesite=lax"} <= set(flags)
    assert https_app.get("/static/css/bankcrm.css").headers["strict-transport-security"]


def test_swagger_ui_is_off_outside_development(https_app: TestClient) -> None:
    assert https_app.get("/api/docs").status_code == 404
    assert https_app.get("/api/v1/openapi.json").status_code == 200
