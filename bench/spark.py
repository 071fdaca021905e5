"""Spark as a cluster: a standalone master and one worker on 127.0.0.1, started with the
pyspark package's own launcher (``scripts/spark-cluster.sh``) and stopped afterwards; the
segmentation and the lifetime-value repeat summary run on it and on DuckDB, from the same
Parquet ledgers, and must give the same results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from bench.clv import AS_OF, ledger_of
from bench.measure import Measurement, in_child, measured_on

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = ROOT / "scripts" / "spark-cluster.sh"
WORKER_CORES = 2
WORKER_MEMORY_GIB = 4
JOBS = {
    "segments": ("segmentation (`compute_segments`)", ["customer_id"]),
    "summary": ("CLV repeat summary", ["frequency", "recency", "T"]),
}


def _same(first: Path, second: Path, keys: list[str]) -> bool:
    """The two results hold the same rows, whatever their order."""
    order = [(key, "ascending") for key in keys]
    one, other = (pq.read_table(path).sort_by(order) for path in (first, second))
    return one.equals(other)


def _ledger_rows(ledger: Path) -> int:
    return sum(pq.read_metadata(path).num_rows for path in ledger.glob("*.parquet"))


def bench_spark(work: Path, sizes: tuple[int, ...]) -> list[str]:
    state = work / "spark-cluster"
    environment = {**os.environ, "VENV": str(Path(sys.executable).parents[1])}
    started = subprocess.run(
        [str(CLUSTER), "start", str(state), str(WORKER_CORES), f"{WORKER_MEMORY_GIB}g"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    master = started.stdout.strip()
    lines = [
        measured_on() + f", as of {AS_OF}. The cluster: a standalone master and one worker "
        f"({WORKER_CORES} cores, {WORKER_MEMORY_GIB} GiB) on 127.0.0.1, started by "
        "`scripts/spark-cluster.sh` and stopped after the runs; the driver is the child "
        "process, as `bankcrm segment run --engine spark --spark-master spark://…` runs it. "
        "Each job reads the same Parquet ledger on both engines; seconds from the call to "
        "the result in the driver, Spark's session start included.",
        "",
        "| customers | ledger rows | job | DuckDB s | Spark cluster s | Spark ÷ DuckDB | "
        "same result |",
        "|---:|---:|---|---:|---:|---:|---|",
    ]
    try:
        for customers in sizes:
            ledger = ledger_of(work, customers)
            rows = _ledger_rows(ledger)
            for job, (label, keys) in JOBS.items():
                measured: dict[str, Measurement] = {}
                outputs: dict[str, Path] = {}
                for engine, chosen in (("duckdb", "duckdb"), ("spark", master)):
                    outputs[engine] = work / f"spark-{job}-{engine}-{customers}.parquet"
                    print(f"  {job} {customers:,} on {engine}", flush=True)
                    measured[engine] = in_child(
                        "bench.spark_child",
                        job,
                        chosen,
                        str(ledger),
                        AS_OF.isoformat(),
                        str(outputs[engine]),
                    )
                same = _same(outputs["duckdb"], outputs["spark"], keys)
                duckdb, spark = (float(measured[name].result["seconds"]) for name in measured)  # type: ignore[arg-type]
                lines.append(
                    f"| {customers:,} | {rows:,} | {label} | {duckdb:.1f} | {spark:.1f} | "
                    f"{spark / duckdb:.1f} | {'yes' if same else 'NO'} |"
                )
                print(lines[-1], flush=True)
                if not same:
                    raise SystemExit(f"Spark and DuckDB disagree on {job} at {customers:,}")
    finally:
        subprocess.run([str(CLUSTER), "stop", str(state)], env=environment, check=False)
    return lines
