from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import ActionStage, InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.inputs import Choice, Day, Input, Name, NameChange, OptionalName, OptionalText
from bankcrm.core.pagination import MAX_ID
from bankcrm.quality.inspections.checklist import CODE_PATTERN, UNITS

MAX_OBSERVED = 1_000_000.0
"""The largest value an observation or target may have (a day is 86,400 s)."""
MAX_LINES = 200
"""More answers than any checklist has lines are refused before they are read."""

ScoreGroup = Literal["branch", "staff"]
UNIT_PATTERN = "^(" + "|".join(re.escape(unit) for unit in UNITS) + ")$"

Code = Field(pattern=CODE_PATTERN.pattern, max_length=32)
Title = Field(min_length=1, max_length=200, pattern=STORABLE_TEXT)
OptionalTitle = Field(default=None, max_length=200, pattern=STORABLE_TEXT)
Target = Field(default=None, ge=0, le=MAX_OBSERVED, allow_inf_nan=False)


class StandardCreate(Input):
    """A new standard; a measured one names unit, target and direction together."""

    code: str = Code
    category: Choice[StandardCategory]
    title: Name = Title
    """The title in Chinese."""
    title_en: OptionalName = OptionalTitle
    unit: str | None = Field(default=None, pattern=UNIT_PATTERN)
    target: float | None = Target
    direction: Choice[TargetDirection | None] = None
    servqual_items: list[int] = Field(default_factory=list, max_length=50)
    """SERVQUAL item numbers (1–22) the standard makes measurable."""


class StandardUpdate(Input):
    """Fields left out stay as they are. Sending any of unit, target and direction sets
    all three (none of them: the standard becomes a yes/no check). The code never changes:
    the service blueprint and the improvement actions refer to it."""

    version: int = Field(ge=1, le=MAX_ID)
    """The version the editor saw; someone else's change in between is a 409."""
    category: Choice[StandardCategory | None] = None
    title: NameChange = Field(default=None, min_length=1, max_length=200, pattern=STORABLE_TEXT)
    title_en: OptionalName = OptionalTitle
    unit: str | None = Field(default=None, pattern=UNIT_PATTERN)
    target: float | None = Target
    direction: Choice[TargetDirection | None] = None
    servqual_items: list[int] | None = Field(default=None, max_length=50)
    active: bool | None = None


class StandardBase(BaseModel):
    """A standard as a checklist line shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    category: StandardCategory
    title: str
    title_en: str | None
    unit: str | None
    target: float | None
    direction: TargetDirection | None


class StandardRead(StandardBase):
    id: int
    servqual_items: list[int]
    active: bool
    version: int


class CatalogueLoadRead(BaseModel):
    created: int
    updated: int
    """Shipped standards brought back to the shipped wording, target or items."""
    unchanged: int


class ChecklistRead(BaseModel):
    kind: InspectionKind
    standards: list[StandardRead]
    """The active standards the kind checks, category by category."""


class ResultCreate(Input):
    """One checklist line: ``passed`` for a yes/no standard, ``observed`` for a measured one
    (its verdict is computed from the target)."""

    standard: str = Code
    """The standard's code (``ETQ-01``)."""
    passed: bool | None = None
    observed: float | None = Field(default=None, ge=0, le=MAX_OBSERVED, allow_inf_nan=False)
    note: OptionalText = Field(default=None, max_length=500, pattern=STORABLE_TEXT)


class InspectionCreate(Input):
    kind: Choice[InspectionKind]
    branch_id: int = Field(ge=1, le=MAX_ID)
    staff_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """The front-line staff member observed, when the inspection is of one person."""
    inspected_on: Day
    note: OptionalText = Field(default=None, max_length=2000, pattern=STORABLE_TEXT)
    results: list[ResultCreate] = Field(min_length=1, max_length=MAX_LINES)
    """Every standard of the kind's checklist, answered once."""


class ResultRead(StandardBase):
    standard_id: int
    passed: bool
    observed: float | None
    note: str | None
    action_id: int | None
    """The corrective action a failed line belongs to."""
    action_stage: ActionStage | None
    action_opened_here: bool
    """Whether this inspection opened the action (else it was already open)."""


class InspectionRead(BaseModel):
    id: int
    kind: InspectionKind
    branch_id: int
    branch_code: str
    branch_name: str
    staff_id: int | None
    staff_name: str | None
    inspector_id: int | None
    inspector_name: str | None
    inspected_on: date
    note: str | None
    created_at: UtcDatetime
    checked: int
    passed: int
    score: float | None
    """Passed ÷ checked × 100."""


class InspectionDetail(InspectionRead):
    results: list[ResultRead]
    actions_opened: list[int]
    """Corrective actions this inspection opened (one per failed standard without one)."""


class StandardRate(BaseModel):
    standard_id: int
    code: str
    title: str
    title_en: str | None
    checked: int
    passed: int
    score: float | None


class ScoreRow(BaseModel):
    id: int
    code: str | None
    """The branch's code (staff rows: none)."""
    name: str
    inspections: int
    checked: int
    passed: int
    score: float | None
    weakest: list[StandardRate]
    """Branch rows: the standards it failed, lowest pass rate first (at most three)."""


class ScoreBoard(BaseModel):
    group: ScoreGroup
    since: date
    until: date
    kind: InspectionKind | None
    inspections: int
    checked: int
    passed: int
    score: float | None
    rows: list[ScoreRow]
    """Best score first."""
