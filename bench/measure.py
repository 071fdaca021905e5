"""Run a piece of work in a child process and measure its time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    result: dict[str, object]


def in_child(module: str, *args: str, env: dict[str, str] | None = None) -> Measurement:
    """``python -m module args``; the child prints one JSON object as its last line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed with status {status}")
    last_line = output.strip().splitlines()[-1]
    return Measurement(
        seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024, result=json.loads(last_line)
    )
