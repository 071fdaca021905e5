"""Service standards, inspection checklists, judging and scoring (服务规范与服务检查).

The standards catalogue and the categories each inspection kind checks are data
(``data/service_standards.toml``), read here with errors that name the entry at fault.
Everything else is arithmetic on plain values: whether an observation meets its target,
an inspection's score (passed ÷ checked × 100) and pass rates per branch, staff member and
standard, with the ``ChecklistTally`` per branch that gap 3 takes. Nothing here touches
the web or the database.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bankcrm.core.enums import InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.toml_tables import Text, TomlTable, read_toml
from bankcrm.quality.gaps import ChecklistTally
from bankcrm.quality.instrument import shipped_instrument

CATALOGUE_FILE = "service_standards.toml"
CATEGORY_ORDER = tuple(StandardCategory)
"""Checklists and the catalogue page list standards category by category in this order."""
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,7}-[A-Z0-9]{1,8}$")
"""A standard's code: a category prefix, a hyphen and a number (``ETQ-01``)."""
UNITS = ("s", "min", "h", "%", "d")
"""Units a measured standard may use: seconds, minutes, hours, percent, days."""
PERCENT = "%"
FULL_SCORE = 100.0


class CatalogueInvalid(ValidationFailed):
    """A standards catalogue that cannot be used; the message names the file and the entry."""


def _one_of(allowed: Iterable[str]) -> BeforeValidator:
    names = tuple(allowed)

    def check(value: object) -> object:
        if not isinstance(value, str) or value not in names:
            raise ValueError(f"{value!r} is not one of {', '.join(names)}")
        return value

    return BeforeValidator(check)


def _code(code: str) -> str:
    if not CODE_PATTERN.match(code):
        raise ValueError("must look like ETQ-01 (capitals, a hyphen, a number)")
    return code


# The values are checked against the names first, then made members (``Strict(False)``).
Category = Annotated[StandardCategory, Strict(False), _one_of(StandardCategory)]
Kind = Annotated[InspectionKind, Strict(False), _one_of(InspectionKind)]
Direction = Annotated[TargetDirection | None, Strict(False), _one_of(TargetDirection)]


class StandardSpec(TomlTable):
    """One standard of a catalogue file; a measured one names unit, target and direction."""

    code: Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_code)]
    category: Category
    title: Text
    unit: Annotated[str | None, _one_of(UNITS)] = None
    target: float | None = None
    direction: Direction = None
    servqual_items: list[int]

    @property
    def measured(self) -> bool:
        return self.target is not None

    @field_validator("target")
    @classmethod
    def _target(cls, target: float, info: ValidationInfo) -> float:
        check_target(target, unit=info.data.get("unit") or "")
        return target

    @field_validator("servqual_items")
    @classmethod
    def _items(cls, items: list[int]) -> list[int]:
        n_items = shipped_instrument("servqual_bank").n_items
        for item in items:
            if not 1 <= item <= n_items:
                raise ValueError(f"item {item} is not in the instrument (1…{n_items})")
        if len(set(items)) != len(items):
            raise ValueError("names an item twice")
        return sorted(items)

    @model_validator(mode="after")
    def _whole_measure(self) -> StandardSpec:
        measure = {"unit": self.unit, "target": self.target, "direction": self.direction}
        missing = sorted(key for key, value in measure.items() if value is None)
        if 0 < len(missing) < len(measure):
            raise ValueError(
                f"a measured standard needs unit, target and direction; {missing[0]!r} is missing"
            )
        return self


class ChecklistRule(TomlTable):
    """What one inspection kind checks: whole categories plus single standards."""

    kind: Kind
    categories: Annotated[frozenset[Category], Strict(False)]
    standards: Annotated[frozenset[str], Strict(False)] = frozenset()

    @model_validator(mode="after")
    def _checks_something(self) -> ChecklistRule:
        if not self.categories and not self.standards:
            raise ValueError("checks nothing: name categories or standards")
        return self

    def covers(self, *, code: str, category: StandardCategory) -> bool:
        return category in self.categories or code in self.standards


class _CatalogueFile(TomlTable):
    standards: list[StandardSpec] = Field(min_length=1)
    checklists: list[ChecklistRule] = Field(min_length=1)


@dataclass(frozen=True)
class Catalogue:
    standards: tuple[StandardSpec, ...]
    checklists: Mapping[InspectionKind, ChecklistRule]

    def standard(self, code: str) -> StandardSpec:
        return {standard.code: standard for standard in self.standards}[code]


def parse_catalogue(text: str, *, origin: str = CATALOGUE_FILE) -> Catalogue:
    """Read a standards catalogue (format in the shipped file's header) whose SERVQUAL item
    numbers are items of the shipped instrument; the first problem is a ``CatalogueInvalid``
    naming ``origin`` and the entry (``standards[3] (ETQ-01).target``)."""
    found = read_toml(text, _CatalogueFile, CatalogueInvalid, origin)

    def fail(where: str, problem: str) -> CatalogueInvalid:
        return CatalogueInvalid(f"{origin}: {where}: {problem}", field=where)

    codes = [standard.code for standard in found.standards]
    for index, code in enumerate(codes):
        if code in codes[:index]:
            raise fail(f"standards[{index}] ({code})", f"code {code!r} is used twice")
    checklists: dict[InspectionKind, ChecklistRule] = {}
    for index, entry in enumerate(found.checklists):
        where = f"checklists[{index}] ({entry.kind.value})"
        for code in entry.standards:
            if code not in codes:
                raise fail(f"{where}.standards", f"{code!r} is not a standard of the file")
        if entry.kind in checklists:
            raise fail(where, f"kind {entry.kind.value!r} has two checklists")
        checklists[entry.kind] = entry
    for kind in InspectionKind:
        if kind not in checklists:
            raise fail("checklists", f"no checklist for the kind {kind.value!r}")
    return Catalogue(standards=tuple(found.standards), checklists=checklists)


@lru_cache
def shipped_catalogue() -> Catalogue:
    """The catalogue that ships with bankcrm (read once), checked against the shipped
    SERVQUAL items: its standards and what each inspection kind checks."""
    resource = resources.files("bankcrm.quality").joinpath(f"data/{CATALOGUE_FILE}")
    return parse_catalogue(resource.read_text(encoding="utf-8"))


def check_target(target: float, *, unit: str) -> None:
    """Refuse (``ValueError``) a target no observation could be judged against."""
    if not math.isfinite(target) or target < 0:
        raise ValueError("must be a number of zero or more")
    if unit == PERCENT and target > FULL_SCORE:
        raise ValueError("a percentage cannot exceed 100")


# --- checklists and judging -----------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """An active standard as a checklist line judges it."""

    code: str
    category: StandardCategory
    unit: str | None = None
    target: float | None = None
    direction: TargetDirection | None = None


CriterionT = TypeVar("CriterionT", bound=Criterion)


def build_checklist(rule: ChecklistRule, standards: Iterable[CriterionT]) -> list[CriterionT]:
    """The standards ``rule`` checks, category by category (:data:`CATEGORY_ORDER`), then
    by code."""
    return sorted(
        (s for s in standards if rule.covers(code=s.code, category=s.category)),
        key=lambda standard: (CATEGORY_ORDER.index(standard.category), standard.code),
    )


def meets_target(observed: float, *, target: float, direction: TargetDirection) -> bool:
    """Whether an observation meets its target; exactly on the target passes."""
    return observed <= target if direction is TargetDirection.AT_MOST else observed >= target


@dataclass(frozen=True)
class Answer:
    """What the inspector recorded for one standard: yes/no, or the value observed."""

    code: str
    passed: bool | None = None
    observed: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Judged(Answer):
    """An answer with its verdict (a measured line's computed from the target)."""

    passed: bool


def judge_answers(checklist: Sequence[Criterion], answers: Sequence[Answer]) -> list[Judged]:
    """Judge every line of a checklist, in checklist order; a refusal names the standard.

    A yes/no standard takes ``passed``; a measured one takes ``observed`` and its verdict is
    computed from the target and direction, never taken from the answer.
    """
    by_code: dict[str, Answer] = {}
    listed = {criterion.code for criterion in checklist}
    for answer in answers:
        if answer.code not in listed:
            raise _refused(f"{answer.code} is not on this inspection's checklist")
        if answer.code in by_code:
            raise _refused(f"{answer.code} is answered twice")
        by_code[answer.code] = answer
    for criterion in checklist:
        if criterion.code not in by_code:
            raise _refused(f"{criterion.code} is not answered")
    return [_judge(criterion, by_code[criterion.code]) for criterion in checklist]


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="results")


def _judge(criterion: Criterion, answer: Answer) -> Judged:
    code, unit, note = criterion.code, criterion.unit, answer.note
    if criterion.target is None or criterion.direction is None:
        if answer.observed is not None:
            raise _refused(f"{code} is a yes/no check: answer passed yes or no, without a value")
        if answer.passed is None:
            raise _refused(f"{code} needs passed yes or no")
        return Judged(code=code, passed=answer.passed, observed=None, note=note)
    if answer.passed is not None:
        raise _refused(f"{code} is measured in {unit}: give the value observed, not passed yes/no")
    if answer.observed is None:
        raise _refused(f"{code} needs the value observed, in {unit}")
    try:
        check_target(answer.observed, unit=unit or "")
    except ValueError as error:
        raise _refused(f"{code}: {error}") from None
    passed = meets_target(answer.observed, target=criterion.target, direction=criterion.direction)
    return Judged(code=code, passed=passed, observed=answer.observed, note=note)


def score(*, passed: int, checked: int) -> float | None:
    """An inspection's (or a group's) score: passed ÷ checked × 100; none when nothing was
    checked."""
    if checked < 0 or not 0 <= passed <= checked:
        raise ValueError(f"passed must be between 0 and checked ({passed} of {checked})")
    return None if checked == 0 else passed / checked * FULL_SCORE


# --- pass rates over many inspections -------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One checklist line of one inspection, as the aggregations take it."""

    inspection_id: int
    branch_id: int
    staff_id: int | None
    standard_id: int
    passed: bool


@dataclass(frozen=True)
class PassRate:
    """Lines checked and passed for one branch, staff member or standard."""

    key: int
    inspections: int
    checked: int
    passed: int

    @property
    def failed(self) -> int:
        return self.checked - self.passed

    @property
    def score(self) -> float | None:
        return score(passed=self.passed, checked=self.checked)


def pass_rates(
    rows: Iterable[ResultRow], *, by: Callable[[ResultRow], int | None]
) -> list[PassRate]:
    """Pass rates grouped by ``by`` (rows whose key is none are left out), best score
    first; ties go to the group with more lines checked, then to the smaller key."""
    groups: dict[int, list[ResultRow]] = defaultdict(list)
    for row in rows:
        key = by(row)
        if key is not None:
            groups[key].append(row)
    rates = [
        PassRate(
            key=key,
            inspections=len({row.inspection_id for row in lines}),
            checked=len(lines),
            passed=sum(row.passed for row in lines),
        )
        for key, lines in groups.items()
    ]
    rates.sort(key=lambda rate: (-(rate.passed / rate.checked), -rate.checked, rate.key))
    return rates


by_branch: Callable[[ResultRow], int] = attrgetter("branch_id")
by_staff: Callable[[ResultRow], int | None] = attrgetter("staff_id")
by_standard: Callable[[ResultRow], int] = attrgetter("standard_id")


def weakest_standards(rows: Iterable[ResultRow], *, limit: int = 3) -> dict[int, list[PassRate]]:
    """Per branch, the standards it failed, lowest pass rate first (ties: more failures,
    then the smaller standard id), at most ``limit`` of them."""
    per_branch: dict[int, list[ResultRow]] = defaultdict(list)
    for row in rows:
        per_branch[row.branch_id].append(row)
    weakest: dict[int, list[PassRate]] = {}
    for branch_id, branch_rows in per_branch.items():
        failing = [rate for rate in pass_rates(branch_rows, by=by_standard) if rate.failed]
        failing.sort(key=lambda rate: (rate.passed / rate.checked, -rate.failed, rate.key))
        weakest[branch_id] = failing[:limit]
    return weakest


def compliance_tallies(rows: Iterable[ResultRow]) -> dict[int, ChecklistTally]:
    """Lines checked and passed per branch id, as ``gaps.inspection_compliance_evidence``
    takes them (once keyed by branch name)."""
    return {
        rate.key: ChecklistTally(checked=rate.checked, passed=rate.passed)
        for rate in pass_rates(rows, by=by_branch)
    }
