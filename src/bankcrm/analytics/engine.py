"""The analytics engines: one Ibis expression, run on DuckDB (default) or a Spark session.

Input tables arrive as Arrow from the records store (through ADBC) or are scanned by the
engine from Parquet files, and results leave as Arrow, so the engines never need a database
driver of their own: a bank without internet access cannot download DuckDB extensions.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine


class Engine:
    """A connection to one engine; tables are registered by name and queried with Ibis."""

    def __init__(self, kind: AnalyticsEngine, backend: Any, session: Any = None) -> None:
        self.kind = kind
        self.backend = backend
        self._session = session

    def register(self, name: str, data: pa.Table) -> ibis.Table:
        if self.kind is AnalyticsEngine.DUCKDB:
            # DuckDB scans the Arrow buffers in place, and the schema is the Arrow one
            return ibis.memtable(data)
        self._session.createDataFrame(data).createOrReplaceTempView(name)
        return self.backend.table(name)

    def register_parquet(self, name: str, path: Path) -> ibis.Table:
        """A table the engine scans from the file itself, without loading it into Python."""
        if self.kind is AnalyticsEngine.DUCKDB:
            # DuckDB's own reader scans in parallel, reads only the columns a query uses and
            # stays within the engine's memory limit; a scan of an Arrow dataset did neither
            # (at 1M customers 4.6 GB and twice the time). The table is declared with the
            # file's own schema, so Ibis need not ask DuckDB for it.
            self.backend.con.read_parquet(str(path)).create_view(name, replace=True)
            return ibis.table(ibis.Schema.from_pyarrow(pq.read_schema(path)), name=name)
        self._session.read.parquet(str(path)).createOrReplaceTempView(name)
        return self.backend.table(name)

    def to_arrow(self, expression: ibis.Table) -> pa.Table:
        return self.backend.to_pyarrow(expression)

    def close(self) -> None:
        self.backend.disconnect()


def _duckdb(settings: Settings) -> Engine:
    backend = ibis.duckdb.connect(
        memory_limit=settings.analytics_memory_limit,
        temp_directory=tempfile.gettempdir(),
    )
    return Engine(AnalyticsEngine.DUCKDB, backend)


def _spark(settings: Settings) -> Engine:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # on a cluster each executor gets what one process gets here
    memory = settings.analytics_memory_limit.lower().replace("gb", "g")
    session = (
        SparkSession.builder.master(settings.spark_master)
        .appName("bankcrm")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", memory)
        .config("spark.executor.memory", memory)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    backend = ibis.pyspark.connect(session)
    return Engine(AnalyticsEngine.SPARK, backend, session)


@contextmanager
def open_engine(kind: AnalyticsEngine, settings: Settings) -> Iterator[Engine]:
    """An engine for one run. Spark sessions are kept for the process (they take seconds)."""
    engine = _duckdb(settings) if kind is AnalyticsEngine.DUCKDB else _spark(settings)
    try:
        yield engine
    finally:
        if kind is AnalyticsEngine.DUCKDB:
            engine.close()
