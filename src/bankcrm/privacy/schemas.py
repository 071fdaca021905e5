from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import PrivacyRequestKind, PrivacyRequestStatus
from bankcrm.core.inputs import Choice, Input, OptionalText
from bankcrm.core.pagination import MAX_ID, Page


class PrivacyRequestCreate(Input):
    customer_id: int = Field(ge=1, le=MAX_ID)
    kind: Choice[PrivacyRequestKind]
    note: OptionalText = Field(default=None, max_length=2000, pattern=STORABLE_TEXT)
    reason: OptionalText = Field(default=None, max_length=2000, pattern=STORABLE_TEXT)
    """Why the bank processes the request; required for an access request (its export is
    recorded with it in the audit trail)."""
    corrections: dict[str, Annotated[str, Field(pattern=STORABLE_TEXT)] | None] | None = None
    """For a correction: profile field → new value (dates as YYYY-MM-DD, empty = clear)."""


class PrivacyDecision(Input):
    version: int = Field(ge=1, le=MAX_ID)
    """The version the decider saw; someone else's decision in between is a 409."""
    reason: OptionalText = Field(default=None, max_length=2000, pattern=STORABLE_TEXT)


class PrivacyRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    customer_name: str
    kind: PrivacyRequestKind
    status: PrivacyRequestStatus
    received_at: UtcDatetime
    due_on: date
    overdue: bool
    requested_by: str
    decided_by: str | None
    decided_at: UtcDatetime | None
    completed_at: UtcDatetime | None
    note: str | None
    reason: str | None
    corrections: dict[str, Any] | None
    outcome: str | None
    version: int


class PrivacyRequestPage(Page[PrivacyRequestRead]):
    pass
