from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import Quadrant, SurveyKind, ValueTier, WaveStatus
from bankcrm.core.inputs import Choice, Day, Input, Name
from bankcrm.core.pagination import MAX_ID

BranchCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
MAX_SAMPLE = 1_000_000
MAX_SEED = 2**63 - 1


class WaveCreate(Input):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    """Answers carry it (``SurveyResponse.wave``), e.g. ``SERVQUAL-2026H2``."""
    title: Name = Field(min_length=1, max_length=200, pattern=STORABLE_TEXT)
    kind: Choice[SurveyKind]
    instrument: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$")
    """A shipped instrument (SERVQUAL waves only); ``servqual_bank`` when left out."""
    opens_on: Day
    closes_on: Day

    @model_validator(mode="after")
    def _closes_after_opening(self) -> Self:
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on lies before opens_on")
        return self


class WaveRead(BaseModel):
    """A wave as everyone with ``quality:read`` sees it: no links, no tokens."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    title: str
    kind: SurveyKind
    instrument: str | None
    status: WaveStatus
    opens_on: date
    closes_on: date
    selection: dict[str, Any] | None
    version: int
    created_at: UtcDatetime


class InvitationCountsRead(BaseModel):
    issued: int
    opened: int
    partial: int
    completed: int
    rate: float | None
    """Completed ÷ issued."""


class BranchRateRead(InvitationCountsRead):
    branch: str | None


class WaveSummary(WaveRead):
    issued: int
    completed: int
    rate: float | None


class WaveDetail(WaveRead):
    overall: InvitationCountsRead
    by_branch: list[BranchRateRead]
    predictions: int
    """Managers who predicted customers' expectations for this wave (gap 1)."""


class SelectionCreate(Input):
    """Whom to invite; criteria left empty let everyone through."""

    branch_codes: list[BranchCode] = Field(default_factory=list, max_length=500)
    quadrants: list[Choice[Quadrant]] = Field(default_factory=list, max_length=4)
    value_tiers: list[Choice[ValueTier]] = Field(default_factory=list, max_length=3)
    sample_size: int | None = Field(default=None, ge=1, le=MAX_SAMPLE)
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


class InvitationLink(BaseModel):
    """One respondent's link; only ``quality:manage`` ever sees these."""

    customer_external_id: str
    token: str
    reminders: int


class IssueRead(BaseModel):
    eligible: int
    """Customers who met the criteria and were not yet invited."""
    issued: int
    invitations: list[InvitationLink]


class ReminderCreate(Input):
    min_days: int = Field(default=3, ge=0, le=365)
    max_reminders: int = Field(default=2, ge=1, le=20)


class ReminderRead(BaseModel):
    reminded: int
    invitations: list[InvitationLink]


class StatusChange(Input):
    status: Choice[WaveStatus]
    version: int = Field(ge=1, le=MAX_ID)
    """The version the caller saw; someone else's change in between is a 409."""


class PredictionCreate(Input):
    answers: dict[str, int] = Field(max_length=500)
    """What the manager thinks customers expect of every item: ``{"E1": 6, …}``."""


class PredictionRead(BaseModel):
    wave_id: int
    respondent_id: int
    answers: dict[str, int]
    answered_at: UtcDatetime
