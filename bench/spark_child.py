"""Child process for the Spark-cluster benchmark; each mode prints one JSON object last.

``segments ENGINE LEDGER AS_OF OUT``: ``compute_segments`` on a Parquet ledger, as
``bankcrm segment run --source`` computes it; ``summary ENGINE LEDGER AS_OF OUT``: the
lifetime-value repeat summary of its customer-initiated transactions. ``ENGINE`` is
``duckdb`` or a Spark master URL; ``OUT`` (written after the clock stops) keeps the result.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import LedgerFiles
from bankcrm.clv.fitting import summarise
from bankcrm.clv.purchases import day_number
from bankcrm.clv.service import offset_minutes
from bankcrm.clv.summary import bank_purchases
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.segmentation.service import compute_segments


def _engine(chosen: str) -> tuple[AnalyticsEngine, Settings]:
    if chosen == "duckdb":
        return AnalyticsEngine.DUCKDB, Settings()
    return AnalyticsEngine.SPARK, Settings(spark_master=chosen)


def run_segments(chosen: str, ledger: Path, as_of: date, out: Path) -> dict[str, object]:
    engine, settings = _engine(chosen)
    started = time.perf_counter()
    scored = compute_segments(LedgerFiles(ledger), as_of=as_of, engine=engine, settings=settings)
    seconds = time.perf_counter() - started
    pq.write_table(scored.table, out)
    return {"customers": scored.table.num_rows, "seconds": seconds}


def run_summary(chosen: str, ledger: Path, as_of: date, out: Path) -> dict[str, object]:
    engine, settings = _engine(chosen)
    started = time.perf_counter()
    with open_engine(engine, settings) as connection:
        transactions = connection.register_parquet("transactions", ledger / "transactions.parquet")
        data = summarise(
            connection,
            bank_purchases(transactions, offset_minutes=offset_minutes(settings, as_of)),
            calibration_end=day_number(as_of),
        )
    seconds = time.perf_counter() - started
    pq.write_table(
        pa.table({"frequency": data.frequency, "recency": data.recency, "T": data.age}), out
    )
    return {"customers": len(data.frequency), "seconds": seconds}


def main() -> None:
    mode, chosen, ledger, as_of, out = sys.argv[1:]
    run = run_segments if mode == "segments" else run_summary
    result = run(chosen, Path(ledger), date.fromisoformat(as_of), Path(out))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
