"""The "Command start-up" section of ``make bench``: ``bankcrm --help`` against a bare Python
interpreter and one that imports Typer alone (the floor of any Typer command), run in turn
in the same loop so that both see the same machine."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BANKCRM = str(Path(sys.executable).with_name("bankcrm"))
COMMANDS = {
    "`bankcrm --help`": [BANKCRM, "--help"],
    "`bankcrm segment --help`": [BANKCRM, "segment", "--help"],
    "baseline: `python -c pass`": [sys.executable, "-c", "pass"],
    "baseline: `python -c 'import typer'`": [sys.executable, "-c", "import typer"],
}


def _seconds(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - began


def bench_startup(repeats: int) -> list[str]:
    seconds: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        _seconds(command)  # a first run warms the file cache and is not counted
    for _ in range(repeats):
        for name, command in COMMANDS.items():
            seconds[name].append(_seconds(command))
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    floor = medians["baseline: `python -c 'import typer'`"]
    lines = [
        f"Median of {repeats} runs each, taken in turn; the ratio is against Python importing "
        "Typer alone. `--help` loads no web, statistics or analytics package "
        "(`tests/cli/test_startup.py`); each command imports the feature it runs.",
        "",
        "| command | median seconds | ratio to `import typer` |",
        "|---|---:|---:|",
    ]
    for name in COMMANDS:
        lines.append(f"| {name} | {medians[name]:.2f} | {medians[name] / floor:.1f}× |")
    return lines
