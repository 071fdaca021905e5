"""Request and answer bodies of incentive pools and statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import PoolStatus
from bankcrm.core.inputs import Choice, Day, Input
from bankcrm.core.pagination import MAX_ID

MAX_POOL = Decimal("1000000000")
"""The largest monthly pool of one branch, yuan (a billion)."""


class PoolCreate(Input):
    branch_id: int = Field(ge=1, le=MAX_ID)
    month: Day
    """Any day of the month; the pool is for the whole month."""
    amount: Choice[Decimal] = Field(gt=0, le=MAX_POOL, decimal_places=2)
    """Yuan."""

    @field_validator("month")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        return value.replace(day=1)


class PoolApprove(Input):
    version: int = Field(ge=1, le=MAX_ID)


class PoolRead(BaseModel):
    id: int
    version: int
    branch_id: int
    branch_name: str
    month: date
    amount: Decimal
    unallocated: Decimal
    status: PoolStatus
    statements: int
    created_by: str | None
    approved_by: str | None
    approved_at: UtcDatetime | None


class StatementLineRead(BaseModel):
    code: str
    """A component's code, ``cap`` or ``clawback``."""
    amount: Decimal
    basis: float | None = None
    threshold: float | None = None
    paid: bool = True
    clawback_id: int | None = None


class ClawbackRead(BaseModel):
    id: int
    sale_id: int
    complaint_id: int
    amount: Decimal
    rule: str
    reason: str | None
    created_at: UtcDatetime


class StatementRead(BaseModel):
    id: int
    pool_id: int
    pool_status: PoolStatus
    staff_id: int
    staff_name: str
    branch_id: int
    branch_name: str
    month: date
    score: float
    gross: Decimal
    clawback: Decimal
    net: Decimal
    lines: list[StatementLineRead]
    clawbacks: list[ClawbackRead]
    approved_by: str | None
    approved_at: UtcDatetime | None
