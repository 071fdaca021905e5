"""Calibration/holdout validation of the transaction model (pure): expected against actual
repeat transactions by calibration frequency, and cumulatively over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bankcrm.clv.btyd import BetaGeoModel, FloatArray


@dataclass(frozen=True)
class FrequencyBucket:
    label: str
    """Repeat transactions in calibration: ``0``, ``1``, ``12–19`` … ``N+`` for the last."""
    customers: int
    actual: float
    """Mean repeat transactions per customer in the holdout."""
    expected: float


@dataclass(frozen=True)
class TrackingPoint:
    unit: int
    """Time units (weeks for the bank) since the start of the data."""
    actual: float
    """Cumulative repeat transactions of the calibration customers up to this point."""
    expected: float
    in_holdout: bool


@dataclass(frozen=True)
class Validation:
    buckets: list[FrequencyBucket]
    tracking: list[TrackingPoint]
    bucket_mae: float
    """Mean absolute error of the per-customer holdout means over the buckets."""
    tracking_mae: float
    """Mean absolute error of cumulative repeat transactions over the holdout's points."""
    holdout_error: float
    """(expected − actual) / actual of all repeat transactions in the holdout."""


def bucket_edges(frequency: FloatArray, buckets: int) -> FloatArray:
    """Lower edges of the frequency buckets: 0, 1, … ``buckets`` − 1 as in the papers, or,
    when more than a quarter of the customers would share the last bucket (a bank's
    customers transact often), the edges of equal-sized groups."""
    if np.mean(frequency >= buckets - 1) <= 0.25:
        return np.arange(buckets, dtype=float)
    quantiles = np.quantile(frequency, np.linspace(0, 1, buckets + 1)[:-1], method="lower")
    return np.unique(np.concatenate([[0.0], quantiles]))


def frequency_buckets(
    model: BetaGeoModel,
    *,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    holdout_frequency: FloatArray,
    holdout_length: float,
    buckets: int = 8,
) -> list[FrequencyBucket]:
    """Customers grouped by calibration frequency (``bucket_edges``), the mean holdout
    transactions per customer, actual and expected, in each group."""
    expected = model.conditional_expected_transactions(holdout_length, frequency, recency, age)
    edges = bucket_edges(frequency, buckets)
    bucket = np.searchsorted(edges, frequency, side="right") - 1
    rows = []
    for index, lower in enumerate(edges):
        members = bucket == index
        if not members.any():
            continue
        last = index == len(edges) - 1
        upper = int(edges[index + 1]) - 1 if not last else None
        if last:
            label = f"{int(lower)}+"
        elif upper == int(lower):
            label = str(int(lower))
        else:
            label = f"{int(lower)}–{upper}"
        rows.append(
            FrequencyBucket(
                label=label,
                customers=int(members.sum()),
                actual=float(holdout_frequency[members].mean()),
                expected=float(expected[members].mean()),
            )
        )
    return rows


def tracking(
    model: BetaGeoModel,
    *,
    birth: FloatArray,
    repeat_time: FloatArray,
    repeat_count: FloatArray,
    calibration_end: float,
    end: float,
) -> list[TrackingPoint]:
    """Cumulative repeat transactions per whole time unit from the earliest birth to ``end``:
    actual (``repeat_count`` at ``repeat_time``) and expected, Σ E[X(t − birth)] over the
    customers born by then (FHL 2005, figure 3). Times are in the model's unit."""
    births, born = np.unique(birth, return_counts=True)
    start = float(births.min())
    points = np.arange(np.floor(start) + 1, np.floor(end) + 1)
    # Births and points fall on few distinct distances: evaluate E[X(t)] once for each.
    elapsed, where = np.unique(
        np.maximum(points[:, None] - births[None, :], 0.0), return_inverse=True
    )
    expected_by_point = (
        model.expected_transactions(elapsed)[where.reshape(len(points), len(births))] @ born
    )
    order = np.argsort(repeat_time)
    cumulative_actual = np.cumsum(repeat_count[order])
    sorted_time = repeat_time[order]
    rows = []
    for point, expected in zip(points, expected_by_point, strict=True):
        seen = np.searchsorted(sorted_time, point, side="left")
        actual = float(cumulative_actual[seen - 1]) if seen else 0.0
        rows.append(
            TrackingPoint(
                unit=int(point - np.floor(start)),
                actual=actual,
                expected=float(expected),
                in_holdout=bool(point > calibration_end),
            )
        )
    return rows


def validate(
    model: BetaGeoModel,
    *,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    holdout_frequency: FloatArray,
    holdout_length: float,
    birth: FloatArray,
    repeat_time: FloatArray,
    repeat_count: FloatArray,
    calibration_end: float,
) -> Validation:
    buckets = frequency_buckets(
        model,
        frequency=frequency,
        recency=recency,
        age=age,
        holdout_frequency=holdout_frequency,
        holdout_length=holdout_length,
    )
    points = tracking(
        model,
        birth=birth,
        repeat_time=repeat_time,
        repeat_count=repeat_count,
        calibration_end=calibration_end,
        end=calibration_end + holdout_length,
    )
    holdout = [point for point in points if point.in_holdout]
    expected_total = float(
        model.conditional_expected_transactions(holdout_length, frequency, recency, age).sum()
    )
    actual_total = float(holdout_frequency.sum())
    return Validation(
        buckets=buckets,
        tracking=points,
        bucket_mae=float(np.mean([abs(b.expected - b.actual) for b in buckets])),
        tracking_mae=float(np.mean([abs(p.expected - p.actual) for p in holdout]))
        if holdout
        else 0.0,
        holdout_error=(expected_total - actual_total) / actual_total if actual_total else 0.0,
    )
