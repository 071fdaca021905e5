from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from bankcrm.core.enums import AnalyticsEngine, Quadrant
from bankcrm.core.pagination import Page


class ClvRunRead(BaseModel):
    """What ``bankcrm clv run --json`` prints."""

    as_of: date
    engine: AnalyticsEngine
    customers: int
    params: dict[str, Any]
    total_clv_cents: int
    bucket_mae: float | None
    tracking_mae: float | None
    holdout_error: float | None
    seconds: float


class CustomerValueRead(BaseModel):
    as_of: date
    frequency: int
    recency_weeks: float
    age_weeks: float
    average_amount: Decimal | None
    p_alive: float
    expected_transactions: float
    """Transaction days expected in the next twelve months."""
    expected_amount: Decimal
    clv: Decimal
    horizon_months: int


class ValuableCustomerRead(BaseModel):
    customer_id: int
    name: str
    customer_number: str | None
    manager_name: str | None
    clv: Decimal
    expected_transactions: float
    """Transaction days expected in the next twelve months."""


class ValuableCustomerPage(Page[ValuableCustomerRead]):
    """A book's (or branch's, or bank's) customers by lifetime value, highest first."""

    as_of: date
    horizon_months: int


class QuadrantValueRead(BaseModel):
    quadrant: Quadrant
    customers: int
    clv: Decimal
    mean_clv: Decimal
    mean_p_alive: float


class ClvByQuadrantRead(BaseModel):
    as_of: date
    segments_as_of: date
    quadrants: list[QuadrantValueRead]


class FrequencyBucketRead(BaseModel):
    label: str
    customers: int
    actual: float
    expected: float


class TrackingPointRead(BaseModel):
    unit: int
    actual: float
    expected: float
    in_holdout: bool


class ClvValidationRead(BaseModel):
    as_of: date
    runs: list[date]
    params: dict[str, Any]
    holdout_months: int
    buckets: list[FrequencyBucketRead]
    tracking: list[TrackingPointRead]
    bucket_mae: float
    tracking_mae: float
    holdout_error: float
