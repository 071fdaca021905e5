"""Request and answer bodies of training: courses, attendance and certificates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from bankcrm.core.db import UtcDatetime
from bankcrm.core.inputs import Day, Input, Name, Text
from bankcrm.core.pagination import MAX_ID
from bankcrm.staff.training.qualifications import CertificateState

MAX_HOURS = 1_000.0
"""The most hours one course or one attendance counts."""
MAX_SCORE = 100.0
"""Assessments are scored out of a hundred."""
MAX_VALIDITY_MONTHS = 120

# --- courses --------------------------------------------------------------------------------


class CourseCreate(Input):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    name: Name = Field(max_length=200)
    hours: float = Field(gt=0, le=MAX_HOURS, allow_inf_nan=False)
    pass_mark: float | None = Field(default=None, ge=0, le=MAX_SCORE, allow_inf_nan=False)
    """The assessment score needed to pass; none for a course without an assessment."""
    qualification: str | None = Field(default=None, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    """The qualification (``qualifications.toml``) passing the course certifies."""
    validity_months: int | None = Field(default=None, ge=1, le=MAX_VALIDITY_MONTHS)
    """How long the certificate is valid; none for one that does not expire."""


class CourseRead(BaseModel):
    id: int
    code: str
    name: str
    hours: float
    pass_mark: float | None
    qualification: str | None
    qualification_name: str | None
    validity_months: int | None
    is_active: bool


# --- attendance -----------------------------------------------------------------------------


class AttendanceCreate(Input):
    course_id: int = Field(ge=1, le=MAX_ID)
    staff_id: int = Field(ge=1, le=MAX_ID)
    attended_on: Day
    hours: float | None = Field(default=None, gt=0, le=MAX_HOURS, allow_inf_nan=False)
    """The hours attended; the course's hours when left out."""
    assessment_score: float | None = Field(default=None, ge=0, le=MAX_SCORE, allow_inf_nan=False)


class CertificateRead(BaseModel):
    id: int
    staff_id: int
    staff_name: str | None
    branch_id: int | None
    qualification: str
    qualification_name: str
    attendance_id: int | None
    issued_on: date
    expires_on: date | None
    revoked_at: UtcDatetime | None
    state: CertificateState
    days_left: int | None
    """Days to the expiry day (negative once expired); none when it does not expire."""


class AttendanceRead(BaseModel):
    id: int
    course_id: int
    course_code: str
    course_name: str
    staff_id: int
    staff_name: str | None
    branch_id: int | None
    attended_on: date
    hours: float
    assessment_score: float | None
    passed: bool | None
    """None for a course without an assessment."""
    recorded_by_id: int
    certificate: CertificateRead | None = None
    """The certificate the attendance issued, when it passed a qualifying course."""


# --- certificates ---------------------------------------------------------------------------


class CertificateRevoke(Input):
    reason: Text = Field(max_length=2_000)


class TrainingOverview(BaseModel):
    """A person's (or a branch's) training: attendance, certificates expiring soonest first."""

    attendances: list[AttendanceRead]
    certificates: list[CertificateRead]
    hours: float
    """Hours attended in the list."""
