"""Request and answer bodies of queue tickets, their times and the service flow."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from bankcrm.core.db import UtcDatetime
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.core.inputs import Choice, Input, Name
from bankcrm.core.pagination import MAX_ID

BranchId = Field(ge=1, le=MAX_ID)

# --- tickets --------------------------------------------------------------------------------


class TicketCreate(Input):
    branch_id: int = BranchId
    service_type: Name = Field(max_length=32)
    """A code of the service flow's service types (``cash``, ``wealth``, …)."""
    priority: Choice[TicketPriority] = TicketPriority.NORMAL


class CallNext(Input):
    branch_id: int = BranchId
    counter: Name = Field(max_length=16, pattern=r"^[0-9A-Za-z\-]+$")
    """The counter the caller serves at (``3``, ``VIP-1``)."""


class TicketRead(BaseModel):
    id: int
    branch_id: int
    issued_on: date
    number: str
    service_type: str
    service_type_name: str
    priority: TicketPriority
    status: TicketStatus
    arrived_at: UtcDatetime
    called_at: UtcDatetime | None
    started_at: UtcDatetime | None
    ended_at: UtcDatetime | None
    counter: str | None
    staff_id: int | None
    staff_name: str | None
    """The full name of who called the ticket."""
    source: str
    wait_minutes: float | None
    """From arrival to the call."""
    service_minutes: float | None
    """From the start of service to its end."""


class ImportRead(BaseModel):
    branch_id: int
    file: str
    rows: int
    created: int
    updated: int
    """Visits already stored under their day and number, changed to what the file says."""


# --- times ----------------------------------------------------------------------------------


class SummaryRead(BaseModel):
    """Minutes."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    longest: float | None


class WorkloadRead(BaseModel):
    branch_id: int | None
    counter: str | None
    staff_id: int | None
    staff_name: str | None
    served: int
    wait: SummaryRead
    service: SummaryRead
    busy_minutes: float
    idle_minutes: float
    """Between the end of one service and the start of the next, within opening hours."""
    busy_share: float | None


class TimesRead(BaseModel):
    branch_id: int | None
    """``None``: every branch the caller sees."""
    start: date
    end: date
    tickets: int
    served: int
    no_shows: int
    wait: SummaryRead
    service: SummaryRead
    counters: list[WorkloadRead]
    staff: list[WorkloadRead]


# --- the service flow -----------------------------------------------------------------------


class StageRead(BaseModel):
    code: str
    name: str
    standard_minutes: float
    ticket_measure: str | None
    ticket_minutes: float | None
    tickets: int
    inspection_minutes: float | None
    timed_observations: int
    measured_minutes: float | None
    over_standard: float | None
    checked: int
    passed: int
    passed_share: float | None


class WaitPointRead(BaseModel):
    code: str
    step: str
    text: str
    measured_minutes: float | None
    """What tickets measured at the point; ``None`` where tickets do not see it (a phone
    call waiting to be answered)."""
    standard_minutes: float | None


class FlowRead(BaseModel):
    branch_id: int | None
    start: date
    end: date
    stages: list[StageRead]
    wait_points: list[WaitPointRead]
