"""The demo bank end to end: built by the CLI, served by the CLI, used over HTTP and in Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BANKCRM = str(Path(sys.executable).with_name("bankcrm"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            httpx.get(f"{base_url}/login", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not start within 60 s")


@pytest.fixture(scope="module")
def demo_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    work_dir = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "BANKCRM_ENVIRONMENT": "development"}
    env.pop("BANKCRM_DATABASE_URL", None)
    result = subprocess.run(
        [BANKCRM, "demo", "--customers", "500", "--no-serve", "--json"],
        cwd=work_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    yield work_dir, json.loads(result.stdout)


def test_demo_json_names_the_database_and_a_login_per_role(demo_bank: tuple[Path, dict]) -> None:
    work_dir, payload = demo_bank
    assert payload["database_url"] == "sqlite:///./bankcrm.db"
    assert (work_dir / "bankcrm.db").is_file()
    roles = [login["role"] for login in payload["logins"]]
    assert roles.count("account_manager") >= 2
    for role in ("admin", "marketing_analyst", "compliance_auditor", "branch_manager"):
        assert role in roles
    assert all(login["password"].isalnum() for login in payload["logins"])


def test_served_demo_accepts_its_logins_and_scopes_the_book(
    demo_bank: tuple[Path, dict],
) -> None:
    work_dir, payload = demo_bank
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BANKCRM_ENVIRONMENT": "development"}
    env.pop("BANKCRM_DATABASE_URL", None)
    server = subprocess.Popen(
        [BANKCRM, "serve", "--port", str(port)],
        cwd=work_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_serving(base_url, server)
        managers = [login for login in payload["logins"] if login["role"] == "account_manager"]
        books: list[set[int]] = []
        for manager in managers[:2]:
            answer = httpx.post(
                f"{base_url}/api/v1/auth/token",
                data={"username": manager["username"], "password": manager["password"]},
            )
            assert answer.status_code == 200, answer.text
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            me = httpx.get(f"{base_url}/api/v1/me", headers=headers).json()
            listing = httpx.get(
                f"{base_url}/api/v1/customers", params={"page_size": 200}, headers=headers
            )
            assert listing.status_code == 200, listing.text
            body = listing.json()
            assert body["total"] > 0
            assert {item["manager_id"] for item in body["items"]} == {me["id"]}
            books.append({item["id"] for item in body["items"]})
            other = httpx.post(
                f"{base_url}/api/v1/auth/token",
                data={"username": manager["username"], "password": manager["password"] + "x"},
            )
            assert other.status_code == 401
        assert books[0].isdisjoint(books[1])
    finally:
        server.terminate()
        server.wait(timeout=30)
