"""A demo bank served by ``bankcrm demo`` itself, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bankcrm.ingest.synth import GENERATED_AS_OF
from tests.commands import BANKCRM, free_port, user_environment, wait_until_serving

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class ServedDemo:
    base_url: str
    logins: list[dict[str, str]]
    directory: Path

    def login_for(self, role: str) -> dict[str, str]:
        return next(login for login in self.logins if login["role"] == role)


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """``bankcrm demo --customers 300 --json`` serving on a free port, as ``make demo`` does."""
    directory = tmp_path_factory.mktemp("served-demo")
    port = free_port()
    # files, not pipes: the server logs every request to stdout, and a pipe nobody reads
    # fills after some hundred requests and then stops the server mid-request
    output, log = directory / "demo.out", directory / "demo.log"
    with output.open("w") as stdout, log.open("w") as stderr:
        process = subprocess.Popen(
            [
                BANKCRM,
                "demo",
                "--customers",
                "300",
                "--json",
                "--port",
                str(port),
                "--as-of",
                GENERATED_AS_OF.isoformat(),
            ],
            cwd=directory,
            env=user_environment(),
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    payload = json.loads(first_line(output, process, log))
    base_url = f"http://127.0.0.1:{port}"
    wait_until_serving(base_url, process, log=log)
    yield ServedDemo(base_url=base_url, logins=payload["logins"], directory=directory)
    process.terminate()
    process.wait(timeout=30)


def first_line(output: Path, process: subprocess.Popen[str], log: Path) -> str:
    """The demo's first line of output (its logins), once the bank is built."""
    deadline = time.monotonic() + 600
    while "\n" not in (text := output.read_text()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"bankcrm demo printed no logins\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return text.split("\n", 1)[0]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make test installs Debian's chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()
