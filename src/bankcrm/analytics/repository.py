"""Reads the analytics ledger out of the records store as Arrow (:mod:`bankcrm.core.columnar`).

The SQL differs per dialect only in how a stored date-time becomes epoch minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from bankcrm.analytics.ledger import Ledger
from bankcrm.core.clock import bank_now
from bankcrm.core.columnar import read_tables
from bankcrm.core.config import Settings
from bankcrm.scope import SystemRepository


def _sqlite_minutes(column: str) -> str:
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / 60)"


def _postgres_minutes(column: str) -> str:
    return f"(CAST(floor(extract(epoch FROM {column})) AS BIGINT) / 60)"


class LedgerSystemRepository(SystemRepository):
    """The analytics runs' read of every customer's records (segmentation, lifetime value,
    churn): a job for the whole bank, through ADBC rather than the session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def read(self, *, as_of: datetime | None = None) -> Ledger:
        """Every record the feature pipelines read; dates become local midnight in the bank."""
        moment = as_of or bank_now()
        offset = moment.astimezone(ZoneInfo(self.settings.timezone)).utcoffset()
        offset_minutes = int(offset.total_seconds() // 60) if offset else 0
        url = make_url(self.settings.database_url)
        minutes = _sqlite_minutes if url.get_backend_name() == "sqlite" else _postgres_minutes
        queries = self.queries(minutes, offset_minutes)
        tables = read_tables(self.settings.database_url, list(queries.values()))
        return Ledger.from_tables(dict(zip(queries, tables, strict=True)))

    @staticmethod
    def queries(minutes: Callable[[str], str], offset_minutes: int) -> dict[str, str]:
        def local_midnight(column: str) -> str:
            return f"({minutes(column)} - {offset_minutes})"

        return {
            "customers": f"""
                SELECT id AS customer_id, customer_type, status, branch_id, manager_id,
                       credit_grade, other_banks_assets_cents,
                       {local_midnight("onboarded_on")} AS onboarded_min
                FROM customers""",
            "accounts": f"""
                SELECT a.id AS account_id, a.customer_id, p.category,
                       {local_midnight("a.opened_on")} AS opened_min,
                       {local_midnight("a.closed_on")} AS closed_min,
                       a.balance_cents
                FROM accounts a JOIN products p ON p.id = a.product_id""",
            "transactions": f"""
                SELECT id AS transaction_id, account_id, customer_id,
                       {minutes("booked_at")} AS booked_min,
                       CASE WHEN direction = 'credit' THEN amount_cents ELSE -amount_cents END
                           AS signed_cents,
                       customer_initiated, balance_after_cents
                FROM transactions""",
            "holdings": f"""
                SELECT h.customer_id, p.category, h.amount_cents,
                       {local_midnight("h.started_on")} AS started_min,
                       {local_midnight("h.ended_on")} AS ended_min
                FROM holdings h JOIN products p ON p.id = h.product_id""",
            "interactions": f"""
                SELECT customer_id, {minutes("occurred_at")} AS occurred_min FROM interactions""",
        }


def read_ledger(settings: Settings, *, as_of: datetime | None = None) -> Ledger:
    """Every record the feature pipelines read (:class:`LedgerSystemRepository`)."""
    return LedgerSystemRepository(settings).read(as_of=as_of)
