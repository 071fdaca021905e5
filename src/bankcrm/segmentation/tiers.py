"""Value tiers (二八定律): concentration of business volume, and RFM quintile scores."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata

from bankcrm.core.enums import ValueTier
from bankcrm.segmentation.matrix import group_indices


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, → 1 = one holds everything.

    ``G = 2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n`` with the values sorted ascending, i = 1…n.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2 * np.sum(ranks * x) / (n * total) - (n + 1) / n)


def top_share(values: np.ndarray, fraction: float = 0.2) -> float:
    """Share of the total held by the largest ``fraction`` of customers (rounded up)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    total = x.sum()
    if len(x) == 0 or total <= 0:
        return 0.0
    head = math.ceil(fraction * len(x))
    return float(x[:head].sum() / total)


def lorenz_curve(values: np.ndarray, points: int = 101) -> tuple[list[float], list[float]]:
    """Cumulative share of volume held by the smallest p % of customers, at ``points`` p."""
    x = np.sort(np.asarray(values, dtype=float))
    population = np.linspace(0.0, 1.0, points)
    total = x.sum()
    if len(x) == 0 or total <= 0:
        return population.tolist(), population.tolist()
    cumulative = np.concatenate(([0.0], np.cumsum(x) / total))
    positions = np.arange(len(x) + 1) / len(x)
    volume = np.interp(population, positions, cumulative)
    return population.round(4).tolist(), volume.round(6).tolist()


def value_tiers(volume: np.ndarray, groups: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """A for the top ``cuts[0]`` of each type by contribution, B up to ``cuts[1]``, C the rest.

    Position is the customer's rank from the top (ties share the best rank) ÷ group size;
    customers without any volume are always C.
    """
    volume = np.asarray(volume, dtype=float)
    tiers = np.full(len(volume), ValueTier.C.value, dtype=object)
    for members in group_indices(groups):
        rank_from_top = rankdata(-volume[members], method="min")
        position = (rank_from_top - 1) / len(members)
        tier = np.where(
            position < cuts[0],
            ValueTier.A.value,
            np.where(position < cuts[1], ValueTier.B.value, ValueTier.C.value),
        )
        tier[volume[members] <= 0] = ValueTier.C.value
        tiers[members] = tier
    return tiers


def quintile_scores(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """1 (lowest fifth) … 5 (highest fifth) within each group; ties share a score."""
    values = np.asarray(values, dtype=float)
    scores = np.ones(len(values), dtype=np.int64)
    for members in group_indices(groups):
        ranks = rankdata(values[members], method="average")
        scores[members] = np.clip(1 + np.floor(5 * (ranks - 1) / len(members)), 1, 5)
    return scores


def rfm_scores(
    *,
    minutes_since_last: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    groups: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recency, frequency and monetary quintiles (5 = best). Never transacted = recency 1."""
    since = np.asarray(minutes_since_last, dtype=float)
    recency_value = np.where(np.isnan(since), -np.inf, -since)
    return (
        quintile_scores(recency_value, groups),
        quintile_scores(frequency, groups),
        quintile_scores(monetary, groups),
    )
