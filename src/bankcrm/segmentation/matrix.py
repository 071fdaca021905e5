"""The customer matrix (客户矩阵): business share × loyalty index, and its four quadrants.

Pure functions on NumPy arrays, one element per customer. ``groups`` holds the customer
type of each element: individuals and corporates are never ranked together.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import rankdata

from bankcrm.core.enums import CreditGrade, LoyaltyFactor, Quadrant

MINUTES_PER_YEAR = 365.25 * 24 * 60
MINUTES_PER_MONTH = MINUTES_PER_YEAR / 12

CREDIT_GRADE_POINTS: dict[str, float] = {
    grade.value: float(len(CreditGrade) - position) for position, grade in enumerate(CreditGrade)
}
"""AAA = 9 points … C = 1 point; only the order matters after normalisation."""


def group_codes(groups: np.ndarray) -> np.ndarray:
    """Small integer codes for group labels: grouping by them is much cheaper than by text."""
    return np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)


def group_indices(groups: np.ndarray) -> list[np.ndarray]:
    """Indices of each non-empty group's members, groups in sorted order."""
    groups = np.asarray(groups)
    if groups.dtype.kind not in "iub":
        groups = group_codes(groups)
    members = (np.flatnonzero(groups == value) for value in range(int(groups.max(initial=-1)) + 1))
    return [indices for indices in members if len(indices)]


def percentile_scores(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each value's position within its group, 0 (lowest) … 1 (highest).

    Ties share their average rank; a missing value (NaN) scores 0.5, the middle, so an
    unknown factor neither lifts nor sinks a customer; a group of one scores 0.5.
    """
    values = np.asarray(values, dtype=float)
    scores = np.full(len(values), 0.5)
    for members in group_indices(groups):
        known = members[~np.isnan(values[members])]
        if len(known) < 2:
            continue
        ranks = rankdata(values[known], method="average")
        scores[known] = (ranks - 1) / (len(known) - 1)
    return scores


def loyalty_factors(
    *,
    period_end_min: int,
    period_months: int,
    relationship_start_min: np.ndarray,
    interactions: np.ndarray,
    active_slices: np.ndarray,
    transactions: np.ndarray,
    product_categories: np.ndarray,
    business_volume_cents: np.ndarray,
    other_banks_assets_cents: np.ndarray,
    credit_grades: np.ndarray,
) -> dict[LoyaltyFactor, np.ndarray]:
    """The seven raw factors (NaN where unknown), as defined in ``docs/segmentation.md``."""
    start = np.asarray(relationship_start_min, dtype=float)
    trust = np.where(np.isnan(start), np.nan, (period_end_min - start) / MINUTES_PER_YEAR)
    volume = np.asarray(business_volume_cents, dtype=float)
    elsewhere = np.asarray(other_banks_assets_cents, dtype=float)
    wallet = volume + elsewhere
    with np.errstate(invalid="ignore", divide="ignore"):
        share_of_wallet = np.where(
            np.isnan(elsewhere) | (wallet <= 0), np.nan, volume / np.where(wallet > 0, wallet, 1)
        )
    grade_points = np.asarray(
        [CREDIT_GRADE_POINTS.get(grade, np.nan) if grade else np.nan for grade in credit_grades],
        dtype=float,
    )
    return {
        LoyaltyFactor.TRUST: np.maximum(trust, 0.0),
        LoyaltyFactor.COMMUNICATION: np.asarray(interactions, dtype=float),
        LoyaltyFactor.TRANSACTION_FREQUENCY: np.asarray(active_slices, dtype=float) / period_months,
        LoyaltyFactor.ANNUAL_TRANSACTIONS: np.asarray(transactions, dtype=float)
        * 12
        / period_months,
        LoyaltyFactor.PRODUCT_DEPENDENCY: np.asarray(product_categories, dtype=float),
        LoyaltyFactor.SHARE_OF_WALLET: share_of_wallet,
        LoyaltyFactor.CREDIT_GRADE: grade_points,
    }


def loyalty_index(
    scores: Mapping[LoyaltyFactor, np.ndarray], weights: Mapping[str, float]
) -> np.ndarray:
    """Weighted mean of the factor scores (each 0–1), on a 0–100 scale."""
    total_weight = sum(weights.get(factor.value, 0.0) for factor in LoyaltyFactor)
    if total_weight <= 0:
        raise ValueError("at least one loyalty weight must be positive")
    weighted = sum(
        weights.get(factor.value, 0.0) * np.asarray(scores[factor], dtype=float)
        for factor in LoyaltyFactor
    )
    return 100.0 * np.asarray(weighted) / total_weight


def business_shares(volume: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each customer's volume ÷ the total volume of their customer type (sums to 1 per type)."""
    volume = np.asarray(volume, dtype=float)
    shares = np.zeros(len(volume))
    for members in group_indices(groups):
        total = volume[members].sum()
        if total > 0:
            shares[members] = volume[members] / total
    return shares


def high_share(volume: np.ndarray, groups: np.ndarray, cumulative: float) -> np.ndarray:
    """The largest customers of each type that together make ``cumulative`` of its volume.

    A customer is "high" when the customers larger than them hold less than ``cumulative``
    of the volume: the one who crosses the line belongs to the head. Ties are broken by
    position so the result does not depend on the engine's row order beyond the input's.
    """
    volume = np.asarray(volume, dtype=float)
    high = np.zeros(len(volume), dtype=bool)
    for members in group_indices(groups):
        total = volume[members].sum()
        if total <= 0:
            continue
        order = members[np.argsort(-volume[members], kind="stable")]
        before = np.concatenate(([0.0], np.cumsum(volume[order])[:-1])) / total
        high[order] = (before < cumulative) & (volume[order] > 0)
    return high


def high_loyalty(loyalty: np.ndarray, groups: np.ndarray, quantile: float) -> np.ndarray:
    """Loyalty strictly above the ``quantile`` of the customer's type (default the median)."""
    loyalty = np.asarray(loyalty, dtype=float)
    high = np.zeros(len(loyalty), dtype=bool)
    for members in group_indices(groups):
        cut = np.quantile(loyalty[members], quantile)
        high[members] = loyalty[members] > cut
    return high


def quadrants(is_high_share: np.ndarray, is_high_loyalty: np.ndarray) -> np.ndarray:
    """忠诚客户 / 问题客户1 / 问题客户2 / 一般客户 from the two cuts."""
    return np.select(
        [
            is_high_share & is_high_loyalty,
            ~is_high_share & is_high_loyalty,
            is_high_share & ~is_high_loyalty,
        ],
        [Quadrant.LOYAL.value, Quadrant.PROBLEM_1.value, Quadrant.PROBLEM_2.value],
        default=Quadrant.ORDINARY.value,
    ).astype(object)
