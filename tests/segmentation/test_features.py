"""The engine aggregates on a ledger small enough to compute by hand, on DuckDB and Spark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import SCHEMAS, Ledger, LedgerFiles, write_parquet
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.segmentation.features import FEATURE_COLUMNS, Period, customer_features
from bankcrm.segmentation.service import compute_segments

PERIOD = Period(as_of=date(2026, 1, 1), months=2, start=1000, end=3000)


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def hand_ledger() -> Ledger:
    customer = {"status": "active", "branch_id": 1, "manager_id": 1, "credit_grade": "A"}
    return Ledger.from_tables(
        {
            "customers": table(
                "customers",
                [
                    {"customer_id": 1, "customer_type": "individual", "onboarded_min": 0}
                    | customer,
                    {"customer_id": 2, "customer_type": "individual", "onboarded_min": 1500}
                    | customer,
                    {"customer_id": 3, "customer_type": "corporate"} | customer,
                ],
            ),
            "accounts": table(
                "accounts",
                [
                    # current balance 500; balances reconstructed backwards from it
                    {
                        "account_id": 1,
                        "customer_id": 1,
                        "category": "deposit",
                        "opened_min": 0,
                        "balance_cents": 500,
                    },
                    # a loan without movements: a constant balance, counted in absolute value
                    {
                        "account_id": 2,
                        "customer_id": 1,
                        "category": "loan",
                        "opened_min": 0,
                        "balance_cents": -1000,
                    },
                    {
                        "account_id": 3,
                        "customer_id": 2,
                        "category": "deposit",
                        "opened_min": 1500,
                        "balance_cents": 999,
                    },
                    {
                        "account_id": 4,
                        "customer_id": 2,
                        "category": "deposit",
                        "opened_min": 0,
                        "closed_min": 2000,
                        "balance_cents": 0,
                    },
                ],
            ),
            "transactions": table(
                "transactions",
                [
                    {
                        "transaction_id": 1,
                        "account_id": 1,
                        "customer_id": 1,
                        "booked_min": 500,
                        "signed_cents": 300,
                        "customer_initiated": True,
                    },
                    {
                        "transaction_id": 2,
                        "account_id": 1,
                        "customer_id": 1,
                        "booked_min": 2000,
                        "signed_cents": -100,
                        "customer_initiated": True,
                    },
                    {
                        "transaction_id": 3,
                        "account_id": 1,
                        "customer_id": 1,
                        "booked_min": 3500,
                        "signed_cents": 300,
                        "customer_initiated": True,
                    },
                    # booked balances win over the reconstruction (the Berka case)
                    {
                        "transaction_id": 4,
                        "account_id": 3,
                        "customer_id": 2,
                        "booked_min": 1500,
                        "signed_cents": 1000,
                        "customer_initiated": False,
                        "balance_after_cents": 1000,
                    },
                    {
                        "transaction_id": 5,
                        "account_id": 3,
                        "customer_id": 2,
                        "booked_min": 2500,
                        "signed_cents": -400,
                        "customer_initiated": True,
                        "balance_after_cents": 600,
                    },
                ],
            ),
            "holdings": table(
                "holdings",
                [
                    {
                        "customer_id": 1,
                        "category": "wealth",
                        "amount_cents": 100,
                        "started_min": 2500,
                    }
                ],
            ),
            "interactions": table(
                "interactions",
                [{"customer_id": 1, "occurred_min": 1500}, {"customer_id": 1, "occurred_min": 100}],
            ),
        }
    )


EXPECTED = {
    1: {
        # deposit 300 × 1000 + 200 × 1000; loan 1000 × 2000; holding 100 × 500
        "balance_minutes": 500_000 + 2_000_000 + 50_000,
        "balance_minutes_first": 300_000 + 1_000_000,
        "balance_minutes_second": 200_000 + 1_000_000 + 50_000,
        "transactions": 1,
        "turnover_cents": 100,
        "active_slices": 1,
        "last_transaction_min": 2000,
        "interactions": 1,
        "product_categories": 3,
        "accounts_opened": 2,
        "open_accounts": 2,
        "first_opened_min": 0,
    },
    2: {
        # 1000 from 1500 to 2500, then 600 until the end
        "balance_minutes": 1_000_000 + 300_000,
        "balance_minutes_first": 500_000,
        "balance_minutes_second": 500_000 + 300_000,
        "transactions": 1,
        "turnover_cents": 400,
        "active_slices": 1,
        "last_transaction_min": 2500,
        "interactions": 0,
        "product_categories": 1,
        "accounts_opened": 2,
        "open_accounts": 1,
        "first_opened_min": 0,
    },
    3: {
        "balance_minutes": 0,
        "balance_minutes_first": 0,
        "balance_minutes_second": 0,
        "transactions": 0,
        "turnover_cents": 0,
        "active_slices": 0,
        "last_transaction_min": None,
        "interactions": 0,
        "product_categories": 0,
        "accounts_opened": 0,
        "open_accounts": 0,
        "first_opened_min": None,
    },
}


def features_on(engine: AnalyticsEngine, ledger: Ledger) -> dict[int, dict[str, Any]]:
    with open_engine(engine, Settings()) as connection:
        tables = {name: connection.register(name, data) for name, data in ledger.tables().items()}
        result = connection.to_arrow(customer_features(period=PERIOD, **tables))
    return {row["customer_id"]: row for row in result.to_pylist()}


@pytest.mark.parametrize(
    "engine",
    [
        AnalyticsEngine.DUCKDB,
        pytest.param(
            AnalyticsEngine.SPARK, marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")]
        ),
    ],
)
def test_aggregates_match_the_hand_computation(engine: AnalyticsEngine) -> None:
    rows = features_on(engine, hand_ledger())
    assert set(rows) == {1, 2, 3}
    assert tuple(rows[1]) == FEATURE_COLUMNS
    for customer_id, expected in EXPECTED.items():
        got = {key: rows[customer_id][key] for key in expected}
        assert got == expected, customer_id


def test_the_period_ends_with_the_as_of_day_in_the_bank_time_zone() -> None:
    period = Period.ending(date(2024, 3, 31), 12, "Asia/Shanghai")
    # 2023-04-01 00:00 and 2024-04-01 00:00 in Shanghai are 16:00 UTC the day before
    assert period.start * 60 == 1680278400
    assert period.end * 60 == 1711900800
    assert period.slice_minutes == period.minutes // 12


def test_a_ledger_missing_a_column_is_refused_by_name() -> None:
    tables = hand_ledger().tables()
    tables["accounts"] = tables["accounts"].drop_columns(["balance_cents"])
    with pytest.raises(ValidationFailed, match="balance_cents"):
        Ledger.from_tables(tables)


def test_a_ledger_column_that_cannot_be_cast_is_refused_by_table() -> None:
    tables = hand_ledger().tables()
    accounts = tables["accounts"]
    garbled = pa.array(["12.3x4"] * accounts.num_rows)
    tables["accounts"] = accounts.set_column(
        accounts.schema.get_field_index("balance_cents"), "balance_cents", garbled
    )
    with pytest.raises(ValidationFailed, match="ledger table 'accounts'") as refused:
        Ledger.from_tables(tables)
    assert refused.value.field == "accounts"


def test_a_parquet_ledger_is_checked_before_the_engine_reads_it(tmp_path: Path) -> None:
    write_parquet(hand_ledger(), tmp_path)
    assert LedgerFiles(tmp_path).check().path("accounts") == tmp_path / "accounts.parquet"
    accounts = pq.read_table(tmp_path / "accounts.parquet")
    pq.write_table(accounts.drop_columns(["opened_min"]), tmp_path / "accounts.parquet")
    with pytest.raises(ValidationFailed, match=r"accounts\.parquet lacks column 'opened_min'"):
        LedgerFiles(tmp_path).check()
    text = accounts.set_column(
        accounts.schema.get_field_index("balance_cents"),
        "balance_cents",
        accounts.column("balance_cents").cast(pa.string()),
    )
    pq.write_table(text, tmp_path / "accounts.parquet")
    with pytest.raises(ValidationFailed, match="'balance_cents' is string, not int64"):
        LedgerFiles(tmp_path).check()
    pq.write_table(accounts, tmp_path / "accounts.parquet")
    (tmp_path / "holdings.parquet").unlink()
    with pytest.raises(ValidationFailed, match=r"holdings\.parquet is missing"):
        LedgerFiles(tmp_path).check()


def _narrowed(ledger: Ledger, directory: Path) -> None:
    """The ledger as a core system's export may write it: 32-bit integers, large strings."""
    for name, table in ledger.tables().items():
        schema = pa.schema(map(_narrower, table.schema))
        pq.write_table(table.cast(schema), directory / f"{name}.parquet")
    narrowed = pq.read_schema(directory / "transactions.parquet")
    assert narrowed.field("booked_min").type == pa.int32()


@pytest.mark.parametrize("write", [write_parquet, _narrowed], ids=["as-written", "narrower-types"])
def test_a_parquet_ledger_scanned_by_the_engine_gives_the_same_segments(
    tmp_path: Path, write: Callable[[Ledger, Path], None]
) -> None:
    """The engine reads each file with its own types, and the pipeline widens them to the
    ledger's: the segments equal those of the same ledger handed over as Arrow."""
    write(hand_ledger(), tmp_path)
    settings = Settings()
    from_files = compute_segments(
        LedgerFiles(tmp_path), as_of=date(2026, 1, 1), engine=AnalyticsEngine.DUCKDB,
        settings=settings,
    )  # fmt: skip
    from_arrow = compute_segments(
        hand_ledger(), as_of=date(2026, 1, 1), engine=AnalyticsEngine.DUCKDB, settings=settings
    )
    assert from_files.table.to_pylist() == from_arrow.table.to_pylist()


def _narrower(field: pa.Field) -> pa.Field:
    if pa.types.is_int64(field.type):
        return field.with_type(pa.int32())
    if pa.types.is_string(field.type):
        return field.with_type(pa.large_string())
    return field
