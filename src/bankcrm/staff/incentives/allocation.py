"""Splitting a branch's incentive pool among its staff: pure arithmetic on integer cents.

The pool is cut into components (e.g. 60 % for volume, 40 % for quality). Each component is
split in proportion to a basis: the person's weighted KPI score, or their attainment of one
indicator. A component with a threshold pays nothing to a person below it, and a cap limits
what one person receives in all; neither hands the money to the others: what thresholds and
caps leave stays in the pool as *unallocated* and is reported.

Every split is rounded by the largest remainder (Hamilton's method): each part is first cut
down to whole cents, and the cents left over go one by one to the largest fractional parts
(earlier people first on a tie), the unallocated rest taking part like a person. So the
parts add up to the pool to the cent, and no part is more than a cent off its exact value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.toml_tables import read_toml

SHIPPED_FILE = "incentives.toml"
SCORE = "score"
"""The basis that splits a component by the weighted KPI score."""
CAP = "cap"
"""The code of the line that takes a capped person down to the cap."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Component(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    share: Decimal = Field(gt=0, le=1)
    """The component's part of the pool."""
    basis: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    """``score``, or the indicator whose attainment splits the component."""
    threshold_indicator: str | None = Field(default=None, max_length=64)
    threshold: Decimal | None = Field(default=None, ge=0)
    """The attainment of ``threshold_indicator`` below which the component pays nothing."""

    @model_validator(mode="after")
    def _threshold_complete(self) -> Component:
        if (self.threshold is None) != (self.threshold_indicator is None):
            raise ValueError("give both threshold and threshold_indicator, or neither")
        return self


class Cap(_Strict):
    equal_share_multiple: Decimal | None = Field(default=None, gt=0)
    """No one gets more than this many times the pool divided by the number of people."""
    amount: Decimal | None = Field(default=None, gt=0, decimal_places=2)
    """No one gets more than this, yuan."""


class ClawbackRule(_Strict):
    window_months: int = Field(ge=1, le=120)
    unsuitable_issues: list[str]
    unfounded_root_causes: list[str]
    mismatch_counts_any_issue: bool = True
    amount: Decimal = Field(gt=0, decimal_places=2)
    """Taken back per unsuitable sale, yuan."""


class IncentiveRules(_Strict):
    roles: list[str] = Field(min_length=1)
    components: list[Component] = Field(min_length=1)
    cap: Cap = Cap()
    clawback: ClawbackRule

    @model_validator(mode="after")
    def _shares_make_the_pool(self) -> IncentiveRules:
        total = sum((component.share for component in self.components), Decimal(0))
        if total != 1:
            raise ValueError(f"the components' shares add up to {total}, not 1")
        codes = [component.code for component in self.components]
        if len(set(codes)) != len(codes) or CAP in codes:
            raise ValueError("component codes must differ from each other and from 'cap'")
        return self


class IncentiveRulesInvalid(ValidationFailed):
    pass


def parse_rules(text: str, *, origin: str) -> IncentiveRules:
    return read_toml(text, IncentiveRules, IncentiveRulesInvalid, origin)


@lru_cache(maxsize=1)
def load_shipped() -> IncentiveRules:
    """The rules that ship with bankcrm, from ``staff/incentives/data``."""
    resource = resources.files("bankcrm.staff.incentives").joinpath(f"data/{SHIPPED_FILE}")
    return parse_rules(resource.read_text(encoding="utf-8"), origin=SHIPPED_FILE)


# --- the split ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    staff_id: int
    score: float
    attainment: Mapping[str, float | None]


@dataclass(frozen=True)
class Line:
    code: str
    """A component's code, or ``cap``."""
    amount_cents: int
    basis: float | None = None
    """The person's score or attainment the component was split by."""
    threshold: float | None = None
    paid: bool = True
    """False when the threshold held the component back."""


@dataclass(frozen=True)
class Allocation:
    staff_id: int
    score: float
    lines: tuple[Line, ...]

    @property
    def gross_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True)
class Split:
    allocations: tuple[Allocation, ...]
    unallocated_cents: int
    cap_cents: int | None
    """The most one person could receive, when a cap applies."""


def largest_remainder(total: int, exact: Sequence[Fraction]) -> list[int]:
    """Whole numbers near ``exact`` (which add up to ``total``) that add up to ``total``."""
    floors = [value.numerator // value.denominator for value in exact]
    left = total - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda index: (-(exact[index] % 1), index))
    for index in by_remainder[:left]:
        floors[index] += 1
    return floors


def _basis(person: Person, basis: str) -> float | None:
    return person.score if basis == SCORE else person.attainment.get(basis)


def _exact(value: float | None) -> Fraction:
    """A score or attainment as the decimal it is written as, never below zero."""
    if value is None or value <= 0:
        return Fraction(0)
    return Fraction(Decimal(repr(value)))


def _component_amounts(pool_cents: int, rules: IncentiveRules) -> list[int]:
    exact = [Fraction(component.share) * pool_cents for component in rules.components]
    return largest_remainder(pool_cents, exact)


def cap_cents(pool_cents: int, people: int, cap: Cap) -> int | None:
    """The most one person may receive, whole cents (cut down, never up)."""
    limits = []
    if cap.equal_share_multiple is not None and people:
        limits.append(int(Fraction(cap.equal_share_multiple) * pool_cents / people))
    if cap.amount is not None:
        limits.append(int(cap.amount * 100))
    return min(limits) if limits else None


def split_pool(pool_cents: int, people: Sequence[Person], rules: IncentiveRules) -> Split:
    """Each person's lines (one per component, and a cap line when capped) and what is left
    unallocated; the lines and the unallocated rest add up to ``pool_cents``."""
    if pool_cents < 0:
        raise ValueError("a pool cannot be negative")
    if not people:
        return Split(allocations=(), unallocated_cents=pool_cents, cap_cents=None)
    lines: list[list[Line]] = [[] for _ in people]
    unallocated = 0
    for component, amount in zip(
        rules.components, _component_amounts(pool_cents, rules), strict=True
    ):
        weights = [_exact(_basis(person, component.basis)) for person in people]
        paid = [_passes(person, component) for person in people]
        total_weight = sum(weights, Fraction(0))
        if total_weight == 0:
            unallocated += amount
            for index, person in enumerate(people):
                lines[index].append(_line(component, person, 0, paid[index]))
            continue
        exact = [
            amount * weight / total_weight if pays else Fraction(0)
            for weight, pays in zip(weights, paid, strict=True)
        ]
        held_back = amount - sum(exact, Fraction(0))
        rounded = largest_remainder(amount, [*exact, held_back])
        unallocated += rounded[-1]
        for index, person in enumerate(people):
            lines[index].append(_line(component, person, rounded[index], paid[index]))
    limit = cap_cents(pool_cents, len(people), rules.cap)
    allocations = []
    for person, person_lines in zip(people, lines, strict=True):
        gross = sum(line.amount_cents for line in person_lines)
        if limit is not None and gross > limit:
            person_lines.append(Line(code=CAP, amount_cents=limit - gross))
            unallocated += gross - limit
        allocations.append(
            Allocation(staff_id=person.staff_id, score=person.score, lines=tuple(person_lines))
        )
    return Split(allocations=tuple(allocations), unallocated_cents=unallocated, cap_cents=limit)


def _passes(person: Person, component: Component) -> bool:
    if component.threshold is None or component.threshold_indicator is None:
        return True
    attainment = person.attainment.get(component.threshold_indicator)
    return attainment is not None and _exact(attainment) >= Fraction(component.threshold)


def _line(component: Component, person: Person, cents: int, paid: bool) -> Line:
    return Line(
        code=component.code,
        amount_cents=cents,
        basis=_basis(person, component.basis),
        threshold=None if component.threshold is None else float(component.threshold),
        paid=paid,
    )


# --- clawback -------------------------------------------------------------------------------

ClawbackReason = Literal["unsuitable_issue", "suitability_mismatch"]


def clawback_reason(
    rule: ClawbackRule,
    *,
    issue: str,
    root_cause: str | None,
    sale_had_mismatch: bool,
) -> ClawbackReason | None:
    """Why a complaint about a sold product takes the seller's incentive back, or ``None``.

    Only an investigated complaint counts (a root cause is set) and only when the
    investigation found it founded; then an issue the rules name as an unsuitable sale
    counts, and so does any issue about a sale that went ahead despite a suitability
    mismatch (when the rules say so). The product, customer and window are the caller's."""
    if root_cause is None or root_cause in rule.unfounded_root_causes:
        return None
    if issue in rule.unsuitable_issues:
        return "unsuitable_issue"
    if sale_had_mismatch and rule.mismatch_counts_any_issue:
        return "suitability_mismatch"
    return None


def net_cents(gross_cents: int, clawback_cents: int) -> int:
    """What is paid: the gross less clawbacks, never below nothing."""
    return max(gross_cents - clawback_cents, 0)
