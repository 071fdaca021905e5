from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.enums import PrivacyRequestKind, PrivacyRequestStatus
from bankcrm.core.pagination import Page


class PrivacyRequestCreate(BaseModel):
    customer_id: int = Field(ge=1, le=2**31 - 1)
    kind: PrivacyRequestKind
    note: str | None = Field(default=None, max_length=2000)
    corrections: dict[str, str | None] | None = None
    """For a correction: profile field → new value (dates as YYYY-MM-DD, empty = clear)."""


class PrivacyDecision(BaseModel):
    version: int = Field(ge=1)
    """The version the decider saw; someone else's decision in between is a 409."""
    reason: str | None = Field(default=None, max_length=2000)


class PrivacyRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    customer_name: str
    kind: PrivacyRequestKind
    status: PrivacyRequestStatus
    received_at: datetime
    due_on: date
    overdue: bool
    requested_by: str
    decided_by: str | None
    decided_at: datetime | None
    completed_at: datetime | None
    note: str | None
    corrections: dict[str, Any] | None
    outcome: str | None
    version: int


class PrivacyRequestPage(Page[PrivacyRequestRead]):
    pass
