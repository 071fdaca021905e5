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
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from bankcrm.core.enums import InspectionKind, StandardCategory, TargetDirection
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import TomlReader
from bankcrm.quality.gaps import ChecklistTally

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


@dataclass(frozen=True)
class StandardSpec:
    """One standard of a catalogue file."""

    code: str
    category: StandardCategory
    title: LocalizedText
    unit: str | None
    target: float | None
    direction: TargetDirection | None
    servqual_items: tuple[int, ...]

    @property
    def measured(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class ChecklistRule:
    """What one inspection kind checks: whole categories plus single standards."""

    kind: InspectionKind
    categories: frozenset[StandardCategory]
    standards: frozenset[str]

    def covers(self, *, code: str, category: StandardCategory) -> bool:
        return category in self.categories or code in self.standards


@dataclass(frozen=True)
class Catalogue:
    standards: tuple[StandardSpec, ...]
    checklists: Mapping[InspectionKind, ChecklistRule]

    def standard(self, code: str) -> StandardSpec:
        for standard in self.standards:
            if standard.code == code:
                return standard
        raise KeyError(code)


def parse_catalogue(
    text: str, *, origin: str = CATALOGUE_FILE, servqual_items: int = 22
) -> Catalogue:
    """Read and validate a standards catalogue from TOML text.

    Parameters
    ----------
    text : str
        The TOML document (format in the shipped file's header).
    origin : str
        Name of the file, put in front of every error message.
    servqual_items : int
        How many items the SERVQUAL instrument has; mapped item numbers must lie in 1…n.

    Raises
    ------
    CatalogueInvalid
        On the first problem, naming the entry (``standards[3] (ETQ-01).target``,
        ``checklists[1] (callback).categories``).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueInvalid(f"{origin}: not valid TOML: {error}") from None
    return _Reader(origin, servqual_items).catalogue(data)


def shipped_catalogue() -> Catalogue:
    """The catalogue that ships with bankcrm, checked against the shipped SERVQUAL items."""
    from bankcrm.quality.instrument import shipped_instrument

    resource = resources.files("bankcrm.quality").joinpath(f"data/{CATALOGUE_FILE}")
    return parse_catalogue(
        resource.read_text(encoding="utf-8"),
        origin=CATALOGUE_FILE,
        servqual_items=shipped_instrument("servqual_bank").n_items,
    )


class _Reader(TomlReader):
    invalid = CatalogueInvalid

    def __init__(self, origin: str, servqual_items: int) -> None:
        super().__init__(origin)
        self.servqual_items = servqual_items

    def catalogue(self, data: dict[str, Any]) -> Catalogue:
        self.keys("the top level", data, required={"standards", "checklists"}, optional=set())
        standards: list[StandardSpec] = []
        codes: set[str] = set()
        for index, entry in enumerate(self.table_list("standards", data["standards"])):
            code = entry.get("code")
            where = f"standards[{index}]" + (f" ({code})" if isinstance(code, str) else "")
            standard = self.standard(where, entry)
            if standard.code in codes:
                raise self.fail(where, f"code {standard.code!r} is used twice")
            codes.add(standard.code)
            standards.append(standard)
        checklists: dict[InspectionKind, ChecklistRule] = {}
        for index, entry in enumerate(self.table_list("checklists", data["checklists"])):
            kind = entry.get("kind")
            where = f"checklists[{index}]" + (f" ({kind})" if isinstance(kind, str) else "")
            rule = self.checklist(where, entry, codes)
            if rule.kind in checklists:
                raise self.fail(where, f"kind {rule.kind.value!r} has two checklists")
            checklists[rule.kind] = rule
        for kind in InspectionKind:
            if kind not in checklists:
                raise self.fail("checklists", f"no checklist for the kind {kind.value!r}")
        return Catalogue(standards=tuple(standards), checklists=checklists)

    def standard(self, where: str, entry: dict[str, Any]) -> StandardSpec:
        self.keys(
            where,
            entry,
            required={"code", "category", "title", "servqual_items"},
            optional={"unit", "target", "direction"},
        )
        code = self.string(f"{where}.code", entry["code"])
        if not CODE_PATTERN.match(code):
            raise self.fail(f"{where}.code", "must look like ETQ-01 (capitals, a hyphen, a number)")
        category = self.choice(f"{where}.category", entry["category"], StandardCategory)
        measure = {key: entry[key] for key in ("unit", "target", "direction") if key in entry}
        if measure and len(measure) < 3:
            missing = sorted({"unit", "target", "direction"} - measure.keys())
            raise self.fail(
                where,
                f"a measured standard needs unit, target and direction; {missing[0]!r} is missing",
            )
        unit: str | None = None
        target: float | None = None
        direction: TargetDirection | None = None
        if measure:
            unit = self.string(f"{where}.unit", measure["unit"])
            if unit not in UNITS:
                raise self.fail(f"{where}.unit", f"must be one of {', '.join(UNITS)}")
            value = measure["target"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(f"{where}.target", "must be a number")
            target = float(value)
            try:
                check_target(target, unit=unit)
            except ValueError as error:
                raise self.fail(f"{where}.target", str(error)) from None
            direction = self.choice(f"{where}.direction", measure["direction"], TargetDirection)
        items = entry["servqual_items"]
        if not isinstance(items, list):
            raise self.fail(f"{where}.servqual_items", "must be a list of item numbers")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int):
                raise self.fail(f"{where}.servqual_items", f"{item!r} is not an item number")
            if not 1 <= item <= self.servqual_items:
                raise self.fail(
                    f"{where}.servqual_items",
                    f"item {item} is not in the instrument (1…{self.servqual_items})",
                )
        if len(set(items)) != len(items):
            raise self.fail(f"{where}.servqual_items", "names an item twice")
        return StandardSpec(
            code=code,
            category=category,
            title=self.localized(f"{where}.title", entry["title"]),
            unit=unit,
            target=target,
            direction=direction,
            servqual_items=tuple(sorted(items)),
        )

    def checklist(self, where: str, entry: dict[str, Any], codes: set[str]) -> ChecklistRule:
        self.keys(where, entry, required={"kind", "categories"}, optional={"standards"})
        kind = self.choice(f"{where}.kind", entry["kind"], InspectionKind)
        categories = entry["categories"]
        if not isinstance(categories, list):
            raise self.fail(f"{where}.categories", "must be a list of categories")
        chosen = frozenset(
            self.choice(f"{where}.categories", category, StandardCategory)
            for category in categories
        )
        singles = entry.get("standards", [])
        if not isinstance(singles, list):
            raise self.fail(f"{where}.standards", "must be a list of standard codes")
        for code in singles:
            if code not in codes:
                raise self.fail(f"{where}.standards", f"{code!r} is not a standard of the file")
        if not chosen and not singles:
            raise self.fail(where, "checks nothing: name categories or standards")
        return ChecklistRule(kind=kind, categories=chosen, standards=frozenset(singles))


def check_target(target: float, *, unit: str) -> None:
    """Refuse a target no observation could be judged against.

    Raises
    ------
    ValueError
        If the target is not finite, negative, or a percentage above 100.
    """
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

    @property
    def measured(self) -> bool:
        return self.target is not None and self.direction is not None


CriterionT = TypeVar("CriterionT", bound=Criterion)


def build_checklist(rule: ChecklistRule, standards: Iterable[CriterionT]) -> list[CriterionT]:
    """The standards ``rule`` checks, category by category (:data:`CATEGORY_ORDER`), then
    by code."""
    chosen = [
        standard
        for standard in standards
        if rule.covers(code=standard.code, category=standard.category)
    ]
    return sorted(
        chosen, key=lambda standard: (CATEGORY_ORDER.index(standard.category), standard.code)
    )


def meets_target(observed: float, *, target: float, direction: TargetDirection) -> bool:
    """Whether an observation meets its target; exactly on the target passes."""
    if direction is TargetDirection.AT_MOST:
        return observed <= target
    return observed >= target


@dataclass(frozen=True)
class Answer:
    """What the inspector recorded for one standard: yes/no, or the value observed."""

    code: str
    passed: bool | None = None
    observed: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Judged:
    code: str
    passed: bool
    observed: float | None
    note: str | None


def judge_answers(checklist: Sequence[Criterion], answers: Sequence[Answer]) -> list[Judged]:
    """Judge every line of a checklist, in checklist order.

    A yes/no standard takes ``passed``; a measured one takes ``observed`` and its verdict is
    computed from the target and direction, never taken from the answer.

    Raises
    ------
    ValidationFailed
        Naming the standard: an answer for a standard not on the checklist, two answers for
        one standard, a checklist standard left unanswered, a measured standard answered
        yes/no or without a value, a yes/no standard answered with a value, or an
        observation that is negative, not finite, or a percentage above 100.
    """
    by_code: dict[str, Answer] = {}
    listed = {criterion.code for criterion in checklist}
    for answer in answers:
        if answer.code not in listed:
            raise ValidationFailed(
                f"{answer.code} is not on this inspection's checklist", field="results"
            )
        if answer.code in by_code:
            raise ValidationFailed(f"{answer.code} is answered twice", field="results")
        by_code[answer.code] = answer
    judged: list[Judged] = []
    for criterion in checklist:
        given = by_code.get(criterion.code)
        if given is None:
            raise ValidationFailed(f"{criterion.code} is not answered", field="results")
        judged.append(_judge(criterion, given))
    return judged


def _judge(criterion: Criterion, answer: Answer) -> Judged:
    code = criterion.code
    if criterion.measured:
        assert criterion.target is not None and criterion.direction is not None
        if answer.passed is not None:
            raise ValidationFailed(
                f"{code} is measured in {criterion.unit}: give the value observed, "
                "not passed yes/no",
                field="results",
            )
        if answer.observed is None:
            raise ValidationFailed(
                f"{code} needs the value observed, in {criterion.unit}", field="results"
            )
        observed = float(answer.observed)
        if not math.isfinite(observed) or observed < 0:
            raise ValidationFailed(
                f"{code}: the value observed must be a number of zero or more", field="results"
            )
        if criterion.unit == PERCENT and observed > FULL_SCORE:
            raise ValidationFailed(f"{code}: a percentage cannot exceed 100", field="results")
        passed = meets_target(observed, target=criterion.target, direction=criterion.direction)
        return Judged(code=code, passed=passed, observed=observed, note=answer.note)
    if answer.observed is not None:
        raise ValidationFailed(
            f"{code} is a yes/no check: answer passed yes or no, without a value",
            field="results",
        )
    if answer.passed is None:
        raise ValidationFailed(f"{code} needs passed yes or no", field="results")
    return Judged(code=code, passed=answer.passed, observed=None, note=answer.note)


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
    inspections: dict[int, set[int]] = defaultdict(set)
    checked: dict[int, int] = defaultdict(int)
    passed: dict[int, int] = defaultdict(int)
    for row in rows:
        key = by(row)
        if key is None:
            continue
        inspections[key].add(row.inspection_id)
        checked[key] += 1
        passed[key] += row.passed
    rates = [
        PassRate(
            key=key, inspections=len(inspections[key]), checked=checked[key], passed=passed[key]
        )
        for key in checked
    ]
    rates.sort(key=lambda rate: (-(rate.passed / rate.checked), -rate.checked, rate.key))
    return rates


def by_branch(row: ResultRow) -> int:
    return row.branch_id


def by_staff(row: ResultRow) -> int | None:
    return row.staff_id


def by_standard(row: ResultRow) -> int:
    return row.standard_id


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
    checked: dict[int, int] = defaultdict(int)
    passed: dict[int, int] = defaultdict(int)
    for row in rows:
        checked[row.branch_id] += 1
        passed[row.branch_id] += row.passed
    return {key: ChecklistTally(checked=checked[key], passed=passed[key]) for key in checked}
