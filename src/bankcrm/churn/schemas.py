from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from bankcrm.core.enums import AnalyticsEngine, ChurnDiagnosis, ChurnMethod
from bankcrm.core.pagination import Page

RiskGroup = Literal["active", "lapsed"]


class ChurnRunRead(BaseModel):
    """What ``bankcrm churn run --json`` prints."""

    as_of: date
    engine: AnalyticsEngine
    method: ChurnMethod
    customers: int
    warnings: int
    threshold: float
    evaluation: dict[str, Any] | None
    """AUC, PR-AUC and top-decile lift of the time-ordered check; ``active``: the same on
    the customers still active; ``lead_time`` / ``lead_time_active``: months from a
    churner's first warning (any, or issued while still active) to its churn."""
    tasks_created: int
    seconds: float
    active_customers: int = 0
    """Customers still active on the day (the risk set); the others scored have lapsed."""
    active_warnings: int = 0
    active_threshold: float | None = None
    """The probability from which a still-active customer is warned: the top
    ``early_warning_share`` of them, never above ``threshold``."""
    """Warnings among the still active (early warnings); the rest are for win-back."""


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
    customer_number: str | None = None
    manager_id: int | None
    branch_id: int | None
    probability: float
    reasons: list[ReasonRead]
    diagnosis: ChurnDiagnosis | None
    decline_months: int | None
    group: RiskGroup = "active"
    """``active``: still active on the day, an early warning; ``lapsed``: for win-back."""
    manager_name: str | None = None
    value: Decimal | None = None
    """The customer's lifetime value in yuan, which ranks the list with the probability."""
    priority: Decimal | None = None
    """Probability × value, in yuan: what the list is ranked by within each group."""


class ChurnWarningPage(Page[ChurnWarningRead]):
    """The still active first, then the lapsed; ``total`` counts both groups' warnings."""

    as_of: date
    method: ChurnMethod
    threshold: float
    runs: list[date]
    evaluation: dict[str, Any] | None
    active_total: int = 0
    lapsed_total: int = 0
    active_threshold: float | None = None
    active_months: int | None = None
    """The run's definition of still active: own transaction within this many months."""


class ChurnModelRead(BaseModel):
    """A run's method and its time-ordered check, for the analyst's model page."""

    as_of: date
    method: ChurnMethod
    customers: int
    warnings: int
    threshold: float
    active_threshold: float | None
    evaluation: dict[str, Any] | None
    runs: list[date]
