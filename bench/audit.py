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
        "on its own (SQLite): with the audit recorder (three chained entries per unit, personal "
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


def bench_backup(work: Path, store: Path) -> list[str]:
    """Backup and restore of an imported bank against SQLite's own page-by-page copy."""
    archive = work / "bench-backup.zip"
    archive.unlink(missing_ok=True)
    made = in_child("bench.backup_child", "backup", f"sqlite:///{store}", str(archive))
    restored_db = work / "bench-restored.db"
    restored_db.unlink(missing_ok=True)
    restored = in_child("bench.backup_child", "restore", f"sqlite:///{restored_db}", str(archive))
    copy = work / "bench-copy.db"
    copy.unlink(missing_ok=True)
    baseline = in_child("bench.backup_child", "copy", str(store), str(copy))
    base_seconds = float(baseline.result["seconds"])  # type: ignore[arg-type]
    rows = int(made.result["rows"])  # type: ignore[call-overload]
    lines = [
        f"A generated bank imported into SQLite ({rows:,} rows, database file "
        f"{store.stat().st_size / 2**20:,.0f} MB). The baseline is SQLite's online backup API "
        "copying the same file page by page (no checksums, SQLite only).",
        "",
        "| operation | seconds | peak memory | archive | baseline seconds | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, measured in (("backup", made), ("restore (checked)", restored)):
        seconds = float(measured.result["seconds"])  # type: ignore[arg-type]
        lines.append(
            f"| {label} | {seconds:.1f} | {measured.peak_rss_mb:,.0f} MB | "
            f"{archive.stat().st_size / 2**20:,.1f} MB | {base_seconds:.1f} | "
            f"{seconds / base_seconds:.1f} |"
        )
        print(lines[-1], flush=True)
    return lines
