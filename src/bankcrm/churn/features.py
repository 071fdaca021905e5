"""A dated snapshot of every customer for the churn model: the segmentation pipeline's
features and scores, P(alive) from BG/NBD, and whether the customer has churned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from bankcrm.analytics.engine import Engine
from bankcrm.churn.model import FeatureMatrix
from bankcrm.clv.service import TransactionOutlook, transaction_outlook
from bankcrm.core.config import Settings
from bankcrm.segmentation.features import Period, customer_features
from bankcrm.segmentation.matrix import MINUTES_PER_MONTH
from bankcrm.segmentation.scoring import score

FEATURES: tuple[tuple[str, bool], ...] = (
    ("customer_type", True),
    ("credit_grade", False),
    ("tenure_months", False),
    ("months_since_last_transaction", False),
    ("transactions", False),
    ("active_months", False),
    ("turnover", False),
    ("business_volume", False),
    ("volume_trend", False),
    ("interactions", False),
    ("product_categories", False),
    ("open_accounts", False),
    ("loyalty_index", False),
    ("p_alive", False),
    ("expected_transactions", False),
)
"""The model's features and whether each is categorical."""


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    customer_id: np.ndarray
    matrix: FeatureMatrix
    live: np.ndarray
    """The relationship is on: accounts were opened and the customer has not churned."""
    churned: np.ndarray
    active: np.ndarray
    """Live and still active (:func:`still_active`): the risk set of an early warning; the
    other live customers have lapsed."""

    def feature(self, name: str) -> np.ndarray:
        return self.matrix.values[:, self.matrix.names.index(name)]

    def churned_later(self, later: Snapshot) -> np.ndarray:
        """Whether each customer of this snapshot has churned by ``later``."""
        position = np.searchsorted(later.customer_id, self.customer_id)
        return later.churned[position]


def still_active(
    months_since_last: np.ndarray, tenure_months: np.ndarray, active_months: int
) -> np.ndarray:
    """Whether the last customer-initiated transaction lies at most ``active_months`` back
    (exactly ``active_months`` is still active); a customer without one is active while the
    relationship is no older than that, and has lapsed afterwards."""
    since = np.asarray(months_since_last, dtype=float)
    return np.where(
        np.isnan(since),
        np.asarray(tenure_months, dtype=float) <= active_months,
        since <= active_months,
    )


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False).astype(float)


def _outlook_of(
    customer_id: np.ndarray, outlook: TransactionOutlook | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's P(alive) (NaN where unknown: no purchase yet, or no outlook because
    nobody has repeated a purchase) and expected transactions (0 where unknown)."""
    if outlook is None:
        return np.full(len(customer_id), np.nan), np.zeros(len(customer_id))
    buyers = outlook.data.customer_id.to_numpy(zero_copy_only=False).astype(np.int64)
    position = np.minimum(np.searchsorted(buyers, customer_id), len(buyers) - 1)
    known = buyers[position] == customer_id
    return (
        np.where(known, outlook.p_alive[position], np.nan),
        np.where(known, outlook.expected[position], 0.0),
    )


def snapshot(
    connection: Engine,
    tables: dict[str, ir.Table],
    purchases: ir.Table,
    *,
    as_of: date,
    settings: Settings,
    books_balances: bool = True,
) -> Snapshot:
    """Every customer as of ``as_of``, with features that look back twelve months
    (``books_balances`` as for :func:`customer_features`)."""
    period = Period.ending(as_of, settings.segmentation.period_months, settings.timezone)
    expression = customer_features(period=period, books_balances=books_balances, **tables)
    features = connection.to_arrow(expression)
    scored = score(features, period, settings.segmentation).table
    customer_id = features.column("customer_id").to_numpy().astype(np.int64)

    outlook = transaction_outlook(
        connection, purchases, as_of=as_of, months=settings.churn.horizon_months
    )
    p_alive, expected = _outlook_of(customer_id, outlook)

    onboarded = _numbers(features, "onboarded_min")
    started = np.where(np.isnan(onboarded), _numbers(features, "first_opened_min"), onboarded)
    tenure = (period.end - started) / MINUTES_PER_MONTH
    since_last = (period.end - _numbers(features, "last_transaction_min")) / MINUTES_PER_MONTH
    open_accounts = _numbers(features, "open_accounts")
    related = _numbers(features, "accounts_opened") > 0
    inactive = settings.churn.inactive_months
    silent = np.where(np.isnan(since_last), tenure >= inactive, since_last >= inactive)
    churned = related & ((open_accounts == 0) | silent)

    types = features.column("customer_type").to_numpy(zero_copy_only=False).astype(str)
    columns = {
        "customer_type": (types == "corporate").astype(float),
        "credit_grade": _numbers(scored, "credit_grade"),
        "tenure_months": tenure,
        "months_since_last_transaction": since_last,
        "transactions": _numbers(features, "transactions"),
        "active_months": _numbers(features, "active_slices"),
        "turnover": np.log1p(_numbers(features, "turnover_cents") / 100),
        "business_volume": np.log1p(_numbers(scored, "business_volume_cents") / 100),
        "volume_trend": _numbers(scored, "volume_trend"),
        "interactions": _numbers(features, "interactions"),
        "product_categories": _numbers(features, "product_categories"),
        "open_accounts": open_accounts,
        "loyalty_index": _numbers(scored, "loyalty_index"),
        "p_alive": p_alive,
        "expected_transactions": expected,
    }
    matrix = FeatureMatrix(
        names=tuple(name for name, _ in FEATURES),
        values=np.column_stack([columns[name] for name, _ in FEATURES]),
        categorical=tuple(categorical for _, categorical in FEATURES),
    )
    return Snapshot(
        as_of=as_of,
        customer_id=customer_id,
        matrix=matrix,
        live=related & ~churned,
        churned=churned,
        active=related & ~churned & still_active(since_last, tenure, settings.churn.active_months),
    )
