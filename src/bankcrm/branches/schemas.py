"""Request and answer bodies of the branch staffing plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from bankcrm.core.db import UtcDatetime
from bankcrm.core.inputs import Day, Input


class StaffingRecompute(Input):
    model_config = ConfigDict(strict=True, extra="forbid")

    week_start: Day
    """Any day of the week to plan; the plan starts on its Monday."""


class StaffingPlanRead(BaseModel):
    """A branch's plan for one week: ``plan`` holds the targets, the history it learnt
    from, each day's slots (forecast arrivals, counters, expected and simulated service
    level, counters the roster covers) and shifts, and the roster's staff-hours."""

    branch_id: int
    week_start: date
    slot_minutes: int
    computed_at: UtcDatetime
    plan: dict[str, Any]
