from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base
from bankcrm.core.enums import SurveyKind, db_enum


class SurveyResponse(Base):
    """One respondent's answers. SERVQUAL answers are ``{"E1": 6, ..., "P22": 5}``."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SurveyKind] = mapped_column(db_enum(SurveyKind, "survey_kind"))
    wave: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    answered_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
