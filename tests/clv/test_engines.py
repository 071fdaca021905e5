"""The repeat-purchase summary is written once and gives the same numbers on every engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from bankcrm.analytics.engine import open_engine
from bankcrm.clv.purchases import read_purchases
from bankcrm.clv.summary import repeat_summary, repeats_by_day
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine

CDNOW = Path(__file__).parents[2] / "data" / "cdnow" / "cdnow_sample.csv.gz"
CALIBRATION_END = 10_134  # 1997-09-30
OBSERVATION_END = 10_407  # 1998-06-30


def summaries(engine: AnalyticsEngine) -> tuple[pa.Table, pa.Table]:
    purchases = read_purchases(
        CDNOW,
        customer_column="sample_id",
        date_column="date",
        date_format="%Y%m%d",
        amount_column="amount",
    )
    with open_engine(engine, Settings()) as connection:
        table = connection.register("purchases", purchases)
        summary = connection.to_arrow(
            repeat_summary(table, calibration_end=CALIBRATION_END, observation_end=OBSERVATION_END)
        )
        daily = connection.to_arrow(repeats_by_day(table, calibration_end=CALIBRATION_END))
    return summary, daily


def rounded(table: pa.Table) -> list[dict[str, object]]:
    return [
        {key: round(value, 6) if isinstance(value, float) else value for key, value in row.items()}
        for row in table.to_pylist()
    ]


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_summarises_as_duckdb_does() -> None:
    duck_summary, duck_daily = summaries(AnalyticsEngine.DUCKDB)
    spark_summary, spark_daily = summaries(AnalyticsEngine.SPARK)
    assert duck_summary.num_rows == 2_357
    assert rounded(spark_summary) == rounded(duck_summary)
    assert spark_daily.to_pylist() == duck_daily.to_pylist()
