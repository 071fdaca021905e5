"""Account-manager KPIs: the rules of ``kpis.toml`` and the arithmetic that turns a month's
figures into attainments, a weighted score and a rank in the branch.

Pure: figures in, numbers out; nothing here reads the database or the web.

- **Attainment** of an indicator is figure ÷ target, never below 0. For the indicators where
  fewer is better (:data:`LOWER_IS_BETTER`, complaints) it is 2 − figure ÷ target, never below
  0: no complaint earns 2, exactly the target 1, twice the target 0.
- **Score** is 100 × Σ weight × min(attainment, cap) ÷ Σ weight over the indicators that have
  a figure that month. An indicator with nothing to measure (no survey answer, no complaint
  due, no book at the start of the month) drops out and the other weights are re-normalised,
  so a month without surveys neither rewards nor punishes anyone.
- **Rank** is among the same role in the same branch, best score first; equal scores share a
  rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bankcrm.core.enums import ProductCategory, Role
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.toml_tables import read_toml

SHIPPED_FILE = "kpis.toml"

INDICATORS: tuple[str, ...] = (
    "volume",
    "volume_growth",
    "profit",
    "new_customers",
    "retention",
    "csat",
    "servqual",
    "complaints",
    "complaints_upheld",
    "complaint_timeliness",
    "tasks_on_time",
    "training_hours",
)
"""Every indicator, in the order pages show them."""

MONEY_INDICATORS = frozenset({"volume", "profit"})
"""Indicators in yuan."""
SHARE_INDICATORS = frozenset(
    {"volume_growth", "retention", "csat", "complaint_timeliness", "tasks_on_time"}
)
"""Indicators that are shares (0.02 = 2 %)."""
LOWER_IS_BETTER = frozenset({"complaints", "complaints_upheld"})
"""Indicators where fewer is better: their attainment falls as the figure rises."""

SCORE_POINTS = 100.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorRule(_Strict):
    weight: float = Field(gt=0, le=1)
    target: float = Field(gt=0)
    cap: float = Field(gt=0, le=5)
    """The most attainment that counts toward the score."""


class RoleRules(_Strict):
    indicators: dict[str, IndicatorRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_indicators(self) -> RoleRules:
        unknown = sorted(set(self.indicators) - set(INDICATORS))
        if unknown:
            raise ValueError(f"unknown indicators {', '.join(unknown)}")
        return self

    def weights(self) -> dict[str, float]:
        return {name: rule.weight for name, rule in self.indicators.items()}

    def targets(self) -> dict[str, float]:
        return {name: rule.target for name, rule in self.indicators.items()}


class ComplaintRules(_Strict):
    not_upheld_root_causes: tuple[str, ...] = ("unfounded", "third_party")


class KpiRules(_Strict):
    margins: dict[ProductCategory, float]
    """Annual margin on month-end volume per product category."""
    complaints: ComplaintRules = Field(default_factory=ComplaintRules)
    roles: dict[Role, RoleRules] = Field(min_length=1)

    @model_validator(mode="after")
    def _margins_in_range(self) -> KpiRules:
        for category, margin in self.margins.items():
            if not 0 <= margin < 1:
                raise ValueError(f"margin of {category.value} lies in [0, 1), not {margin}")
        return self

    def margin(self, category: ProductCategory) -> float:
        return self.margins.get(category, 0.0)


def parse_rules(text: str, *, origin: str = "KPI rules") -> KpiRules:
    """Read and check KPI rules from TOML text; a problem names ``origin`` and the entry."""
    return read_toml(text, KpiRules, ValidationFailed, origin)


@lru_cache(maxsize=1)
def shipped_rules() -> KpiRules:
    """The rules that ship with bankcrm, from ``staff/performance/data``."""
    resource = resources.files("bankcrm.staff.performance").joinpath(f"data/{SHIPPED_FILE}")
    return parse_rules(resource.read_text(encoding="utf-8"), origin=SHIPPED_FILE)


def load_rules(path: Path | None = None) -> KpiRules:
    """The bank's KPI rules file, or the one shipped with bankcrm."""
    if path is None:
        return shipped_rules()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationFailed(f"{path}: cannot be read: {error.strerror}") from None
    return parse_rules(text, origin=str(path))


# --- months ---------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day where it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    first = date(year, month + 1, 1)
    last = next_month(first) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day."""
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a month (YYYY-MM)", field="month") from None


# --- score and rank -------------------------------------------------------------------------


def attainment(name: str, figure: float | None, target: float) -> float | None:
    """The figure against its target (1.0 = on target); ``None`` without a figure."""
    if figure is None:
        return None
    if name in LOWER_IS_BETTER:
        return max(0.0, 2.0 - figure / target)
    return max(0.0, figure / target)


def attainments(figures: Mapping[str, float | None], rules: RoleRules) -> dict[str, float | None]:
    """Each of the role's indicators against its target."""
    return {
        name: attainment(name, figures.get(name), rule.target)
        for name, rule in rules.indicators.items()
    }


def score(achieved: Mapping[str, float | None], rules: RoleRules) -> float:
    """100 × the weighted mean of capped attainment over the indicators with a figure; 0 when
    none has one."""
    weighted = 0.0
    weights = 0.0
    for name, rule in rules.indicators.items():
        value = achieved.get(name)
        if value is None:
            continue
        weighted += rule.weight * min(value, rule.cap)
        weights += rule.weight
    return round(SCORE_POINTS * weighted / weights, 4) if weights else 0.0


@dataclass(frozen=True)
class Ranked:
    rank: int
    among: int


def competition_ranks(scores: Sequence[float]) -> list[Ranked]:
    """Each score's rank among ``scores``, best first; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, reverse=True)
    first_place: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_place.setdefault(value, position)
    return [Ranked(rank=first_place[value], among=len(scores)) for value in scores]
