"""The "Segmentation" section of ``make bench``: our pipeline against SQL and pandas.

Every implementation runs in its own child process on the same Parquet ledger (converted
from a generated bank by ``bench.segment_ledger``), so each peak memory is its own. Before
anything is timed, the three must give the same per-customer aggregates on a small bank.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psutil

from bankcrm.core.config import Settings
from bankcrm.ingest.synth import GENERATED_AS_OF
from bench.measure import Measurement, in_child, measured_on
from bench.segment_compare import COMPARED

AS_OF = GENERATED_AS_OF
"""The segmentation period ends with the generated history."""
CHECK_AS_OF = (AS_OF, date(2025, 12, 31))
"""The agreement check also runs on an earlier day, so records after the period end exist."""
CHECK_CUSTOMERS = 2_000
IMPLEMENTATIONS = ("sql", "ours", "pandas")
LABELS = {
    "ours": "ours: `compute_segments` (DuckDB features + NumPy scoring)",
    "sql": "baseline: one hand-written DuckDB SQL query",
    "pandas": "pandas (merge / sort / groupby, one process)",
}
PHASES = (
    "check the Parquet ledger's schemas",
    "open DuckDB, register Parquet scans",
    "build Ibis expression",
    "run features on DuckDB → Arrow",
    "close DuckDB",
    "scoring (NumPy)",
)
TARGET_SQL_RATIO = 1.5
TARGET_PANDAS_RATIO = 20.0
TARGET_PEAK_MB = 4 * 1024
QUIET_SHARE = 25.0
"""Wait before each timed run until other processes use less than this % of the cores."""
QUIET_WAIT_SECONDS = 300.0
PANDAS_MEMORY_MB = 20 * 1024
PANDAS_HEADROOM_MB = 2 * 1024
"""pandas runs at a size only if its peak, extrapolated from the size before, stays under
20 GB and leaves 2 GB of the memory available at that moment."""


@dataclass
class SizeResult:
    customers: int
    ledger_rows: int = 0
    transactions: int = 0
    convert: Measurement | None = None
    best: dict[str, Measurement] = field(default_factory=dict)
    repeats: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    pandas_peak_mb: float = 0.0

    def seconds(self, implementation: str) -> float:
        return float(self.best[implementation].result["seconds"])  # type: ignore[arg-type]


def _seconds(measured: Measurement) -> float:
    return float(measured.result["seconds"])  # type: ignore[arg-type]


def wait_quiet() -> float:
    """Wait for the other processes on the machine to calm down; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < QUIET_WAIT_SECONDS:
        if psutil.cpu_percent(interval=2.0) < QUIET_SHARE:
            break
    return time.monotonic() - started


def _child(mode: str, *args: str) -> Measurement:
    wait_quiet()
    return in_child("bench.segment_child", mode, *args)


def bank_of(work: Path, customers: int) -> Path:
    """The generator section's bank of that size if it ran (same seed and format), else new."""
    out = work / f"synth-{customers}"
    if not (out / "customers.csv").exists():
        print(f"  generate {customers:,} customers", flush=True)
        in_child(
            "bench.synth_child",
            "bank",
            str(customers),
            "1",
            str(out),
            "parquet" if customers >= 1_000_000 else "csv",
        )
    return out


def converted_ledger(work: Path, customers: int, result: SizeResult | None = None) -> Path:
    bank = bank_of(work, customers)
    ledger = work / f"ledger-{customers}"
    measured = _child("convert", str(bank), str(ledger))
    rows = measured.result["rows"]
    assert isinstance(rows, dict)
    if result is not None:
        result.convert = measured
        result.ledger_rows = sum(rows.values())
        result.transactions = rows["transactions"]
    return ledger


def check_agreement(work: Path) -> list[str]:
    """Pipeline features, the SQL baseline and pandas must agree before anything is timed."""
    ledger = converted_ledger(work, CHECK_CUSTOMERS)
    lines = []
    for as_of in CHECK_AS_OF:
        measured = in_child("bench.segment_child", "check", str(ledger), as_of.isoformat())
        nonzero = measured.result["nonzero"]
        assert isinstance(nonzero, dict)
        lines.append(
            f"as of {as_of}: {measured.result['customers']:,} customers, "
            f"{nonzero['transactions']:,} with transactions in the period, "
            f"{nonzero['balance_minutes']:,} with a non-zero balance × minutes"
        )
        print(f"  agree {lines[-1]}", flush=True)
    return lines


def _predicted_pandas_peak(done: list[SizeResult], customers: int) -> float | None:
    """The highest pandas peak of the size before, scaled linearly by customers."""
    for previous in reversed(done):
        if "pandas" in previous.best:
            return previous.pandas_peak_mb * customers / previous.customers
    return None


def measure_size(work: Path, customers: int, repeats: int, done: list[SizeResult]) -> SizeResult:
    result = SizeResult(customers)
    print(f"  ledger {customers:,} customers", flush=True)
    ledger = converted_ledger(work, customers, result)
    active = list(IMPLEMENTATIONS)
    predicted = _predicted_pandas_peak(done, customers)
    available = psutil.virtual_memory().available / 2**20
    budget = min(PANDAS_MEMORY_MB, available - PANDAS_HEADROOM_MB)
    if predicted is not None and predicted > budget:
        active.remove("pandas")
        result.skipped["pandas"] = (
            f"peak extrapolated from the size before {predicted / 1024:,.1f} GB > "
            f"{budget / 1024:,.1f} GB ({available / 1024:,.1f} GB available)"
        )
        print(f"  {result.skipped['pandas']}", flush=True)
    outputs = {name: work / f"{name}-{customers}.parquet" for name in ("sql", "pandas", "ours")}
    runs: dict[str, list[Measurement]] = {name: [] for name in active}
    for repeat in range(repeats):
        for name in active:
            extra = [str(outputs[name])] if repeat == 0 and name != "ours" else []
            measured = _child(name, str(ledger), AS_OF.isoformat(), *extra)
            runs[name].append(measured)
            print(
                f"  {name:6} {customers:>9,} run {repeat + 1}: {_seconds(measured):7.1f} s "
                f"{measured.peak_rss_mb:8,.0f} MB, others busy {measured.others_busy:.0%}",
                flush=True,
            )
    for name, measured_runs in runs.items():
        result.best[name] = min(measured_runs, key=_seconds)
        result.repeats[name] = len(measured_runs)
    result.pandas_peak_mb = max((run.peak_rss_mb for run in runs.get("pandas", [])), default=0)
    profile = _child("profile", str(ledger), AS_OF.isoformat(), str(outputs["ours"]))
    phases = profile.result["phases"]
    assert isinstance(phases, dict)
    result.phases = {str(name): float(value) for name, value in phases.items()}
    # the same figures at full size: pipeline features = SQL (= pandas where it ran)
    compared = [str(outputs["ours"]), f"pipeline at {customers:,}"]
    if "pandas" in runs:
        compared += [str(outputs["pandas"]), f"pandas at {customers:,}"]
    in_child("bench.segment_child", "compare", str(outputs["sql"]), *compared)
    for path in outputs.values():
        path.unlink(missing_ok=True)
    return result


def measure_store(work: Path, database: Path, files: Path, customers: int) -> list[str]:
    """The ledger from the SQLite records store (ADBC) against the same bank as Parquet."""
    ledger = work / f"ledger-import-{customers}"
    converted = _child("convert", str(files), str(ledger))
    store = _child("store", f"sqlite:///{database}")
    parquet = _child("parquet", str(ledger))
    if store.result["sums"] != parquet.result["sums"]:
        raise AssertionError(
            f"the store and Parquet ledgers differ: {store.result['sums']} "
            f"!= {parquet.result['sums']}"
        )
    rows = int(store.result["rows"])  # type: ignore[call-overload]
    store_seconds, parquet_seconds = _seconds(store), _seconds(parquet)
    convert_seconds = _seconds(converted)
    lines = [
        "| ledger source | customers | ledger rows | seconds | rows/s | peak memory | "
        "÷ Parquet read |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| SQLite records store, `read_ledger` (ADBC) | {customers:,} | {rows:,} | "
        f"{store_seconds:.2f} | {rows / store_seconds:,.0f} | {store.peak_rss_mb:,.0f} MB | "
        f"{store_seconds / parquet_seconds:.1f} |",
        f"| Parquet ledger, `read_parquet` | {customers:,} | {rows:,} | {parquet_seconds:.2f} | "
        f"{rows / parquet_seconds:,.0f} | {parquet.peak_rss_mb:,.0f} MB | 1.0 |",
        f"| import files → Parquet ledger (bench converter, DuckDB) | {customers:,} | {rows:,} | "
        f"{convert_seconds:.2f} | {rows / convert_seconds:,.0f} | "
        f"{converted.peak_rss_mb:,.0f} MB | {convert_seconds / parquet_seconds:.1f} |",
    ]
    for line in lines[2:]:
        print(f"  {line}", flush=True)
    return lines


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _report(
    results: list[SizeResult],
    agreement: list[str],
    store: list[str],
    store_customers: int,
    repeats: int,
) -> list[str]:
    lines = [
        measured_on() + f"; as of {AS_OF}, a 12-month period; ledgers converted from banks of "
        "`bankcrm synth` (seed 1).",
        "",
        "| customers | ledger rows | implementation | seconds | ledger rows/s | peak memory | "
        "other processes' CPU |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for result in results:
        for name in IMPLEMENTATIONS:
            if name not in result.best:
                lines.append(
                    f"| {result.customers:,} | {result.ledger_rows:,} | {LABELS[name]} | "
                    f"not run: {result.skipped[name]} | | | |"
                )
                continue
            measured = result.best[name]
            seconds = result.seconds(name)
            lines.append(
                f"| {result.customers:,} | {result.ledger_rows:,} | {LABELS[name]} | "
                f"{seconds:.2f} | {result.ledger_rows / seconds:,.0f} | "
                f"{_mb(measured.peak_rss_mb)} | {measured.others_busy:.0%} |"
            )
    lines += [
        "",
        f"| customers | ours ÷ SQL (target ≤ {TARGET_SQL_RATIO}) | "
        f"pandas ÷ ours (target ≥ {TARGET_PANDAS_RATIO:.0f}) | "
        f"our peak memory (target ≤ {TARGET_PEAK_MB / 1024:.0f} GB) |",
        "|---:|---:|---:|---:|",
    ]
    for result in results:
        ours = result.seconds("ours")
        pandas = f"{result.seconds('pandas') / ours:.2f}" if "pandas" in result.best else "not run"
        lines.append(
            f"| {result.customers:,} | {ours / result.seconds('sql'):.2f} | {pandas} | "
            f"{_mb(result.best['ours'].peak_rss_mb)} |"
        )
    lines += [
        "",
        "Where our time goes (`compute_segments`'s steps timed one by one, one run, seconds):",
        "",
        "| customers | " + " | ".join(PHASES) + " | total |",
        "|---:|" + "---:|" * (len(PHASES) + 1),
    ]
    for result in results:
        cells = [f"{result.phases.get(phase, 0.0):.2f}" for phase in PHASES]
        lines.append(
            f"| {result.customers:,} | " + " | ".join(cells) + f" | "
            f"{sum(result.phases.values()):.2f} |"
        )
    lines += [
        "",
        "Converting the generated import files to the Parquet ledger (bench-side, DuckDB SQL):",
        "",
        "| customers | ledger rows | seconds | rows/s | peak memory |",
        "|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        assert result.convert is not None
        seconds = _seconds(result.convert)
        lines.append(
            f"| {result.customers:,} | {result.ledger_rows:,} | "
            f"{seconds:.1f} | {result.ledger_rows / seconds:,.0f} | "
            f"{_mb(result.convert.peak_rss_mb)} |"
        )
    lines += [
        "",
        "Moving the ledger from the data store to the engine "
        f"({store_customers:,} customers imported with `bankcrm import`):",
        "",
        *store,
        "",
        *_summary(results, agreement, repeats),
    ]
    return lines


def _summary(results: list[SizeResult], agreement: list[str], repeats: int) -> list[str]:
    largest = results[-1]
    ours, sql = largest.seconds("ours"), largest.seconds("sql")
    with_pandas = [result for result in results if "pandas" in result.best]
    text = (
        "Measured: each implementation starts from the same Parquet ledger files and returns "
        "one row per customer; *ours* is `compute_segments` on the Parquet ledger, as "
        "`bankcrm segment run --source` runs it (DuckDB scans the files for the features, "
        "then the NumPy scoring), *SQL* is one DuckDB query reading the "
        "Parquet files itself, *pandas* reads them with `pd.read_parquet` and aggregates in "
        "one process. Each ran in its own child process, "
        f"{repeats} times where it ran, interleaved; the fastest run is shown with its peak "
        "resident memory, and the share of the cores other processes used during it. "
        f"DuckDB had the pipeline's memory limit ({Settings().analytics_memory_limit}) "
        "in both. Before timing, the three gave "
        f"identical values in all {len(COMPARED)} columns for {CHECK_CUSTOMERS:,} customers ("
        + "; ".join(agreement)
        + "), and the pipeline's features equal the SQL result at every size"
        + (
            ", pandas's too at " + ", ".join(f"{result.customers:,}" for result in with_pandas)
            if with_pandas
            else ""
        )
        + f". At {largest.customers:,} customers ({largest.transactions:,} transactions) ours "
        f"took {ours:.1f} s against {sql:.1f} s for SQL ({ours / sql:.2f}×) with a peak of "
        f"{_mb(largest.best['ours'].peak_rss_mb)} against "
        f"{_mb(largest.best['sql'].peak_rss_mb)}."
    )
    if with_pandas:
        biggest = with_pandas[-1]
        pandas = biggest.seconds("pandas")
        text += (
            f" At {biggest.customers:,} customers pandas took {pandas:.1f} s, "
            f"{pandas / biggest.seconds('ours'):.2f}× ours, "
            f"peak {_mb(biggest.best['pandas'].peak_rss_mb)}."
        )
    notes = [
        f"{name} did not run at {result.customers:,} customers ({reason})"
        for result in results
        for name, reason in result.skipped.items()
    ]
    if notes:
        text += " " + "; ".join(notes) + "."
    return [text]


def bench_segmentation(
    work: Path,
    *,
    sizes: tuple[int, ...],
    repeats: int,
    store: tuple[Path, Path, int],
) -> list[str]:
    """``store`` is (SQLite database, the import files it holds, customers)."""
    print("  agreement check", flush=True)
    agreement = check_agreement(work)
    results: list[SizeResult] = []
    for customers in sizes:
        results.append(measure_size(work, customers, repeats, results))
    database, files, store_customers = store
    print("  data store → engine", flush=True)
    store_lines = measure_store(work, database, files, store_customers)
    return _report(results, agreement, store_lines, store_customers, repeats)
