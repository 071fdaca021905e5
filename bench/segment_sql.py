"""The baseline: the segmentation aggregates as one hand-written DuckDB query over the Parquet.

Same figures as ``bankcrm.segmentation.features.customer_features`` (integers to the last
digit); the benchmark asserts that on a small bank before it times anything.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from bankcrm.segmentation.features import OPEN_END, Period


def _overlap(start: str, end: str, lo: int, hi: int) -> str:
    """Minutes of ``[start, end)`` inside ``[lo, hi)``, never negative."""
    return f"greatest(least({end}, {hi}) - greatest({start}, {lo}), 0)"


def _weighted(balance: str, start: str, end: str, period: Period, suffix: str = "") -> str:
    halves = (
        ("bm", period.start, period.end),
        ("bm_first", period.start, period.middle),
        ("bm_second", period.middle, period.end),
    )
    return ", ".join(
        f"{balance} * {_overlap(start, end, lo, hi)} AS {name}{suffix}" for name, lo, hi in halves
    )


def features_sql(ledger: Path, period: Period) -> str:
    def table(name: str) -> str:
        return f"read_parquet('{ledger / f'{name}.parquet'}')"

    start, end = period.start, period.end
    open_end = f"coalesce(closed_min, {OPEN_END})"
    # before each movement since the previous one; after the last one until the account closes
    before = _weighted(
        "(balance_after - signed_cents)",
        "coalesce(previous_min, least(coalesce(opened_min, booked_min), booked_min))",
        "booked_min",
        period,
        "_before",
    )
    after = _weighted(
        "balance_after",
        "booked_min",
        f"CASE WHEN next_min IS NULL THEN {open_end} ELSE booked_min END",
        period,
        "_after",
    )
    constant = _weighted("balance_cents", "opened_min", open_end, period)
    holding = _weighted("amount_cents", "started_min", f"coalesce(ended_min, {OPEN_END})", period)
    return f"""
WITH accounts AS (
    SELECT * FROM {table("accounts")} WHERE opened_min IS NULL OR opened_min < {end}
),
moves AS (
    SELECT t.account_id, t.booked_min, t.signed_cents, a.opened_min, a.closed_min,
           coalesce(
               t.balance_after_cents,
               a.balance_cents - coalesce(CAST(sum(t.signed_cents) OVER later AS BIGINT), 0)
           ) AS balance_after,
           lag(t.booked_min) OVER ordered AS previous_min,
           lead(t.booked_min) OVER ordered AS next_min
    FROM {table("transactions")} t JOIN accounts a USING (account_id)
    WINDOW ordered AS (PARTITION BY t.account_id ORDER BY t.booked_min, t.transaction_id),
           later AS (ordered ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
segments AS (
    SELECT account_id, {before},
           {after}
    FROM moves
),
moved AS (
    SELECT account_id, sum(bm_before + bm_after) AS bm,
           sum(bm_first_before + bm_first_after) AS bm_first,
           sum(bm_second_before + bm_second_after) AS bm_second
    FROM segments GROUP BY account_id
),
unmoved AS (
    SELECT account_id, {constant}
    FROM accounts a
    WHERE NOT EXISTS (SELECT 1 FROM {table("transactions")} t WHERE t.account_id = a.account_id)
),
account_volume AS (
    SELECT a.customer_id, sum(abs(v.bm)) AS bm, sum(abs(v.bm_first)) AS bm_first,
           sum(abs(v.bm_second)) AS bm_second
    FROM (SELECT * FROM moved UNION ALL SELECT * FROM unmoved) v JOIN accounts a USING (account_id)
    GROUP BY a.customer_id
),
held AS (
    SELECT * FROM {table("holdings")} WHERE started_min < {end}
),
holding_volume AS (
    SELECT customer_id, sum(bm) AS hbm, sum(bm_first) AS hbm_first, sum(bm_second) AS hbm_second
    FROM (
        SELECT customer_id, {holding}
        FROM held
    )
    GROUP BY customer_id
),
activity AS (
    SELECT customer_id,
           count(*) FILTER (WHERE booked_min >= {start}) AS transactions,
           sum(abs(signed_cents)) FILTER (WHERE booked_min >= {start}) AS turnover_cents,
           count(DISTINCT ({end - 1} - booked_min) // {period.slice_minutes})
               FILTER (WHERE booked_min >= {start}) AS active_slices,
           max(booked_min) AS last_transaction_min
    FROM {table("transactions")}
    WHERE customer_initiated AND booked_min < {end}
    GROUP BY customer_id
),
contacts AS (
    SELECT customer_id, count(*) AS interactions FROM {table("interactions")}
    WHERE occurred_min >= {start} AND occurred_min < {end}
    GROUP BY customer_id
),
products AS (
    SELECT customer_id, count(*) AS product_categories FROM (
        SELECT customer_id, category FROM accounts
        WHERE closed_min IS NULL OR closed_min >= {end}
        UNION
        SELECT customer_id, category FROM held WHERE ended_min IS NULL OR ended_min >= {end}
    )
    GROUP BY customer_id
),
relationship AS (
    SELECT customer_id, count(*) AS accounts_opened, min(opened_min) AS first_opened_min,
           count(*) FILTER (WHERE closed_min IS NULL OR closed_min >= {end}) AS open_accounts
    FROM accounts GROUP BY customer_id
)
SELECT c.customer_id, c.customer_type, c.status, c.branch_id, c.manager_id, c.credit_grade,
       c.other_banks_assets_cents, c.onboarded_min,
       y.last_transaction_min, r.first_opened_min,
       CAST(coalesce(v.bm, 0) + coalesce(h.hbm, 0) AS BIGINT) AS balance_minutes,
       CAST(coalesce(v.bm_first, 0) + coalesce(h.hbm_first, 0) AS BIGINT)
           AS balance_minutes_first,
       CAST(coalesce(v.bm_second, 0) + coalesce(h.hbm_second, 0) AS BIGINT)
           AS balance_minutes_second,
       coalesce(y.transactions, 0) AS transactions,
       CAST(coalesce(y.turnover_cents, 0) AS BIGINT) AS turnover_cents,
       coalesce(y.active_slices, 0) AS active_slices,
       coalesce(k.interactions, 0) AS interactions,
       coalesce(p.product_categories, 0) AS product_categories,
       coalesce(r.accounts_opened, 0) AS accounts_opened,
       coalesce(r.open_accounts, 0) AS open_accounts
FROM {table("customers")} c
LEFT JOIN account_volume v USING (customer_id)
LEFT JOIN holding_volume h USING (customer_id)
LEFT JOIN activity y USING (customer_id)
LEFT JOIN contacts k USING (customer_id)
LEFT JOIN products p USING (customer_id)
LEFT JOIN relationship r USING (customer_id)
ORDER BY c.customer_id
"""


def connect(memory_limit: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the settings the pipeline's engine gets (``engine._duckdb``)."""
    return duckdb.connect(
        config={"memory_limit": memory_limit, "temp_directory": tempfile.gettempdir()}
    )


def customer_features_sql(ledger: Path, period: Period, memory_limit: str) -> pa.Table:
    connection = connect(memory_limit)
    try:
        return connection.sql(features_sql(ledger, period)).to_arrow_table()
    finally:
        connection.close()
