"""The "Campaigns" section of ``make bench``: freezing a million-customer segment with its
control group.

The freeze is ``campaigns.service.launch`` and its commit: the segment query, consents,
holdouts, other campaigns' controls and recent contacts read, the exclusions, the control
group drawn by branch, one member row per customer written. Its baseline is reading the same
segment and inserting as many member rows with the driver's ``executemany``, no logic
between: the floor under any freeze. Each measurement starts from its own copy of one built
store, so no launch sees another's members.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.measure import Measurement, in_child, measured_on

TARGET_SECONDS = 30.0
CHILD = "bench.campaigns_child"


def _copy(store: Path, name: str) -> str:
    copy = store.with_name(name)
    shutil.copyfile(store, copy)
    return str(copy)


def _seconds(measured: Measurement) -> float:
    return float(measured.result["seconds"])  # type: ignore[arg-type]


def bench_campaigns(work: Path, *, customers: int) -> list[str]:
    store = work / f"campaigns-{customers}.db"
    built = in_child(CHILD, "build", str(store), str(customers))
    base = in_child(CHILD, "baseline", _copy(store, "campaigns-baseline.db"))
    base_seconds = _seconds(base)
    lines = [
        measured_on() + f", SQLite. A store of `bench/campaigns_child.py` (seed 11): "
        f"{customers:,} active individuals over 50 branches and 500 account managers, SMS and "
        f"phone consent from {built.result['consents']:,} of them (85 %). The campaign selects "
        "every individual, control share 0.1; the SMS launch writes no contact task, the "
        "phone launch one per treated member.",
        "",
        "| work | members | treatment | control | excluded | contact tasks | seconds | "
        "peak memory | baseline seconds (segment read + bare `executemany` of the members) | "
        "ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for channel in ("sms", "phone"):
        measured = in_child(CHILD, "launch", _copy(store, f"campaigns-{channel}.db"), channel)
        result = measured.result
        excluded = result["excluded"]
        assert isinstance(excluded, dict)
        seconds = _seconds(measured)
        target = f"≤ {TARGET_SECONDS:.0f} s" if channel == "sms" else "—"
        lines.append(
            f"| `launch` on {channel.upper()} | {result['members']:,} | "
            f"{result['treatment']:,} | {result['control']:,} | {sum(excluded.values()):,} | "
            f"{result['tasks']:,} | {seconds:.1f} | {measured.peak_rss_mb:,.0f} MB | "
            f"{base_seconds:.1f} ({base.peak_rss_mb:,.0f} MB) | {seconds / base_seconds:.1f} | "
            f"{target} |"
        )
        print(lines[-1], flush=True)
    return lines
