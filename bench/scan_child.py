"""Child process: the floor for any segmentation of a ledger, one DuckDB scan of its
transactions summing ``signed_cents`` per account (``LEDGER``), with the pipeline's DuckDB
settings; prints the accounts found and the seconds inside the process."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from bankcrm.core.config import Settings


def scan(ledger: Path) -> dict[str, object]:
    started = time.perf_counter()
    settings = Settings()
    connection = duckdb.connect(config={"memory_limit": settings.analytics_memory_limit})
    table = connection.sql(
        "SELECT account_id, sum(signed_cents) AS cents "
        f"FROM read_parquet('{ledger / 'transactions.parquet'}') GROUP BY account_id"
    ).to_arrow_table()
    connection.close()
    return {"accounts": table.num_rows, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(scan(Path(sys.argv[1]))))
