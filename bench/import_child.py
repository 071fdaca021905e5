"""Child process: import a folder (``url dir``) or the bare sqlite3 baseline (``baseline``)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

import pyarrow.csv as pa_csv

from bankcrm.core.migrate import upgrade
from bankcrm.ingest.service import import_directory


def baseline(database: Path, directory: Path) -> dict[str, object]:
    """Insert the transaction file's rows into a bare table with sqlite3: no checks, no keys."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE t (id TEXT, account_id TEXT, booked_at TEXT, amount TEXT, direction TEXT,"
        " channel TEXT, kind TEXT, customer_initiated TEXT, description TEXT)"
    )
    rows = 0
    with pa_csv.open_csv(directory / "transactions.csv") as reader:
        for batch in reader:
            columns = [column.to_pylist() for column in batch.columns]
            connection.executemany(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", zip(*columns, strict=True)
            )
            rows += batch.num_rows
    connection.commit()
    connection.close()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def main() -> None:
    mode, *rest = sys.argv[1:]
    if mode == "baseline":
        print(json.dumps(baseline(Path(rest[0]), Path(rest[1]))))
        return
    url, directory = rest
    upgrade(url)
    report = import_directory(url, Path(directory))
    print(json.dumps({"rows": report.rows_by_table, "seconds": report.seconds}))


if __name__ == "__main__":
    main()
