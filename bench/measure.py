"""Run a piece of work in a child process and measure its time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    result: dict[str, object]
    cpu_seconds: float = 0.0
    """The child's own user + system CPU time."""
    machine_cpu_seconds: float = 0.0
    """Busy CPU time of the whole machine while the child ran (every process)."""

    @property
    def others_busy(self) -> float:
        """Share of the machine's cores that other processes kept busy meanwhile (0–1)."""
        cores = psutil.cpu_count() or 1
        others = max(self.machine_cpu_seconds - self.cpu_seconds, 0.0)
        return others / (self.seconds * cores) if self.seconds else 0.0


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    fields = ("user", "nice", "system", "irq", "softirq")
    return sum(getattr(times, field, 0.0) for field in fields)


PEAK_MARKER = "#peak-kb "
_RUN_MODULE = f"""
import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
finally:
    try:
        with open("/proc/self/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        print("{PEAK_MARKER}" + peak, flush=True)
    except (OSError, StopIteration):
        pass
"""
"""``python -m module`` that reports its own peak resident memory (VmHWM) as a last line.

``ru_maxrss`` from ``wait4`` is no good for that: the child starts with vfork and exec, so
the kernel counts the parent's high-water mark as the child's too.
"""


def in_child(module: str, *args: str, env: dict[str, str] | None = None) -> Measurement:
    """``python -m module args``; the child prints one JSON object as its last line."""
    started = time.perf_counter()
    busy_before = _busy_cpu_seconds()
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN_MODULE, module, *args],
        stdout=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    machine = _busy_cpu_seconds() - busy_before
    if status != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed with status {status}")
    lines = output.strip().splitlines()
    peak_kb = float(usage.ru_maxrss)
    if lines and lines[-1].startswith(PEAK_MARKER):
        peak_kb = float(lines.pop().removeprefix(PEAK_MARKER))
    return Measurement(
        seconds=seconds,
        peak_rss_mb=peak_kb / 1024,
        result=json.loads(lines[-1]),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        machine_cpu_seconds=machine,
    )


def measured_on() -> str:
    """The opening of a section's description: when, and on how many cores and GiB."""
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {os.cpu_count()} "
        f"cores, {memory:.0f} GiB"
    )
