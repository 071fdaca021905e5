from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import (
    ActionOrigin,
    ActionStage,
    InspectionKind,
    StandardCategory,
    SurveyKind,
    TargetDirection,
    WaveStatus,
    db_enum,
)


class SurveyResponse(Base):
    """One respondent's answers. SERVQUAL answers are ``{"E1": 6, ..., "P22": 5}``."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SurveyKind] = mapped_column(db_enum(SurveyKind, "survey_kind"))
    wave: Mapped[str | None] = mapped_column(String(64), index=True)
    """The code of the wave the answer belongs to (``SurveyWave.code``)."""
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    answered_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SurveyWave(Timestamped, Base):
    """One round of a survey: who is asked, with which instrument, between which days."""

    __tablename__ = "survey_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SurveyKind] = mapped_column(db_enum(SurveyKind, "survey_wave_kind"))
    instrument: Mapped[str | None] = mapped_column(String(64))
    """The instrument's name (SERVQUAL waves)."""
    instrument_text: Mapped[str | None] = mapped_column(Text)
    """The instrument file as it was when the wave opened, so old answers stay readable
    after the bank edits its items."""
    status: Mapped[WaveStatus] = mapped_column(
        db_enum(WaveStatus, "wave_status"), default=WaveStatus.DRAFT
    )
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    selection: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """How the respondents were picked (segment, branch, sample size, random seed)."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SurveyInvitation(Base):
    """A one-time link to a wave's survey for one customer."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("wave_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    """The contact a short satisfaction survey asks about."""
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Answers saved before the respondent submitted."""
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("survey_responses.id"))


class ManagementPrediction(Base):
    """A manager's prediction of what customers expect, on the wave's items (gap 1)."""

    __tablename__ = "management_predictions"
    __table_args__ = (UniqueConstraint("wave_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Predicted expectations ``{"E1": 6, ...}``."""
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceStandard(Timestamped, Base):
    """A measurable branch service standard (e.g. greet within 10 s, wait at most 15 min)."""

    __tablename__ = "service_standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[StandardCategory] = mapped_column(
        db_enum(StandardCategory, "standard_category")
    )
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(16))
    """The unit of a measured standard (``s``, ``min``, ``%``); none for a yes/no check."""
    target: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[TargetDirection | None] = mapped_column(
        db_enum(TargetDirection, "standard_direction")
    )
    servqual_items: Mapped[list[int]] = mapped_column(JSON, default=list)
    """The SERVQUAL item numbers the standard makes measurable (gap 2's coverage)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Inspection(Base):
    """One inspection of a branch (and, for some kinds, of one staff member)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InspectionKind] = mapped_column(db_enum(InspectionKind, "inspection_kind"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    """The front-line staff member observed, when the inspection is of one person."""
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    results: Mapped[list[InspectionResult]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionResult.id"
    )


class InspectionResult(Base):
    """One checklist line of an inspection: a standard, passed or failed."""

    __tablename__ = "inspection_results"
    __table_args__ = (UniqueConstraint("inspection_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standards.id"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    observed: Mapped[float | None] = mapped_column(Float)
    """The measured value, for a measured standard (e.g. 22 seconds to greet)."""
    note: Mapped[str | None] = mapped_column(String(500))
    inspection: Mapped[Inspection] = relationship(back_populates="results")


class ServicePromise(Timestamped, Base):
    """A promise the bank's communication makes to customers, with what was delivered (gap 4)."""

    __tablename__ = "service_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    product_line: Mapped[str | None] = mapped_column(String(32))
    """A complaint taxonomy product line, so "not as advertised" cases can be matched."""
    unit: Mapped[str | None] = mapped_column(String(16))
    promised: Mapped[float] = mapped_column(Float)
    direction: Mapped[TargetDirection] = mapped_column(
        db_enum(TargetDirection, "promise_direction")
    )
    delivered: Mapped[float | None] = mapped_column(Float)
    measured_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ImprovementAction(Timestamped, Base):
    """A PDCA action on the quality board, with where it came from and whether it worked."""

    __tablename__ = "improvement_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[ActionStage] = mapped_column(
        db_enum(ActionStage, "action_stage"), default=ActionStage.PLAN, index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    origin: Mapped[ActionOrigin] = mapped_column(db_enum(ActionOrigin, "action_origin"))
    gap: Mapped[int | None] = mapped_column(Integer)
    """The service gap (1–5) the action closes."""
    dimension: Mapped[str | None] = mapped_column(String(64))
    """The SERVQUAL dimension the action improves, when it comes from the survey."""
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("service_standards.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    metric: Mapped[str | None] = mapped_column(String(200))
    """What shows whether the action worked (e.g. "responsiveness gap P − E")."""
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether the metric improves upward (a gap P − E, a pass rate) or downward (complaints)."""
    metric_before: Mapped[float | None] = mapped_column(Float)
    metric_after: Mapped[float | None] = mapped_column(Float)
    effective: Mapped[bool | None] = mapped_column(Boolean)
    """The check's verdict: the metric moved the right way (None until checked)."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
