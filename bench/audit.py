"""What the audit trail costs: writes with and without it, and checking the chain."""

from __future__ import annotations

from pathlib import Path

from bench.measure import in_child

WRITE_UNITS = 2_000
"""Units of work (a customer update, an interaction and a note, committed) per run."""


def bench_audit(work: Path, *, quick: bool) -> list[str]:
    units = WRITE_UNITS // 4 if quick else WRITE_UNITS
    lines = [
        "Each unit of work updates a customer and adds an interaction and a note, committed "
        "on its own (SQLite): with the audit recorder (four chained entries per unit, personal "
        "values fingerprinted) and without it, in the same run.",
        "",
        "| units | audited ms/unit | plain ms/unit | ratio |",
        "|---:|---:|---:|---:|",
    ]
    timings = {}
    for mode in ("plain", "audited"):
        url = f"sqlite:///{work / f'audit-{mode}.db'}"
        measured = in_child("bench.audit_child", "writes", str(units), mode, url)
        timings[mode] = float(measured.result["seconds"]) / units * 1000  # type: ignore[arg-type]
    lines.append(
        f"| {units:,} | {timings['audited']:.2f} | {timings['plain']:.2f} | "
        f"{timings['audited'] / timings['plain']:.2f} |"
    )
    print(lines[-1], flush=True)
    lines += [
        "",
        "`bankcrm audit verify` reads the trail in batches and recomputes every link; the "
        "baseline is a bare loop chaining SHA-256 over the same number of entries.",
        "",
        "| entries | verify seconds | entries/s | bare hashing seconds | ratio |",
        "|---:|---:|---:|---:|---:|",
    ]
    for count in (20_000,) if quick else (100_000, 1_000_000):
        url = f"sqlite:///{work / f'audit-verify-{count}.db'}"
        measured = in_child("bench.audit_child", "verify", str(count), url)
        seconds = float(measured.result["seconds"])  # type: ignore[arg-type]
        baseline = float(measured.result["baseline_seconds"])  # type: ignore[arg-type]
        lines.append(
            f"| {count:,} | {seconds:.1f} | {count / seconds:,.0f} | {baseline:.2f} | "
            f"{seconds / baseline:.0f} |"
        )
        print(lines[-1], flush=True)
    return lines
