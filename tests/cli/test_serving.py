"""A busy port is refused in one line, before the demo builds a bank it could not serve."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commands import run_bankcrm


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize(
    "command", [["demo", "--customers", "100"], ["serve"]], ids=["demo", "serve"]
)
def test_a_busy_port_is_refused_before_anything_is_built(
    command: list[str], busy_port: int, tmp_path: Path
) -> None:
    result = run_bankcrm(*command, "--port", str(busy_port), cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert f"127.0.0.1:{busy_port}" in result.stderr and "--port" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == [], "nothing is built or written"
