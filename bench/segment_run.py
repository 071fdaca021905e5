"""``bankcrm segment run --source LEDGER`` timed as a user runs it: from the process's start
to its exit, the snapshot written into a SQLite store holding the bank's customers. Beside it,
in the same run, on the same Parquet ledger: one DuckDB scan summing the transactions per
account in a process of its own, start to exit (the floor for anything that reads them), and
the hand-written DuckDB SQL baseline of the segmentation section, timed inside its process as
there (its imports left out)."""

from __future__ import annotations

from pathlib import Path

from bench.measure import Measurement, in_child, measured_on
from bench.segment import AS_OF, bank_of, converted_ledger, wait_quiet

PEOPLE = ("branches", "staff", "customers")
"""The files the snapshot's rows need in the store: its customers and whom they point to."""
TARGET_SCAN_RATIO = 6.0
TARGET_SQL_RATIO = 0.5


def _wall(measured: Measurement) -> float:
    return measured.seconds


def _inside(measured: Measurement) -> float:
    """The SQL baseline's own clock, inside its process, as in the segmentation section."""
    return float(measured.result["seconds"])  # type: ignore[arg-type]


CLOCKS = {"scan": _wall, "sql": _inside, "command": _wall}


def people_store(work: Path, customers: int) -> Path:
    """A store holding the bank's branches, staff and customers only: the snapshot refers to
    the customers, and nothing else of the store is read when the ledger comes as Parquet."""
    database = work / f"segment-run-{customers}.db"
    if database.exists():
        return database
    bank = bank_of(work, customers)
    people = work / f"people-{customers}"
    people.mkdir(exist_ok=True)
    for path in bank.iterdir():
        link = people / path.name
        if path.stem in PEOPLE and not link.exists():
            link.symlink_to(path.resolve())
    print(f"  store with {customers:,} customers", flush=True)
    in_child("bench.import_child", "import", f"sqlite:///{database}", str(people))
    return database


def _measure(name: str, module: str, *args: str, env: dict[str, str] | None = None) -> Measurement:
    wait_quiet()
    measured = in_child(module, *args, env=env)
    print(
        f"  {name:8} {measured.seconds:7.1f} s {measured.peak_rss_mb:8,.0f} MB, "
        f"others busy {measured.others_busy:.0%}",
        flush=True,
    )
    return measured


def measure_size(work: Path, customers: int, repeats: int) -> dict[str, Measurement]:
    ledger = work / f"ledger-{customers}"
    if not (ledger / "transactions.parquet").exists():
        ledger = converted_ledger(work, customers)
    database = people_store(work, customers)
    command = [
        "segment",
        "run",
        "--source",
        str(ledger),
        "--as-of",
        AS_OF.isoformat(),
        "--no-tasks",
        "--json",
    ]
    environment = {"BANKCRM_DATABASE_URL": f"sqlite:///{database}"}
    runs: dict[str, list[Measurement]] = {name: [] for name in CLOCKS}
    for _ in range(repeats):
        runs["scan"].append(_measure("scan", "bench.scan_child", str(ledger)))
        runs["sql"].append(
            _measure("sql", "bench.segment_child", "sql", str(ledger), AS_OF.isoformat())
        )
        runs["command"].append(
            _measure("command", "bench.command_child", *command, env=environment)
        )
    segmented = runs["command"][0].result["customers"]
    if segmented != customers:
        raise AssertionError(f"segment run segmented {segmented} customers, not {customers}")
    return {name: min(measured, key=CLOCKS[name]) for name, measured in runs.items()}


def bench_segment_run(work: Path, *, sizes: tuple[int, ...], repeats: int) -> list[str]:
    lines = [
        measured_on() + f"; as of {AS_OF}; the segmentation section's Parquet ledgers. Each "
        f"process ran {repeats} times, interleaved; the fastest is shown, timed from its start "
        "to its exit, with its peak resident memory.",
        "",
        "| customers | process | seconds | peak memory | ÷ scan | ÷ SQL baseline |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    labels = {
        "scan": "one DuckDB scan: `signed_cents` summed per account",
        "sql": "hand-written DuckDB SQL baseline (features per customer, its own clock)",
        "command": "`bankcrm segment run --source LEDGER --no-tasks` (snapshot written)",
    }
    verdicts = []
    for customers in sizes:
        print(f"  segment run at {customers:,} customers", flush=True)
        best = measure_size(work, customers, repeats)
        seconds = {name: CLOCKS[name](measured) for name, measured in best.items()}
        scan, sql = seconds["scan"], seconds["sql"]
        for name, measured in best.items():
            lines.append(
                f"| {customers:,} | {labels[name]} | {seconds[name]:.2f} | "
                f"{measured.peak_rss_mb:,.0f} MB | {seconds[name] / scan:.1f} | "
                f"{seconds[name] / sql:.2f} |"
            )
        whole = seconds["command"]
        verdicts.append(
            f"at {customers:,} customers the command took {whole / scan:.1f}× the scan "
            f"(target ≤ {TARGET_SCAN_RATIO:g}) and {whole / sql:.2f}× the SQL baseline "
            f"(target ≤ {TARGET_SQL_RATIO:g})"
        )
    return [*lines, "", "Against the targets: " + "; ".join(verdicts) + "."]
