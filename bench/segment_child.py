"""Child process for the segmentation benchmark; each mode prints one JSON object last.

``convert BANK LEDGER``: import-format folder → ledger Parquet folder.
``ours|sql|pandas LEDGER AS_OF [OUT]``: one implementation, timed from the Parquet files to
per-customer results; ``OUT`` (written after the clock stops) keeps the aggregates.
``profile LEDGER AS_OF [OUT]``: the phases of ``compute_segments`` one by one.
``check LEDGER AS_OF``: all three on one ledger; fails unless their aggregates are equal.
``store DATABASE_URL`` / ``parquet LEDGER``: the ledger read from the records store (ADBC)
or from Parquet, with per-table sums so the two can be compared.
``compare EXPECTED [OUT LABEL]...``: saved results must equal the first one.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import SCHEMAS, Ledger, LedgerFiles, read_parquet
from bankcrm.analytics.repository import read_ledger
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.segmentation.features import Period, customer_features
from bankcrm.segmentation.scoring import score
from bankcrm.segmentation.service import compute_segments
from bench.segment_compare import COMPARED, assert_same
from bench.segment_ledger import convert
from bench.segment_pandas import customer_features_pandas, to_arrow
from bench.segment_sql import customer_features_sql

SUMMED = {
    "customers": ("other_banks_assets_cents", "onboarded_min"),
    "accounts": ("opened_min", "closed_min", "balance_cents"),
    "transactions": ("booked_min", "signed_cents", "customer_initiated"),
    "holdings": ("amount_cents", "started_min", "ended_min"),
    "interactions": ("occurred_min",),
}


def _period(as_of: date, settings: Settings) -> Period:
    return Period.ending(as_of, settings.segmentation.period_months, settings.timezone)


def run_convert(bank: Path, ledger: Path, timezone: str) -> dict[str, object]:
    started = time.perf_counter()
    rows = convert(bank, ledger, timezone=timezone)
    seconds = time.perf_counter() - started
    checked = read_parquet(ledger)  # Ledger.from_tables: every schema, after the clock stops
    assert {name: table.num_rows for name, table in checked.tables().items()} == rows
    return {"rows": rows, "seconds": seconds}


def _ledger_rows(ledger_dir: Path) -> int:
    return sum(pq.read_metadata(ledger_dir / f"{name}.parquet").num_rows for name in SCHEMAS)


def run_ours(ledger_dir: Path, as_of: date, settings: Settings) -> dict[str, object]:
    """What ``bankcrm segment run --source`` computes: DuckDB scans the Parquet ledger."""
    started = time.perf_counter()
    scored = compute_segments(
        LedgerFiles(ledger_dir), as_of=as_of, engine=AnalyticsEngine.DUCKDB, settings=settings
    )
    seconds = time.perf_counter() - started
    rows = _ledger_rows(ledger_dir)
    return {"rows": rows, "customers": scored.table.num_rows, "seconds": seconds}


def run_profile(
    ledger_dir: Path, as_of: date, settings: Settings, out: Path | None
) -> dict[str, object]:
    """``compute_segments``'s body with a clock between the phases; ``out`` gets the features."""
    phases: dict[str, float] = {}
    period = _period(as_of, settings)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    files = LedgerFiles(ledger_dir).check()
    lap("check the Parquet ledger's schemas")
    with open_engine(AnalyticsEngine.DUCKDB, settings) as connection:
        tables = {
            name: connection.register_parquet(name, files.path(name))
            .select(*schema.names)
            .cast(ibis.Schema.from_pyarrow(schema))
            for name, schema in SCHEMAS.items()
        }
        lap("open DuckDB, register Parquet scans")
        expression = customer_features(
            period=period, books_balances=files.books_balances(), **tables
        )
        lap("build Ibis expression")
        features = connection.to_arrow(expression)
        lap("run features on DuckDB → Arrow")
    lap("close DuckDB")
    scored = score(features, period, settings.segmentation)
    lap("scoring (NumPy)")
    if out:
        pq.write_table(features, out)
    return {"rows": _ledger_rows(ledger_dir), "customers": scored.table.num_rows, "phases": phases}


def run_sql(
    ledger_dir: Path, as_of: date, settings: Settings, out: Path | None
) -> dict[str, object]:
    period = _period(as_of, settings)
    started = time.perf_counter()
    result = customer_features_sql(ledger_dir, period, settings.analytics_memory_limit)
    seconds = time.perf_counter() - started
    if out:
        pq.write_table(result, out)
    return {"customers": result.num_rows, "seconds": seconds}


def run_pandas(
    ledger_dir: Path, as_of: date, settings: Settings, out: Path | None
) -> dict[str, object]:
    period = _period(as_of, settings)
    started = time.perf_counter()
    result = customer_features_pandas(ledger_dir, period)
    seconds = time.perf_counter() - started
    if out:
        pq.write_table(to_arrow(result), out)
    return {"customers": len(result), "seconds": seconds}


def run_check(ledger_dir: Path, as_of: date, settings: Settings) -> dict[str, object]:
    """The pipeline's features, the SQL baseline and pandas must agree exactly."""
    period = _period(as_of, settings)
    ledger = read_parquet(ledger_dir)
    with open_engine(AnalyticsEngine.DUCKDB, settings) as connection:
        tables = {name: connection.register(name, table) for name, table in ledger.tables().items()}
        expression = customer_features(
            period=period, books_balances=ledger.books_balances(), **tables
        )
        pipeline = connection.to_arrow(expression)
    assert_same(pipeline, customer_features_sql(ledger_dir, period, "1GB"), "SQL baseline")
    assert_same(pipeline, to_arrow(customer_features_pandas(ledger_dir, period)), "pandas")
    scored = compute_segments(ledger, as_of=as_of, engine=AnalyticsEngine.DUCKDB, settings=settings)
    customers = ledger.customers.num_rows
    assert pipeline.num_rows == scored.table.num_rows == customers
    nonzero = {
        name: int(pc.sum(pc.not_equal(pipeline.column(name), 0)).as_py() or 0)
        for name in COMPARED
        if pa.types.is_integer(pipeline.column(name).type)
    }
    # the agreement would mean nothing on columns that are all zero
    assert all(nonzero[name] > 0 for name in ("balance_minutes", "transactions", "interactions"))
    return {"customers": customers, "columns": len(COMPARED), "nonzero": nonzero}


def _sums(ledger: Ledger) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = {}
    for name, columns in SUMMED.items():
        table = getattr(ledger, name)
        sums[name] = {"rows": table.num_rows}
        for column in columns:
            values = table.column(column)
            if pa.types.is_boolean(values.type):
                values = values.cast(pa.int64())
            sums[name][column] = int(pc.sum(values).as_py() or 0)
    return sums


def run_read(source: str, settings: Settings) -> dict[str, object]:
    started = time.perf_counter()
    if source.startswith("sqlite:") or source.startswith("postgresql"):
        ledger = read_ledger(settings.model_copy(update={"database_url": source}))
    else:
        ledger = read_parquet(Path(source))
    seconds = time.perf_counter() - started
    return {"rows": ledger.rows, "seconds": seconds, "sums": _sums(ledger)}


def main() -> None:
    mode, *rest = sys.argv[1:]
    settings = Settings()
    result: dict[str, object]
    if mode == "convert":
        result = run_convert(Path(rest[0]), Path(rest[1]), settings.timezone)
    elif mode in ("store", "parquet"):
        result = run_read(rest[0], settings)
    elif mode == "compare":
        expected = pq.read_table(rest[0])
        for path, label in zip(rest[1::2], rest[2::2], strict=True):
            assert_same(expected, pq.read_table(path), label)
        result = {"customers": expected.num_rows, "compared": len(rest) // 2}
    else:
        ledger, as_of = Path(rest[0]), date.fromisoformat(rest[1])
        out = Path(rest[2]) if len(rest) > 2 else None
        if mode == "ours":
            result = run_ours(ledger, as_of, settings)
        elif mode == "profile":
            result = run_profile(ledger, as_of, settings, out)
        elif mode == "sql":
            result = run_sql(ledger, as_of, settings, out)
        elif mode == "pandas":
            result = run_pandas(ledger, as_of, settings, out)
        elif mode == "check":
            result = run_check(ledger, as_of, settings)
        else:
            raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
