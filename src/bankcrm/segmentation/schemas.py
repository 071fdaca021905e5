from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from bankcrm.core.enums import (
    AnalyticsEngine,
    CustomerType,
    LifecycleStage,
    LoyaltyFactor,
    Quadrant,
    ValueTier,
)
from bankcrm.core.pagination import Page


class QuadrantCounts(BaseModel):
    loyal: int
    problem_1: int
    problem_2: int
    ordinary: int


class LorenzRead(BaseModel):
    population: list[float]
    volume: list[float]


class ConcentrationRead(BaseModel):
    customers: int
    gini: float
    top20_share: float
    lorenz: LorenzRead


class SegmentRunRead(BaseModel):
    """What ``bankcrm segment run --json`` prints."""

    as_of: date
    engine: AnalyticsEngine
    customers: int
    quadrants: QuadrantCounts
    gini: float
    top20_share: float
    seconds: float
    tasks_created: int
    downgrades: int


class SegmentSummaryRead(BaseModel):
    as_of: date
    runs: list[date]
    customers: int
    quadrants: QuadrantCounts
    quadrant_volume: dict[Quadrant, Decimal]
    gini: float
    top20_share: float
    lorenz: LorenzRead
    by_type: dict[CustomerType, ConcentrationRead]


class SegmentPointRead(BaseModel):
    customer_id: int
    name: str
    customer_type: CustomerType
    business_share: float
    loyalty_index: float
    quadrant: Quadrant
    business_volume: Decimal


class SegmentPointsRead(BaseModel):
    as_of: date
    total: int
    points: list[SegmentPointRead]
    share_cut: float | None = None
    """Smallest business share counted as high, for the chosen customer type."""
    loyalty_cut: float | None = None
    """Loyalty index a customer must exceed to count as highly loyal, for the chosen type."""


class TransitionRead(BaseModel):
    source: Quadrant
    target: Quadrant
    customers: int


class DowngradeRead(BaseModel):
    customer_id: int
    name: str
    source: Quadrant
    target: Quadrant
    business_volume: Decimal


class MigrationRead(BaseModel):
    from_as_of: date
    to_as_of: date
    transitions: list[TransitionRead]
    downgrades: list[DowngradeRead]


class FactorRead(BaseModel):
    factor: LoyaltyFactor
    value: float | None
    score: float


class CustomerSegmentRead(BaseModel):
    customer_id: int
    as_of: date
    customer_type: CustomerType
    business_volume: Decimal
    business_share: float
    loyalty_index: float
    quadrant: Quadrant
    value_tier: ValueTier
    rfm: str
    lifecycle_stage: LifecycleStage
    volume_trend: float | None
    factors: list[FactorRead]
    history: list[tuple[date, Quadrant]]


class SegmentChangeRead(BaseModel):
    """What moved for one customer between their last two segmentation runs."""

    customer_id: int
    as_of: date
    business_volume: Decimal
    quadrant: Quadrant
    previous_as_of: date | None
    previous_business_volume: Decimal | None
    previous_quadrant: Quadrant | None


class SegmentCustomerRead(BaseModel):
    customer_id: int
    external_id: str
    name: str
    customer_type: CustomerType
    quadrant: Quadrant
    value_tier: ValueTier
    rfm: str
    lifecycle_stage: LifecycleStage
    business_volume: Decimal
    business_share: float
    loyalty_index: float
    branch_name: str | None = None
    manager_name: str | None = None


class SegmentCustomerPage(Page[SegmentCustomerRead]):
    as_of: date


class SegmentSort(StrEnum):
    """The columns the quadrant list sorts by (``-`` before one in the query: descending)."""

    NUMBER = "number"
    NAME = "name"
    TYPE = "type"
    QUADRANT = "quadrant"
    TIER = "tier"
    LIFECYCLE = "lifecycle"
    LOYALTY = "loyalty"
    SHARE = "share"
    VOLUME = "volume"


DEFAULT_SEGMENT_SORT = "-" + SegmentSort.VOLUME.value
"""Largest business volume first."""


class SegmentExport(BaseModel):
    """The rows of the quadrant list's export, in the list's order, and how many it holds."""

    as_of: date
    quadrant: Quadrant | None
    items: list[SegmentCustomerRead]
    total: int
