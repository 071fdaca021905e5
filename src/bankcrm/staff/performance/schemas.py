"""What the KPI API answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from bankcrm.core.enums import Role


class Unit(StrEnum):
    """How an indicator's figure reads."""

    YUAN = "yuan"
    SHARE = "share"
    COUNT = "count"
    POINTS = "points"
    HOURS = "hours"


class IndicatorRead(BaseModel):
    code: str
    unit: Unit
    figure: float | None
    """``None`` where the month had nothing to measure."""
    target: float | None
    weight: float | None
    attainment: float | None
    """The figure against its target (1.0 = on target)."""
    lower_is_better: bool


class KpiMonthRead(BaseModel):
    staff_id: int
    staff_name: str
    branch_id: int | None
    month: str
    """``YYYY-MM``."""
    role: Role
    score: float
    rank: int | None
    ranked_among: int | None
    computed_at: datetime
    indicators: list[IndicatorRead]


class StaffTrend(BaseModel):
    staff_id: int
    staff_name: str
    months: list[KpiMonthRead]
    """Oldest first."""


class BranchIndicatorRead(BaseModel):
    code: str
    unit: Unit
    total: float | None
    """The sum over the branch's staff, for volumes and counts; ``None`` for shares."""
    mean: float | None
    """The mean over the staff who have a figure."""
    measured: int
    """How many of the branch's staff have a figure."""


class BranchRollup(BaseModel):
    branch_id: int
    branch_name: str | None
    month: str
    staff: int
    indicators: list[BranchIndicatorRead]
    ranking: list[KpiMonthRead]
    """By role, then best score first."""


class BranchVolumeRead(BaseModel):
    """A branch's business volume at the end of its latest scored month and the month before."""

    month: date
    volume: float | None
    previous_month: date
    previous_volume: float | None

    @property
    def change(self) -> float | None:
        """The change as a share of the month before (0.02 = 2 %)."""
        if self.volume is None or not self.previous_volume:
            return None
        return self.volume / self.previous_volume - 1


class ComputeResult(BaseModel):
    month: str
    staff: int
    """Rows written (one per member of staff scored)."""
    branches: int
    frozen: int = 0
    """Staff of branches whose incentive pool of the month is approved, whose rows were kept."""
