"""The segmentation aggregates written the straightforward way in pandas (one process, eager).

Vectorised throughout (merge, sort, groupby, no Python loop per row); money × minutes stays
in int64 so the figures equal ``customer_features`` to the last digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from bankcrm.segmentation.features import OPEN_END, Period

HALVES = ("bm", "bm_first", "bm_second")


def _ints(series: pd.Series, fill: int) -> np.ndarray:
    return series.fillna(fill).to_numpy(dtype=np.int64)


def _overlap(start: np.ndarray, end: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.maximum(np.minimum(end, hi) - np.maximum(start, lo), 0)


def _weighted(
    balance: np.ndarray, start: np.ndarray, end: np.ndarray, period: Period
) -> dict[str, np.ndarray]:
    bounds = (
        (period.start, period.end),
        (period.start, period.middle),
        (period.middle, period.end),
    )
    return {
        name: balance * _overlap(start, end, lo, hi)
        for name, (lo, hi) in zip(HALVES, bounds, strict=True)
    }


def _account_volume(
    accounts: pd.DataFrame, transactions: pd.DataFrame, period: Period
) -> pd.DataFrame:
    moves = transactions[
        ["account_id", "transaction_id", "booked_min", "signed_cents", "balance_after_cents"]
    ].merge(accounts[["account_id", "opened_min", "closed_min", "balance_cents"]], on="account_id")
    moves = moves.sort_values(["account_id", "booked_min", "transaction_id"], ignore_index=True)
    by_account = moves.groupby("account_id", sort=False)
    running = by_account["signed_cents"].cumsum().to_numpy()
    total = by_account["signed_cents"].transform("sum").to_numpy()
    previous = by_account["booked_min"].shift(1)
    following = by_account["booked_min"].shift(-1)

    booked = moves["booked_min"].to_numpy()
    signed = moves["signed_cents"].to_numpy()
    reconstructed = moves["balance_cents"].to_numpy() - (total - running)
    booked_after = moves["balance_after_cents"]
    balance_after = np.where(booked_after.isna().to_numpy(), reconstructed, _ints(booked_after, 0))
    opened = np.where(moves["opened_min"].isna(), booked, _ints(moves["opened_min"], 0))
    before_start = np.where(previous.isna(), np.minimum(opened, booked), _ints(previous, 0))
    last = following.isna().to_numpy()
    after_end = np.where(last, _ints(moves["closed_min"], OPEN_END), booked)
    before = _weighted(balance_after - signed, before_start, booked, period)
    after = _weighted(balance_after, booked, after_end, period)
    segments = pd.DataFrame(
        {"account_id": moves["account_id"], **{name: before[name] + after[name] for name in HALVES}}
    )
    moved = segments.groupby("account_id", as_index=False)[list(HALVES)].sum()

    still = accounts[~accounts["account_id"].isin(transactions["account_id"].unique())]
    constant = _weighted(
        still["balance_cents"].to_numpy(dtype=np.int64),
        _ints(still["opened_min"], np.iinfo(np.int64).min),
        _ints(still["closed_min"], OPEN_END),
        period,
    )
    unmoved = pd.DataFrame({"account_id": still["account_id"].to_numpy(), **constant})
    per_account = pd.concat([moved, unmoved], ignore_index=True).merge(
        accounts[["account_id", "customer_id"]], on="account_id"
    )
    per_account[list(HALVES)] = per_account[list(HALVES)].abs()
    return per_account.groupby("customer_id", as_index=False)[list(HALVES)].sum()


def customer_features_pandas(ledger: Path, period: Period) -> pd.DataFrame:
    def read(name: str) -> pd.DataFrame:
        return pd.read_parquet(ledger / f"{name}.parquet")

    customers, accounts, transactions = read("customers"), read("accounts"), read("transactions")
    holdings, interactions = read("holdings"), read("interactions")
    start, end = period.start, period.end

    accounts = accounts[accounts["opened_min"].isna() | (accounts["opened_min"] < end)]
    account_volume = _account_volume(accounts, transactions, period)

    held = holdings[holdings["started_min"] < end]
    holding_weights = _weighted(
        held["amount_cents"].to_numpy(dtype=np.int64),
        held["started_min"].to_numpy(dtype=np.int64),
        _ints(held["ended_min"], OPEN_END),
        period,
    )
    holding_volume = (
        pd.DataFrame({"customer_id": held["customer_id"].to_numpy(), **holding_weights})
        .groupby("customer_id", as_index=False)[list(HALVES)]
        .sum()
        .rename(columns={name: f"h{name}" for name in HALVES})
    )

    initiated = transactions[
        transactions["customer_initiated"].fillna(False).astype(bool)
        & (transactions["booked_min"] < end)
    ]
    in_period = initiated[initiated["booked_min"] >= start]
    activity = (
        in_period.assign(
            turnover=in_period["signed_cents"].abs(),
            slice=(end - 1 - in_period["booked_min"]) // period.slice_minutes,
        )
        .groupby("customer_id")
        .agg(
            transactions=("booked_min", "size"),
            turnover_cents=("turnover", "sum"),
            active_slices=("slice", "nunique"),
        )
    )
    recency = initiated.groupby("customer_id")["booked_min"].max().rename("last_transaction_min")
    contacts = (
        interactions[(interactions["occurred_min"] >= start) & (interactions["occurred_min"] < end)]
        .groupby("customer_id")
        .size()
        .rename("interactions")
    )
    still_open = accounts["closed_min"].isna() | (accounts["closed_min"] >= end)
    active_holdings = held[held["ended_min"].isna() | (held["ended_min"] >= end)]
    categories = pd.concat(
        [
            accounts.loc[still_open, ["customer_id", "category"]],
            active_holdings[["customer_id", "category"]],
        ]
    ).drop_duplicates()
    products = categories.groupby("customer_id").size().rename("product_categories")
    relationship = (
        accounts.assign(still_open=still_open)
        .groupby("customer_id")
        .agg(
            accounts_opened=("account_id", "size"),
            first_opened_min=("opened_min", "min"),
            open_accounts=("still_open", "sum"),
        )
    )

    joined = customers
    for part in (account_volume.set_index("customer_id"), holding_volume.set_index("customer_id")):
        joined = joined.join(part, on="customer_id")
    for part in (activity, recency, contacts, products, relationship):
        joined = joined.join(part, on="customer_id")
    result = joined[
        [
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
        ]
    ].copy()
    for name, source in (
        ("balance_minutes", "bm"),
        ("balance_minutes_first", "bm_first"),
        ("balance_minutes_second", "bm_second"),
    ):
        result[name] = _ints(joined[source], 0) + _ints(joined[f"h{source}"], 0)
    for name in (
        "transactions",
        "turnover_cents",
        "active_slices",
        "interactions",
        "product_categories",
        "accounts_opened",
        "open_accounts",
    ):
        result[name] = _ints(joined[name], 0)
    return result.sort_values("customer_id", ignore_index=True)


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """As Arrow, with the integer columns pandas holds as float (because of NaN) back to int64."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.cast(
        pa.schema(
            pa.field(field.name, pa.int64()) if pa.types.is_floating(field.type) else field
            for field in table.schema
        )
    )
