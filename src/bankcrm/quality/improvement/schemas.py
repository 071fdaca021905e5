from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import ActionOrigin, ActionStage, TargetDirection
from bankcrm.core.inputs import Choice, Day, Input, Name, NameChange, OptionalName, OptionalText
from bankcrm.core.pagination import MAX_ID

CODE = r"^[a-z0-9_]{1,32}$"
MEASURE_LIMIT = 1e12
"""Bound of any figure typed in; far beyond every rate, count or duration the board tracks."""


def _title(default: Any = ...) -> Any:
    return Field(default, min_length=1, max_length=200, pattern=STORABLE_TEXT)


def _measure(default: Any = None) -> Any:
    return Field(default, ge=-MEASURE_LIMIT, le=MEASURE_LIMIT, allow_inf_nan=False)


OptionalId = Field(default=None, ge=1, le=MAX_ID)


class ActionBase(Input):
    owner_id: int | None = OptionalId
    """The staff member who drives the action; on a new action the caller when left out."""
    description: OptionalText = Field(default=None, max_length=5000, pattern=STORABLE_TEXT)
    metric: OptionalName = Field(default=None, max_length=200, pattern=STORABLE_TEXT)
    metric_before: float | None = _measure()


class ActionCreate(ActionBase):
    title: Name = _title()
    due_on: Day
    origin: Choice[ActionOrigin] = ActionOrigin.OTHER
    branch_id: int | None = OptionalId
    gap: int | None = Field(default=None, ge=1, le=5)
    dimension: OptionalName = Field(default=None, max_length=64, pattern=STORABLE_TEXT)
    inspection_id: int | None = OptionalId
    standard_id: int | None = OptionalId
    complaint_id: int | None = OptionalId
    higher_is_better: bool = True


class ActionUpdate(ActionBase):
    """Fields left out stay as they are; the metric can change only before the check."""

    version: int = Field(ge=1, le=MAX_ID)
    due_on: Day | None = None
    higher_is_better: bool | None = None


class StageMove(Input):
    stage: Choice[ActionStage]
    version: int = Field(ge=1, le=MAX_ID)
    """The version the caller saw; someone else's change in between is a 409."""
    metric_after: float | None = _measure()
    """The metric measured again, required when moving to ``check``."""


class ActionRead(BaseModel):
    id: int
    title: str
    description: str | None
    stage: ActionStage
    owner_id: int
    owner_name: str
    branch_id: int | None
    branch_code: str | None
    branch_name: str | None
    due_on: date
    overdue: bool
    origin: ActionOrigin
    gap: int | None
    dimension: str | None
    inspection_id: int | None
    standard_id: int | None
    complaint_id: int | None
    metric: str | None
    higher_is_better: bool
    metric_before: float | None
    metric_after: float | None
    effective: bool | None
    next_stages: list[ActionStage]
    created_by_id: int | None
    created_at: UtcDatetime
    closed_at: UtcDatetime | None
    version: int


class ActionList(BaseModel):
    items: list[ActionRead]


class PromiseBase(Input):
    product_line: str | None = Field(default=None, pattern=CODE)
    """A product line of the complaint taxonomy."""
    unit: OptionalName = Field(default=None, max_length=16, pattern=STORABLE_TEXT)
    delivered: float | None = _measure()
    measured_on: Day | None = None


class PromiseCreate(PromiseBase):
    title: Name = _title()
    promised: float = _measure(...)
    direction: Choice[TargetDirection] = TargetDirection.AT_MOST
    active: bool = True


class PromiseUpdate(PromiseBase):
    """Fields left out stay as they are."""

    title: NameChange = _title(None)
    promised: float | None = _measure()
    direction: Choice[TargetDirection | None] = None
    active: bool | None = None


class PromiseRead(BaseModel):
    id: int
    title: str
    product_line: str | None
    unit: str | None
    promised: float
    direction: TargetDirection
    delivered: float | None
    measured_on: date | None
    kept: bool | None
    """Whether the delivered value keeps the promise; none until it is measured."""
    active: bool


class PromiseList(BaseModel):
    items: list[PromiseRead]


class DiagnosisActionCreate(Input):
    gap: int = Field(ge=-MAX_ID, le=MAX_ID)
    """The gap number (1–5) whose finding the action takes over."""


class ControlMethodRead(BaseModel):
    zh: str
    en: str


class GapRead(BaseModel):
    gap: int
    name: str
    definition: str
    status: str
    """``open``, ``closed`` or ``unknown`` (no data)."""
    severity: float | None
    weakest: str | None
    """The weakest element as the evidence names it (item, branch, promise, dimension)."""
    weakest_label: str | None
    """The same in words: a branch's code and name, a dimension's or item's name."""
    figures: dict[str, Any]
    methods: list[ControlMethodRead]


class DiagnosisRead(BaseModel):
    as_of: date
    period_start: date
    period_end: date
    open_gaps: list[GapRead]
    """Ranked by severity, most severe first."""
    closed_gaps: list[GapRead]
    unknown_gaps: list[GapRead]
