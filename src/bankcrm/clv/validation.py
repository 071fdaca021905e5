"""Calibration/holdout validation of the transaction model (pure): expected against actual
repeat transactions by calibration frequency, and cumulatively over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bankcrm.clv.btyd import BetaGeoModel, FloatArray


@dataclass(frozen=True)
class FrequencyBucket:
    label: str
    """Repeat transactions in calibration: ``0``, ``1`` … or ``N+`` for the last bucket."""
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
    """Customers grouped by calibration frequency 0 … ``buckets`` − 2 and the rest."""
    expected = model.conditional_expected_transactions(holdout_length, frequency, recency, age)
    bucket = np.minimum(frequency, buckets - 1).astype(int)
    rows = []
    for index in range(buckets):
        members = bucket == index
        if not members.any():
            continue
        label = f"{index}+" if index == buckets - 1 else str(index)
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
    order = np.argsort(repeat_time)
    cumulative_actual = np.cumsum(repeat_count[order])
    sorted_time = repeat_time[order]
    rows = []
    for point in points:
        elapsed = np.maximum(point - births, 0.0)
        expected = float(born @ model.expected_transactions(elapsed))
        seen = np.searchsorted(sorted_time, point, side="left")
        actual = float(cumulative_actual[seen - 1]) if seen else 0.0
        rows.append(
            TrackingPoint(
                unit=int(point - np.floor(start)),
                actual=actual,
                expected=expected,
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
