"""Balance × minutes without sorting the movements equals, to the cent-minute, the same
integral taken movement by movement in time order, on ledgers drawn at random: ties in
time, accounts opened after their first movement or never said to be opened, movements
after the closing day, and periods before, across and after every movement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.analytics.engine import open_engine
from bankcrm.analytics.ledger import SCHEMAS, Ledger, LedgerFiles, write_parquet
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.segmentation.features import (
    Period,
    account_balance_minutes,
    booked_balance_minutes,
    customer_features,
)
from tests.segmentation.test_features import PERIOD, hand_ledger

minutes = st.integers(min_value=0, max_value=5_000)
cents = st.integers(min_value=-(10**9), max_value=10**9)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pa.Table, pa.Table]:
    accounts: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    for account_id in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
        opened = draw(st.none() | minutes)
        closed = draw(st.none() | minutes)
        accounts.append(
            {
                "account_id": account_id,
                "customer_id": 1,
                "category": "deposit",
                "opened_min": opened,
                "closed_min": closed,
                "balance_cents": draw(cents),
            }
        )
        for _ in range(draw(st.integers(min_value=int(account_id == 1), max_value=8))):
            moves.append(
                {
                    "transaction_id": len(moves) + 1,
                    "account_id": account_id,
                    "customer_id": 1,
                    "booked_min": draw(st.sampled_from([100, 2_500]) | minutes),
                    "signed_cents": draw(cents),
                    "customer_initiated": True,
                }
            )
    return (
        pa.Table.from_pylist(accounts, schema=SCHEMAS["accounts"]),
        pa.Table.from_pylist(moves, schema=SCHEMAS["transactions"]),
    )


@settings(max_examples=150, deadline=None)
@given(ledger=ledgers(), start=minutes, length=st.integers(min_value=2, max_value=5_000))
def test_one_aggregation_equals_the_movements_in_time_order(
    ledger: tuple[pa.Table, pa.Table], start: int, length: int
) -> None:
    accounts_data, moves_data = ledger
    period = Period(as_of=date(2026, 1, 1), months=1, start=start, end=start + length)
    with open_engine(AnalyticsEngine.DUCKDB, Settings()) as connection:
        accounts = connection.register("accounts", accounts_data)
        moves = connection.register("transactions", moves_data)
        got = connection.to_arrow(account_balance_minutes(accounts, moves, period)).to_pylist()
        # no movement here books a balance: the lean expression must say the same
        lean = account_balance_minutes(accounts, moves, period, books_balances=False)
        lean_rows = connection.to_arrow(lean).to_pylist()
        moved = moves.select("account_id").distinct()
        in_time_order = connection.to_arrow(
            booked_balance_minutes(accounts, moves, moved, period)
        ).to_pylist()
    by_account = {row["account_id"]: row for row in got}
    assert len(by_account) == len(got)
    assert {row["account_id"]: row for row in lean_rows} == by_account
    assert set(by_account) == {row["account_id"] for row in accounts_data.to_pylist()}
    assert in_time_order  # the first account always moves
    for expected in in_time_order:
        assert by_account[expected["account_id"]] == expected


def test_a_ledger_says_whether_its_core_system_books_balances(tmp_path: Path) -> None:
    booked = hand_ledger()
    assert booked.books_balances()
    write_parquet(booked, tmp_path / "booked")
    assert LedgerFiles(tmp_path / "booked").books_balances()
    tables = booked.tables()
    transactions = tables["transactions"]
    position = transactions.schema.get_field_index("balance_after_cents")
    tables["transactions"] = transactions.set_column(
        position,
        transactions.schema.field(position),
        pa.nulls(transactions.num_rows, pa.int64()),
    )
    reconstructed = Ledger.from_tables(tables)
    assert not reconstructed.books_balances()
    write_parquet(reconstructed, tmp_path / "reconstructed")
    assert not LedgerFiles(tmp_path / "reconstructed").books_balances()
    # the lean path gives the hand-computed figures of the ledger without booked balances
    period = PERIOD
    with open_engine(AnalyticsEngine.DUCKDB, Settings()) as connection:
        registered = {
            name: connection.register(name, table) for name, table in reconstructed.tables().items()
        }
        full = connection.to_arrow(customer_features(period=period, **registered))
        lean = connection.to_arrow(
            customer_features(period=period, books_balances=False, **registered)
        )
    assert lean.equals(full)
