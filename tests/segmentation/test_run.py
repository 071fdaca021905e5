"""A whole run on a generated bank: snapshot, export, concentration, migration and tasks."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine, LoyaltyFactor, Quadrant
from bankcrm.ingest.service import import_directory
from bankcrm.segmentation import service
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.segmentation.playbooks import DOWNGRADE_ACTION, PLAYBOOKS
from bankcrm.segmentation.tiers import gini, top_share
from bankcrm.tasks.models import Task
from tests.segmentation.conftest import BANK_AS_OF, EARLIER

runner = CliRunner()


def run_cli(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def imported(app_settings: str, generated_bank: Path) -> str:
    import_directory(app_settings, generated_bank)
    return app_settings


def read_export(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_run_export_and_concentration_agree(imported: str, tmp_path: Path) -> None:
    printed = json.loads(run_cli("segment", "run", "--as-of", BANK_AS_OF, "--json"))
    assert set(printed) == {"as_of", "customers", "quadrants", "gini", "top20_share"}
    assert set(printed["quadrants"]) == {"loyal", "problem_1", "problem_2", "ordinary"}
    assert printed["customers"] == 800
    assert sum(printed["quadrants"].values()) == 800

    out = tmp_path / "segments.csv"
    run_cli("segment", "export", "--as-of", BANK_AS_OF, "--out", str(out))
    rows = read_export(out)
    assert len(rows) == 800
    required = {
        "customer_id", "customer_type", "business_share", "loyalty_index", "quadrant",
        "value_tier", "rfm", "lifecycle_stage", *(factor.value for factor in LoyaltyFactor),
    }  # fmt: skip
    assert required <= set(rows[0])

    shares: dict[str, float] = defaultdict(float)
    for row in rows:
        shares[row["customer_type"]] += float(row["business_share"])
        assert 0 <= float(row["loyalty_index"]) <= 100
    assert set(shares) == {"individual", "corporate"}
    for total in shares.values():
        assert total == pytest.approx(1.0, abs=1e-9)

    volume = np.array([float(row["business_volume"]) for row in rows])
    assert printed["gini"] == pytest.approx(gini(volume), abs=1e-6)
    assert printed["top20_share"] == pytest.approx(top_share(volume, 0.2), abs=1e-6)
    # direct: the top 160 of 800 customers' volume over the total
    assert printed["top20_share"] == pytest.approx(
        np.sort(volume)[::-1][:160].sum() / volume.sum(), abs=1e-6
    )

    ledger = tmp_path / "ledger"
    run_cli("segment", "ledger", "--out", str(ledger))
    from_parquet = run_cli(
        "segment", "run", "--as-of", BANK_AS_OF, "--source", str(ledger), "--json"
    )
    assert json.loads(from_parquet) == printed


def test_migration_raises_tasks_once_and_a_rerun_replaces_the_snapshot(imported: str) -> None:
    run_cli("segment", "run", "--as-of", EARLIER)
    engine = make_engine(imported)
    with Session(engine) as session:
        entered_first = session.scalar(
            select(func.count()).where(
                CustomerSegment.quadrant == Quadrant.PROBLEM_2,
                CustomerSegment.run_id == select(SegmentRun.id).scalar_subquery(),
            )
        )
        playbook_tasks = session.scalar(select(func.count(Task.id)))
    assert entered_first and playbook_tasks == 4 * entered_first

    run_cli("segment", "run", "--as-of", BANK_AS_OF)
    with Session(engine) as session:
        earlier = session.scalar(select(SegmentRun).where(SegmentRun.as_of == date(2026, 3, 31)))
        later = session.scalar(select(SegmentRun).where(SegmentRun.as_of == date(2026, 9, 30)))
        assert earlier and later
        before = dict(
            session.execute(
                select(CustomerSegment.customer_id, CustomerSegment.quadrant).where(
                    CustomerSegment.run_id == earlier.id
                )
            ).all()
        )
        after = dict(
            session.execute(
                select(CustomerSegment.customer_id, CustomerSegment.quadrant).where(
                    CustomerSegment.run_id == later.id
                )
            ).all()
        )
        watched = set(Settings().segmentation.downgrade_moves)
        downgraded = {
            customer
            for customer, quadrant in after.items()
            if (before[customer].value, quadrant.value) in watched
        }
        alerts = set(
            session.scalars(select(Task.customer_id).where(Task.kind == DOWNGRADE_ACTION.code))
        )
        assert downgraded, "six months of drift move some customers down the matrix"
        assert alerts == downgraded
        entered = {
            customer
            for customer, quadrant in after.items()
            if quadrant is Quadrant.PROBLEM_2 and before[customer] is not Quadrant.PROBLEM_2
        }
        first_actions = {action.code for action in PLAYBOOKS[Quadrant.PROBLEM_2].actions}
        for customer in entered:
            kinds = set(session.scalars(select(Task.kind).where(Task.customer_id == customer)))
            assert first_actions <= kinds
        tasks_before_rerun = session.scalar(select(func.count(Task.id)))
        runs_before_rerun = session.scalar(select(func.count(SegmentRun.id)))

    run_cli("segment", "run", "--as-of", BANK_AS_OF)
    with Session(engine) as session:
        assert session.scalar(select(func.count(Task.id))) == tasks_before_rerun
        assert session.scalar(select(func.count(SegmentRun.id))) == runs_before_rerun
        assert session.scalar(select(func.count()).select_from(CustomerSegment)) == 1600
    engine.dispose()


def test_a_run_without_any_customer_is_refused_cleanly(app_settings: str) -> None:
    result = runner.invoke(app, ["segment", "export", "--as-of", "2026-01-01", "--out", "x.csv"])
    assert result.exit_code == 1
    assert "no segmentation run" in result.output


@pytest.mark.spark
@pytest.mark.xdist_group("spark")  # one Spark session (JVM) serves both Spark tests
def test_duckdb_and_spark_give_the_same_segments(generated_bank: Path, sqlite_url: str) -> None:
    import_directory(sqlite_url, generated_bank)
    settings = Settings(database_url=sqlite_url)
    from bankcrm.analytics.repository import read_ledger

    ledger = read_ledger(settings)
    as_of = date.fromisoformat(BANK_AS_OF)
    on_duckdb = service.compute_segments(
        ledger, as_of=as_of, engine=AnalyticsEngine.DUCKDB, settings=settings
    )
    on_spark = service.compute_segments(
        ledger, as_of=as_of, engine=AnalyticsEngine.SPARK, settings=settings
    )
    assert on_duckdb.table.num_rows == 800
    assert on_duckdb.table.to_pylist() == on_spark.table.to_pylist()
    assert on_duckdb.summary == on_spark.summary
