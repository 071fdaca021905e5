"""Optimal binning with weight of evidence: each feature cut into a few bins whose bad rate
rises or falls steadily, plus a bin for missing values and one per special code.

A numeric feature is first cut at its quantiles (each distinct value is its own pre-bin when
there are few); isotonic regression of the pre-bins' bad rates, rising or falling, whichever
fits better, pools the pre-bins that break the trend, so the bins are monotonic. Bins
smaller than ``min_share`` of the rows, then the closest pair while there are more than
``max_bins``, are merged with the neighbour whose bad rate is nearest. A text feature's
categories are ordered by bad rate and merged the same way.

The weight of evidence of a bin is ``ln(share of goods / share of bads)`` with half a good
and half a bad added to every bin: a bin without a single bad (145 Berka loans with two
account holders, none bad) keeps its strong, finite weight instead of being merged away.
A value not seen in training (a new category, a missing value where none was missing, a
special code) gets weight 0, the population's average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import numpy as np
from sklearn.isotonic import IsotonicRegression

SMOOTHING = 0.5
"""Goods and bads added to every bin before the weight of evidence is taken."""
PREBINS = 20
Member = TypeVar("Member")


class BinKind(StrEnum):
    INTERVAL = "interval"
    """Numbers from ``low`` (inclusive) up to ``high`` (exclusive); ``None`` is unbounded."""
    CATEGORIES = "categories"
    MISSING = "missing"
    SPECIAL = "special"
    """One special code, such as 999 for "not applicable"."""


@dataclass(frozen=True)
class Bin:
    kind: BinKind
    count: int
    bads: int
    woe: float
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] = ()
    code: float | None = None

    @property
    def label(self) -> str:
        if self.kind is BinKind.INTERVAL:
            low = "-inf" if self.low is None else _number(self.low)
            high = "inf" if self.high is None else _number(self.high)
            return f"[{low}, {high})"
        if self.kind is BinKind.CATEGORIES:
            return ", ".join(self.categories)
        if self.kind is BinKind.SPECIAL:
            return f"special {_number(self.code or 0.0)}"
        return "missing"

    @property
    def bad_rate(self) -> float:
        return self.bads / self.count if self.count else 0.0


@dataclass(frozen=True)
class FeatureBins:
    """How one feature is binned: its bins in order and its information value."""

    name: str
    categorical: bool
    bins: tuple[Bin, ...]
    iv: float

    @property
    def splits(self) -> np.ndarray:
        """The cut points between the interval bins, ascending."""
        return np.array(
            [b.low for b in self.bins if b.kind is BinKind.INTERVAL and b.low is not None]
        )

    def woe(self, column: np.ndarray) -> np.ndarray:
        """Each value's weight of evidence (numbers as floats, text as objects)."""
        return self.bin_index_values(column, np.array([b.woe for b in self.bins]))

    def bin_index_values(self, column: np.ndarray, per_bin: np.ndarray) -> np.ndarray:
        """``per_bin[i]`` for each value that falls in bin ``i``; 0 for an unseen value."""
        result = np.zeros(len(column))
        if self.categorical:
            lookup = {
                category: per_bin[index]
                for index, b in enumerate(self.bins)
                for category in b.categories
            }
            missing = [i for i, b in enumerate(self.bins) if b.kind is BinKind.MISSING]
            labels, codes = np.unique(column.astype(str), return_inverse=True)
            by_label = np.array([lookup.get(label, 0.0) for label in labels])
            result = by_label[codes] if len(labels) else result
            if missing:
                result[_missing_text(column)] = per_bin[missing[0]]
            else:
                result[_missing_text(column)] = 0.0
            return result
        values = column.astype(float)
        known = ~np.isnan(values)
        special = np.zeros(len(values), dtype=bool)
        for index, b in enumerate(self.bins):
            if b.kind is BinKind.MISSING:
                result[~known] = per_bin[index]
            elif b.kind is BinKind.SPECIAL:
                hit = known & (values == b.code)
                result[hit] = per_bin[index]
                special |= hit
        intervals = [i for i, b in enumerate(self.bins) if b.kind is BinKind.INTERVAL]
        if intervals:
            ordinary = known & ~special
            position = np.searchsorted(self.splits, values[ordinary], side="right")
            result[ordinary] = per_bin[np.asarray(intervals)][position]
        return result


def _missing_text(column: np.ndarray) -> np.ndarray:
    return np.array([value is None for value in column], dtype=bool)


def _number(value: float) -> str:
    return f"{value:g}"


def bin_feature(
    name: str,
    column: np.ndarray,
    bad: np.ndarray,
    *,
    categorical: bool,
    special_codes: tuple[float, ...] = (),
    min_share: float = 0.05,
    max_bins: int = 6,
    monotonic: bool = True,
) -> FeatureBins:
    """Bin one feature against the bad flag; see the module's description."""
    bad = np.asarray(bad, dtype=bool)
    total_bads = int(bad.sum())
    total_goods = len(bad) - total_bads
    min_count = max(1, math.ceil(min_share * len(bad)))
    groups: list[tuple[int, int, dict[str, object]]] = []
    if categorical:
        missing = _missing_text(column)
        text = column[~missing].astype(str)
        labels, codes = np.unique(text, return_inverse=True)
        counts = np.bincount(codes, minlength=len(labels))
        bads = np.bincount(codes, weights=bad[~missing], minlength=len(labels)).astype(int)
        order = np.argsort(bads / counts, kind="stable")
        members = [[str(labels[i])] for i in order]
        merged = _merge(list(counts[order]), list(bads[order]), members, min_count, max_bins)
        groups = [
            (count, bads_in, {"kind": BinKind.CATEGORIES, "categories": tuple(sorted(labels_in))})
            for count, bads_in, labels_in in merged
        ]
        extra: list[tuple[np.ndarray, dict[str, object]]] = [(missing, {"kind": BinKind.MISSING})]
    else:
        values = column.astype(float)
        known = ~np.isnan(values)
        special = known & np.isin(values, special_codes)
        ordinary = known & ~special
        groups = _numeric_groups(
            values[ordinary], bad[ordinary], min_count, max_bins, monotonic=monotonic
        )
        extra = [(~known, {"kind": BinKind.MISSING})]
        extra += [
            (known & (values == code), {"kind": BinKind.SPECIAL, "code": float(code)})
            for code in special_codes
        ]
    for mask, fields in extra:
        if mask.any():
            groups.append((int(mask.sum()), int(bad[mask].sum()), fields))
    bins = []
    iv = 0.0
    for count, bads_in, fields in groups:
        goods_in = count - bads_in
        good_share = (goods_in + SMOOTHING) / (total_goods + SMOOTHING * len(groups))
        bad_share = (bads_in + SMOOTHING) / (total_bads + SMOOTHING * len(groups))
        woe = math.log(good_share / bad_share)
        iv += (goods_in / max(total_goods, 1) - bads_in / max(total_bads, 1)) * woe
        bins.append(Bin(count=int(count), bads=int(bads_in), woe=woe, **fields))  # type: ignore[arg-type]
    return FeatureBins(name=name, categorical=categorical, bins=tuple(bins), iv=float(iv))


def _numeric_groups(
    values: np.ndarray, bad: np.ndarray, min_count: int, max_bins: int, *, monotonic: bool
) -> list[tuple[int, int, dict[str, object]]]:
    if not len(values):
        return []
    distinct = np.unique(values)
    if len(distinct) <= PREBINS:
        splits = distinct[1:]
    else:
        quantiles = np.quantile(values, np.linspace(0, 1, PREBINS + 1)[1:-1], method="lower")
        splits = np.unique(quantiles[quantiles > distinct[0]])
    position = np.searchsorted(splits, values, side="right")
    counts = np.bincount(position, minlength=len(splits) + 1)
    bads = np.bincount(position, weights=bad, minlength=len(splits) + 1).astype(int)
    lows: list[float | None] = [None, *(float(split) for split in splits)]
    keep = counts > 0
    counts, bads = counts[keep], bads[keep]
    lows = [low for low, kept in zip(lows, keep, strict=True) if kept]
    lows[0] = None
    pooled = _monotonic_pools(counts, bads) if monotonic else [[i] for i in range(len(counts))]
    pooled_counts = [int(counts[pool].sum()) for pool in pooled]
    pooled_bads = [int(bads[pool].sum()) for pool in pooled]
    starts = [[lows[pool[0]]] for pool in pooled]
    merged = _merge(pooled_counts, pooled_bads, starts, min_count, max_bins)
    bounds = [low for _, _, (low, *_) in merged]
    highs = [*bounds[1:], None]
    return [
        (count, bads_in, {"kind": BinKind.INTERVAL, "low": low, "high": high})
        for (count, bads_in, _), low, high in zip(merged, bounds, highs, strict=True)
    ]


def _monotonic_pools(counts: np.ndarray, bads: np.ndarray) -> list[list[int]]:
    """Runs of neighbouring pre-bins that isotonic regression (rising or falling, the better
    fit) gives one bad rate."""
    positions = np.arange(len(counts))
    rates = bads / counts
    best: np.ndarray | None = None
    best_error = math.inf
    for increasing in (True, False):
        fitted = IsotonicRegression(increasing=increasing).fit_transform(
            positions, rates, sample_weight=counts
        )
        error = float(np.sum(counts * (rates - fitted) ** 2))
        if error < best_error - 1e-12:
            best, best_error = fitted, error
    assert best is not None
    pools: list[list[int]] = [[0]]
    for index in range(1, len(counts)):
        if math.isclose(best[index], best[index - 1], rel_tol=1e-9, abs_tol=1e-12):
            pools[-1].append(index)
        else:
            pools.append([index])
    return pools


def _merge(
    counts: list[int],
    bads: list[int],
    members: list[list[Member]],
    min_count: int,
    max_bins: int,
) -> list[tuple[int, int, list[Member]]]:
    """Neighbours merged until every bin holds ``min_count`` rows and there are at most
    ``max_bins``; each merge joins the pair whose bad rates are nearest."""
    bins = [
        (count, bad, list(group)) for count, bad, group in zip(counts, bads, members, strict=True)
    ]

    def gap(left: int) -> float:
        (count_a, bad_a, _), (count_b, bad_b, _) = bins[left], bins[left + 1]
        return abs(bad_a / count_a - bad_b / count_b)

    while len(bins) > 1:
        smallest = min(range(len(bins)), key=lambda index: bins[index][0])
        if bins[smallest][0] < min_count:
            candidates = [left for left in (smallest - 1, smallest) if 0 <= left < len(bins) - 1]
        elif len(bins) > max_bins:
            candidates = list(range(len(bins) - 1))
        else:
            break
        left = min(candidates, key=gap)
        (count_a, bad_a, group_a), (count_b, bad_b, group_b) = bins[left], bins[left + 1]
        bins[left : left + 2] = [(count_a + count_b, bad_a + bad_b, group_a + group_b)]
    return bins
