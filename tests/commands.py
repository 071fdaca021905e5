"""Running the ``bankcrm`` command as a user does, in a folder of the test's own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

BANKCRM = str(Path(sys.executable).with_name("bankcrm"))


def user_environment() -> dict[str, str]:
    """The environment of a user trying the demo: development, the default database."""
    env = {**os.environ, "BANKCRM_ENVIRONMENT": "development"}
    env.pop("BANKCRM_DATABASE_URL", None)
    return env


def run_bankcrm(
    *arguments: str, cwd: Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BANKCRM, *arguments],
        cwd=cwd,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(
    base_url: str, process: subprocess.Popen[Any], *, log: Path | None = None
) -> None:
    """Return once the server answers its login page; a server that exits or takes more
    than a minute is a failure (with the end of its ``log``, when it keeps one)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base_url}/login", timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                output = log.read_text()[-3000:] if log is not None else ""
                raise AssertionError(f"the server at {base_url} did not start\n{output}") from None
            time.sleep(0.2)
