"""Child process for the segmentation benchmark; each mode prints one JSON object last.

``convert BANK LEDGER``: import-format folder → ledger Parquet folder.
``ours|sql|pandas LEDGER AS_OF [OUT]``: one implementation, timed from the Parquet files to
per-customer results; ``OUT`` (written after the clock stops) keeps the aggregates.
``profile LEDGER AS_OF``: the phases of ``compute_segments`` one by one.
``check LEDGER AS_OF``: all three on one ledger; fails unless their aggregates are equal.
``store DATABASE_URL`` / ``parquet LEDGER``: the ledger read from the records store (ADBC)
or from Parquet, with per-table sums so the two can be compared.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import Ledger, read_parquet
from bankcrm.analytics.repository import read_ledger
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.segmentation.features import Period, customer_features
from bankcrm.segmentation.scoring import score
from bankcrm.segmentation.service import compute_segments
from bench.segment_ledger import convert
from bench.segment_pandas import customer_features_pandas, to_arrow
from bench.segment_sql import customer_features_sql

COMPARED = (
    "customer_id",
    "customer_type",
    "status",
    "branch_id",
    "manager_id",
    "credit_grade",
    "other_banks_assets_cents",
    "onboarded_min",
    "last_transaction_min",
    "first_opened_min",
    "balance_minutes",
    "balance_minutes_first",
    "balance_minutes_second",
    "transactions",
    "turnover_cents",
    "active_slices",
    "interactions",
    "product_categories",
    "accounts_opened",
    "open_accounts",
)
SUMMED = {
    "customers": ("other_banks_assets_cents", "onboarded_min"),
    "accounts": ("opened_min", "closed_min", "balance_cents"),
    "transactions": ("booked_min", "signed_cents", "customer_initiated"),
    "holdings": ("amount_cents", "started_min", "ended_min"),
    "interactions": ("occurred_min",),
}


def _period(as_of: date, settings: Settings) -> Period:
    return Period.ending(as_of, settings.segmentation.period_months, settings.timezone)


def _canonical(table: pa.Table) -> pa.Table:
    columns = {}
    for name in COMPARED:
        column = table.column(name)
        target = pa.string() if pa.types.is_string(column.type) else pa.int64()
        if pa.types.is_large_string(column.type):
            target = pa.string()
        columns[name] = column.cast(target).combine_chunks()
    return pa.table(columns)


def assert_same(expected: pa.Table, actual: pa.Table, label: str) -> None:
    """Equal row for row and column for column (nulls included), else name the first miss."""
    if expected.num_rows != actual.num_rows:
        raise AssertionError(f"{label}: {actual.num_rows:,} rows, expected {expected.num_rows:,}")
    left, right = _canonical(expected), _canonical(actual)
    for name in COMPARED:
        a, b = left.column(name), right.column(name)
        if a.equals(b):
            continue
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        index = pc.index(pc.or_(same, both_null), False).as_py()
        customer = left.column("customer_id")[index].as_py()
        raise AssertionError(
            f"{label}: {name} of customer {customer} is {b[index].as_py()!r}, "
            f"expected {a[index].as_py()!r}"
        )


def run_convert(bank: Path, ledger: Path, timezone: str) -> dict[str, object]:
    started = time.perf_counter()
    rows = convert(bank, ledger, timezone=timezone)
    seconds = time.perf_counter() - started
    checked = read_parquet(ledger)  # Ledger.from_tables: every schema, after the clock stops
    assert {name: table.num_rows for name, table in checked.tables().items()} == rows
    return {"rows": rows, "seconds": seconds}


def run_ours(ledger_dir: Path, as_of: date, settings: Settings) -> dict[str, object]:
    started = time.perf_counter()
    ledger = read_parquet(ledger_dir)
    scored = compute_segments(
        ledger, as_of=as_of, engine=AnalyticsEngine.DUCKDB, settings=settings
    )
    seconds = time.perf_counter() - started
    return {"rows": ledger.rows, "customers": scored.table.num_rows, "seconds": seconds}


def run_profile(ledger_dir: Path, as_of: date, settings: Settings) -> dict[str, object]:
    """``compute_segments``'s body with a clock between the phases."""
    phases: dict[str, float] = {}
    period = _period(as_of, settings)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    ledger = read_parquet(ledger_dir)
    lap("read Parquet (pyarrow, Ledger.from_tables)")
    with open_engine(AnalyticsEngine.DUCKDB, settings) as connection:
        tables = {name: connection.register(name, table) for name, table in ledger.tables().items()}
        lap("open DuckDB, register Arrow tables")
        expression = customer_features(period=period, **tables)
        lap("build Ibis expression")
        features = connection.to_arrow(expression)
        lap("run features on DuckDB → Arrow")
    lap("close DuckDB")
    scored = score(features, period, settings.segmentation)
    lap("scoring (NumPy)")
    return {"rows": ledger.rows, "customers": scored.table.num_rows, "phases": phases}


def run_sql(ledger_dir: Path, as_of: date, settings: Settings, out: Path | None) -> dict[str, object]:
    period = _period(as_of, settings)
    started = time.perf_counter()
    result = customer_features_sql(ledger_dir, period, settings.analytics_memory_limit)
    seconds = time.perf_counter() - started
    if out:
        pq.write_table(result, out)
    return {"customers": result.num_rows, "seconds": seconds}


def run_pandas(ledger_dir: Path, as_of: date, settings: Settings, out: Path | None) -> dict[str, object]:
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
        pipeline = connection.to_arrow(customer_features(period=period, **tables))
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
    else:
        ledger, as_of = Path(rest[0]), date.fromisoformat(rest[1])
        out = Path(rest[2]) if len(rest) > 2 else None
        if mode == "ours":
            result = run_ours(ledger, as_of, settings)
        elif mode == "profile":
            result = run_profile(ledger, as_of, settings)
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
