"""A generated bank folder (the import format) → a segmentation ledger folder, in DuckDB SQL.

The bench-side shortcut past the records store: external string ids become int64 keys
(``row_number`` in id order; transactions in file order), money text becomes integer fen,
dates the bank's local midnight and date-times whole minutes since 1970-01-01 UTC, like
``bankcrm.analytics.repository.read_ledger`` does for the store.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from bankcrm.analytics.ledger import SCHEMAS

SQL_TYPES = {pa.int64(): "BIGINT", pa.bool_(): "BOOLEAN", pa.string(): "VARCHAR"}
TABLES = ("branches", "staff", "products", "customers", "accounts", "holdings", "transactions")


def _source(bank: Path, name: str) -> str:
    """A bank table as all-text columns, from ``name.parquet`` or else ``name.csv``."""
    parquet = bank / f"{name}.parquet"
    if parquet.exists():
        return f"read_parquet('{parquet}')"
    return f"read_csv('{bank / f'{name}.csv'}', header = true, all_varchar = true)"


def _text(column: str) -> str:
    return f"NULLIF(TRIM(CAST({column} AS VARCHAR)), '')"


def _cents(column: str) -> str:
    return f"CAST(CAST({_text(column)} AS DECIMAL(18, 2)) * 100 AS BIGINT)"


def _local_midnight(column: str) -> str:
    """A date as the epoch minute of that day's midnight in the session time zone."""
    return f"(epoch_ms(CAST(CAST({_text(column)} AS DATE) AS TIMESTAMPTZ)) // 60000)"


def _minutes(column: str) -> str:
    """ISO 8601 with or without offset (then local) as whole epoch minutes."""
    return f"(epoch_ms(CAST({_text(column)} AS TIMESTAMPTZ)) // 60000)"


def _boolean(column: str) -> str:
    value = f"lower({_text(column)})"
    return (
        f"CASE WHEN {value} IN ('true', '1', 'yes') THEN true "
        f"WHEN {value} IN ('false', '0', 'no') THEN false END"
    )


def _queries(bank: Path) -> dict[str, str]:
    src = {name: _source(bank, name) for name in (*TABLES, "interactions")}
    return {
        "customers": f"""
            SELECT ck.key AS customer_id, {_text("c.customer_type")} AS customer_type,
                   {_text("c.status")} AS status, bk.key AS branch_id, sk.key AS manager_id,
                   {_text("c.credit_grade")} AS credit_grade,
                   {_cents("c.other_banks_assets")} AS other_banks_assets_cents,
                   {_local_midnight("c.onboarded_on")} AS onboarded_min
            FROM {src["customers"]} c
            JOIN customer_keys ck ON ck.id = c.id
            LEFT JOIN branch_keys bk ON bk.id = c.branch_id
            LEFT JOIN staff_keys sk ON sk.id = c.manager_id
            ORDER BY customer_id""",
        "accounts": f"""
            SELECT ak.key AS account_id, ak.customer_key AS customer_id, p.category,
                   {_local_midnight("a.opened_on")} AS opened_min,
                   {_local_midnight("a.closed_on")} AS closed_min,
                   {_cents("a.balance")} AS balance_cents
            FROM {src["accounts"]} a
            JOIN account_keys ak ON ak.id = a.id
            JOIN product_categories p ON p.id = a.product_id
            ORDER BY account_id""",
        "transactions": f"""
            SELECT t.transaction_id, ak.key AS account_id, ak.customer_key AS customer_id,
                   {_minutes("t.booked_at")} AS booked_min,
                   CASE WHEN t.direction = 'credit' THEN 1 ELSE -1 END
                       * {_cents("t.amount")} AS signed_cents,
                   {_boolean("t.customer_initiated")} AS customer_initiated,
                   CAST(NULL AS BIGINT) AS balance_after_cents
            FROM (SELECT row_number() OVER () AS transaction_id, * FROM {src["transactions"]}) t
            JOIN account_keys ak ON ak.id = t.account_id""",
        "holdings": f"""
            SELECT ck.key AS customer_id, p.category, {_cents("h.amount")} AS amount_cents,
                   {_local_midnight("h.started_on")} AS started_min,
                   {_local_midnight("h.ended_on")} AS ended_min
            FROM {src["holdings"]} h
            JOIN customer_keys ck ON ck.id = h.customer_id
            JOIN product_categories p ON p.id = h.product_id""",
        "interactions": f"""
            SELECT ck.key AS customer_id, {_minutes("i.occurred_at")} AS occurred_min
            FROM {src["interactions"]} i
            JOIN customer_keys ck ON ck.id = i.customer_id""",
    }


def convert(bank: Path, out: Path, *, timezone: str = "Asia/Shanghai") -> dict[str, int]:
    """Write ``customers.parquet`` … ``interactions.parquet`` into ``out``; rows per table."""
    out.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    try:
        connection.execute(f"SET TimeZone = '{timezone}'")
        for name, alias in (("branches", "branch"), ("staff", "staff"), ("customers", "customer")):
            connection.execute(
                f"CREATE TEMP TABLE {alias}_keys AS SELECT id, row_number() OVER (ORDER BY id)"
                f" AS key FROM {_source(bank, name)}"
            )
        connection.execute(
            "CREATE TEMP TABLE product_categories AS SELECT id, category FROM "
            + _source(bank, "products")
        )
        connection.execute(
            "CREATE TEMP TABLE account_keys AS SELECT a.id, row_number() OVER (ORDER BY a.id)"
            f" AS key, ck.key AS customer_key FROM {_source(bank, 'accounts')} a"
            " JOIN customer_keys ck ON ck.id = a.customer_id"
        )
        rows: dict[str, int] = {}
        for name, sql in _queries(bank).items():
            columns = ", ".join(
                f"CAST({field.name} AS {SQL_TYPES[field.type]}) AS {field.name}"
                for field in SCHEMAS[name]
            )
            path = out / f"{name}.parquet"
            connection.execute(
                f"COPY (SELECT {columns} FROM ({sql})) TO '{path}'"
                " (FORMAT parquet, COMPRESSION zstd)"
            )
            counted = connection.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
            rows[name] = int(counted[0]) if counted else 0
        return rows
    finally:
        connection.close()
