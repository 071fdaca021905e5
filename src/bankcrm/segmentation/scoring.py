"""From the engine's per-customer aggregates to every customer's segment (pure, NumPy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from bankcrm.core.config import SegmentationSettings
from bankcrm.core.enums import LoyaltyFactor, Quadrant
from bankcrm.segmentation.features import Period
from bankcrm.segmentation.lifecycle import lifecycle_stages, volume_trend
from bankcrm.segmentation.matrix import (
    MINUTES_PER_MONTH,
    business_shares,
    group_codes,
    high_loyalty,
    high_share,
    loyalty_factors,
    loyalty_index,
    percentile_scores,
    quadrants,
)
from bankcrm.segmentation.tiers import gini, lorenz_curve, rfm_scores, top_share, value_tiers


def _column(features: pa.Table, name: str, *, fill: float | None = None) -> np.ndarray:
    column = features.column(name)
    if fill is None:
        return column.to_numpy(zero_copy_only=False).astype(float)
    return column.fill_null(fill).to_numpy(zero_copy_only=False)


def _finite_or_null(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=~np.isfinite(values))


@dataclass(frozen=True)
class Scored:
    """Every customer's segment (``table``) and the run's headline figures (``summary``)."""

    table: pa.Table
    summary: dict[str, Any]


def score(features: pa.Table, period: Period, settings: SegmentationSettings) -> Scored:
    types = features.column("customer_type").to_numpy(zero_copy_only=False).astype(str)
    groups = group_codes(types)
    volume = np.round(_column(features, "balance_minutes", fill=0) / period.minutes)
    volume_first = _column(features, "balance_minutes_first", fill=0) / (
        period.middle - period.start
    )
    volume_second = _column(features, "balance_minutes_second", fill=0) / (
        period.end - period.middle
    )
    onboarded = _column(features, "onboarded_min")
    first_opened = _column(features, "first_opened_min")
    relationship_start = np.where(np.isnan(onboarded), first_opened, onboarded)
    last_transaction = _column(features, "last_transaction_min")
    transactions = _column(features, "transactions", fill=0)
    turnover = _column(features, "turnover_cents", fill=0)

    raw = loyalty_factors(
        period_end_min=period.end,
        period_months=period.months,
        relationship_start_min=relationship_start,
        interactions=_column(features, "interactions", fill=0),
        active_slices=_column(features, "active_slices", fill=0),
        transactions=transactions,
        product_categories=_column(features, "product_categories", fill=0),
        business_volume_cents=volume,
        other_banks_assets_cents=_column(features, "other_banks_assets_cents"),
        credit_grades=features.column("credit_grade").to_pylist(),
    )
    # Prospects have no relationship to rank: they are scored apart and sit at the bottom.
    related = _column(features, "accounts_opened", fill=0) > 0
    ranking_groups = 2 * groups + related
    scores = {
        factor: np.where(related, percentile_scores(values, ranking_groups), 0.0)
        for factor, values in raw.items()
    }
    loyalty = loyalty_index(scores, settings.loyalty_weights)
    shares = business_shares(volume, groups)
    quadrant = quadrants(
        high_share(volume, groups, settings.high_share_cumulative),
        high_loyalty(loyalty, ranking_groups, settings.high_loyalty_quantile) & related,
    )
    tiers = value_tiers(volume, groups, settings.value_tier_cuts)
    since_last = (period.end - last_transaction) / MINUTES_PER_MONTH
    recency, frequency, monetary = (
        np.where(related, score_values, 1)
        for score_values in rfm_scores(
            minutes_since_last=period.end - last_transaction,
            frequency=transactions,
            monetary=turnover,
            groups=ranking_groups,
        )
    )
    trend = volume_trend(volume_first, volume_second)
    stages = lifecycle_stages(
        tenure_months=(period.end - relationship_start) / MINUTES_PER_MONTH,
        months_since_last_transaction=since_last,
        accounts_opened=_column(features, "accounts_opened", fill=0),
        open_accounts=_column(features, "open_accounts", fill=0),
        trend=trend,
        rules=settings.lifecycle,
    )
    columns: dict[str, Any] = {
        "customer_id": features.column("customer_id"),
        "customer_type": features.column("customer_type"),
        "branch_id": features.column("branch_id"),
        "manager_id": features.column("manager_id"),
        "business_volume_cents": pa.array(volume.astype(np.int64)),
        "business_share": pa.array(shares),
        "loyalty_index": pa.array(np.round(loyalty, 6)),
        "quadrant": pa.array(quadrant, pa.string()),
        "value_tier": pa.array(tiers, pa.string()),
        "recency_score": pa.array(recency),
        "frequency_score": pa.array(frequency),
        "monetary_score": pa.array(monetary),
        "lifecycle_stage": pa.array(stages, pa.string()),
        "volume_trend": _finite_or_null(np.round(trend, 6)),
    }
    for factor in LoyaltyFactor:
        values = raw[factor]
        columns[factor.value] = _finite_or_null(np.round(values, 6))
        columns[f"{factor.value}_score"] = pa.array(np.round(100 * scores[factor], 4))
    table = pa.table(columns)
    summary = summarise(table)
    is_high_share = np.isin(quadrant, [Quadrant.LOYAL.value, Quadrant.PROBLEM_2.value])
    for customer_type, figures in summary["by_type"].items():
        members = (types == customer_type) & related
        head = shares[members & is_high_share]
        figures["share_cut"] = float(head.min()) if len(head) else None
        figures["loyalty_cut"] = (
            round(float(np.quantile(loyalty[members], settings.high_loyalty_quantile)), 6)
            if members.any()
            else None
        )
    return Scored(table, summary)


def summarise(table: pa.Table) -> dict[str, Any]:
    """Counts, volume per quadrant, concentration (bank-wide and per type) and Lorenz curves."""
    volume = table.column("business_volume_cents").to_numpy().astype(float)
    quadrant = table.column("quadrant").to_numpy(zero_copy_only=False)
    types = table.column("customer_type").to_numpy(zero_copy_only=False)
    population, lorenz = lorenz_curve(volume)
    by_type: dict[str, Any] = {}
    for customer_type in sorted(set(types.tolist())):
        mask = types == customer_type
        type_population, type_lorenz = lorenz_curve(volume[mask])
        by_type[customer_type] = {
            "customers": int(mask.sum()),
            "gini": round(gini(volume[mask]), 6),
            "top20_share": round(top_share(volume[mask], 0.2), 6),
            "lorenz": {"population": type_population, "volume": type_lorenz},
        }
    return {
        "customers": len(volume),
        "quadrants": {q.value: int((quadrant == q.value).sum()) for q in Quadrant},
        "quadrant_volume_cents": {
            q.value: int(volume[quadrant == q.value].sum()) for q in Quadrant
        },
        "gini": round(gini(volume), 6),
        "top20_share": round(top_share(volume, 0.2), 6),
        "lorenz": {"population": population, "volume": lorenz},
        "by_type": by_type,
    }
