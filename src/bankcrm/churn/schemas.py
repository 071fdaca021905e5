from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from bankcrm.core.enums import AnalyticsEngine, ChurnDiagnosis, ChurnMethod
from bankcrm.core.pagination import Page


class ChurnRunRead(BaseModel):
    """What ``bankcrm churn run --json`` prints."""

    as_of: date
    engine: AnalyticsEngine
    method: ChurnMethod
    customers: int
    warnings: int
    threshold: float
    evaluation: dict[str, Any] | None
    tasks_created: int
    seconds: float


class ReasonRead(BaseModel):
    feature: str
    label: str
    value: float | None
    typical: float | None
    impact: float | None


class ChurnScoreRead(BaseModel):
    as_of: date
    method: ChurnMethod
    probability: float
    warning: bool
    reasons: list[ReasonRead]
    diagnosis: ChurnDiagnosis | None
    diagnosis_advice: str | None
    decline_months: int | None


class ChurnWarningRead(BaseModel):
    customer_id: int
    name: str
    manager_id: int | None
    branch_id: int | None
    probability: float
    reasons: list[ReasonRead]
    diagnosis: ChurnDiagnosis | None
    decline_months: int | None


class ChurnWarningPage(Page[ChurnWarningRead]):
    as_of: date
    method: ChurnMethod
    threshold: float
    runs: list[date]
    evaluation: dict[str, Any] | None
