from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bankcrm.core.db import make_engine
from bankcrm.ingest.service import import_directory
from tests.segmentation.conftest import BANK_AS_OF

REPOSITORY = Path(__file__).resolve().parents[2]
CLUSTER = REPOSITORY / "scripts" / "spark-cluster.sh"
BANKCRM = str(Path(sys.executable).with_name("bankcrm"))


def _snapshot(url: str) -> list[dict[str, Any]]:
    """The stored segments, without the run they belong to."""
    engine = make_engine(url)
    with engine.connect() as connection:
        statement = text("SELECT * FROM customer_segments ORDER BY customer_id")
        rows = connection.execute(statement).mappings().all()
    engine.dispose()
    return [{key: value for key, value in row.items() if key != "run_id"} for row in rows]


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_standalone_spark_cluster_segments_the_bank_as_duckdb_does(
    generated_bank: Path, sqlite_url: str, tmp_path: Path
) -> None:
    """``segment run --engine spark --spark-master spark://…`` on a master and a worker
    started on 127.0.0.1 stores the snapshot DuckDB stores, to the last digit."""
    import_directory(sqlite_url, generated_bank)
    state = tmp_path / "spark"
    environment = {**os.environ, "VENV": str(Path(sys.executable).parents[1])}
    started = subprocess.run(
        [str(CLUSTER), "start", str(state)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
    )
    assert started.returncode == 0, started.stderr
    master = started.stdout.strip()
    snapshots: dict[str, list[dict[str, Any]]] = {}
    try:
        for engine, chosen in (
            ("duckdb", ["--no-tasks"]),
            ("spark", ["--no-tasks", "--spark-master", master]),
        ):
            run = subprocess.run(
                [BANKCRM, "segment", "run", "--engine", engine, "--as-of", BANK_AS_OF, *chosen],
                capture_output=True,
                text=True,
                env={**environment, "BANKCRM_DATABASE_URL": sqlite_url},
                timeout=600,
            )
            assert run.returncode == 0, run.stderr[-2000:]
            snapshots[engine] = _snapshot(sqlite_url)
        registered = (state / "master.log").read_text(encoding="utf-8")
    finally:
        subprocess.run([str(CLUSTER), "stop", str(state)], env=environment, timeout=60)
    assert len(snapshots["duckdb"]) == 800
    assert snapshots["spark"] == snapshots["duckdb"]
    assert "Registering app bankcrm" in registered
