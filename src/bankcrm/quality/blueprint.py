"""The branch service blueprint (服务蓝图): steps, the four lanes, fail and wait points.

Pure: the blueprint file in, checked data out; figures from the records store in, the
figures of every point out.

A blueprint reads left to right along the steps a customer goes through, and top to bottom
through four lanes: what the customer does, what staff do in the customer's sight (front
stage), what staff do out of sight (back stage) and the processes and systems that support
them. Three lines separate the lanes: the line of interaction (customer | front stage), the
line of visibility (front | back stage) and the line of internal interaction (back stage |
support). Fail points (失误点) are where the service tends to go wrong, wait points (等待点)
where customers wait; each links to the service standards that guard it and to the
complaint issues a failure there turns into.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText

LANES = ("customer", "front_stage", "back_stage", "support")
"""The four lanes, top to bottom."""
LINES = (
    ("interaction", "customer", "front_stage"),
    ("visibility", "front_stage", "back_stage"),
    ("internal_interaction", "back_stage", "support"),
)
"""The lines the lanes imply: (code, the lane above, the lane below)."""
STEP_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
STANDARD_CODE = re.compile(r"^[A-Z]{2,5}-[0-9]{2,3}$")
"""How the standards catalogue spells a code (``ETQ-01``)."""


class BlueprintInvalid(ValidationFailed):
    """A blueprint file that cannot be used; the message names the entry."""


class PointKind(StrEnum):
    FAIL = "fail"
    WAIT = "wait"


@dataclass(frozen=True)
class Step:
    code: str
    name: LocalizedText
    lanes: dict[str, tuple[LocalizedText, ...]]
    """The actions of every lane in ``LANES``, by lane code."""


@dataclass(frozen=True)
class Point:
    code: str
    kind: PointKind
    step: str
    text: LocalizedText
    standards: tuple[str, ...]
    """Codes of the service standards that guard the point."""
    issues: tuple[str, ...]
    """Complaint issue codes a failure at the point turns into."""


@dataclass(frozen=True)
class Blueprint:
    title: LocalizedText
    steps: tuple[Step, ...]
    points: tuple[Point, ...]

    def points_of(self, step: str) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.step == step)


@dataclass(frozen=True)
class StandardChecks:
    """How often inspections checked one standard of the catalogue in a period."""

    code: str
    title: str
    title_en: str | None
    checked: int
    """Inspections with a result for the standard."""
    failed: int


@dataclass(frozen=True)
class StandardFigures:
    code: str
    in_catalogue: bool
    """False when the standards catalogue has no standard with this code."""
    title: LocalizedText | None
    checked: int
    failed: int
    failed_share: float | None
    """Failed ÷ checked; ``None`` when no inspection checked the standard."""


@dataclass(frozen=True)
class PointFigures:
    point: Point
    standards: tuple[StandardFigures, ...]
    complaints: int
    """Complaints of the period with one of the point's issues."""


def parse_blueprint(text: str, *, issues: Collection[str]) -> Blueprint:
    """Read a blueprint file; ``issues`` are the complaint issue codes that exist.

    Raises
    ------
    BlueprintInvalid
        Naming the entry: a missing text, an unknown step or issue, a repeated code.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BlueprintInvalid(f"blueprint: not a TOML file: {error}") from error
    title = _text(data.get("title"), "title")
    steps = _steps(data.get("steps"))
    step_codes = {step.code for step in steps}
    points: list[Point] = []
    for index, entry in enumerate(_tables(data.get("points"), "points", allow_empty=True)):
        point = _point(entry, index, step_codes=step_codes, issues=issues)
        if point.code in {seen.code for seen in points}:
            raise BlueprintInvalid(f"blueprint: points.{point.code}: the code is used twice")
        points.append(point)
    return Blueprint(title=title, steps=steps, points=tuple(points))


@lru_cache(maxsize=4)
def load_blueprint(path: Path | None = None, *, issues: frozenset[str] | None = None) -> Blueprint:
    """The bank's blueprint file, or the one shipped with bankcrm; checked against the
    complaint issues given, or the shipped taxonomy's."""
    known = issues if issues is not None else frozenset(load_taxonomy().issues)
    if path is not None:
        return parse_blueprint(path.read_text(encoding="utf-8"), issues=known)
    shipped = resources.files("bankcrm.quality").joinpath("data/blueprint.toml")
    return parse_blueprint(shipped.read_text(encoding="utf-8"), issues=known)


def figures(
    blueprint: Blueprint,
    *,
    standards: Mapping[str, StandardChecks],
    complaints: Mapping[str, int],
) -> tuple[PointFigures, ...]:
    """The figures of every point: its standards as inspected (``standards`` by code; a code
    missing there is not in the catalogue) and its complaints (``complaints`` by issue)."""
    return tuple(
        PointFigures(
            point=point,
            standards=tuple(
                _standard_figures(code, standards.get(code)) for code in point.standards
            ),
            complaints=sum(complaints.get(issue, 0) for issue in point.issues),
        )
        for point in blueprint.points
    )


def linked_standards(blueprint: Blueprint) -> tuple[str, ...]:
    """Every standard code the points link to, once, in the order they first appear."""
    return tuple(dict.fromkeys(code for point in blueprint.points for code in point.standards))


def _standard_figures(code: str, found: StandardChecks | None) -> StandardFigures:
    if found is None:
        return StandardFigures(code, False, None, 0, 0, None)
    return StandardFigures(
        code=code,
        in_catalogue=True,
        title=LocalizedText.of(zh=found.title, en=found.title_en or found.title),
        checked=found.checked,
        failed=found.failed,
        failed_share=found.failed / found.checked if found.checked else None,
    )


def _steps(entries: object) -> tuple[Step, ...]:
    steps: list[Step] = []
    for index, entry in enumerate(_tables(entries, "steps", allow_empty=False)):
        code = _code(entry, f"steps[{index}]", STEP_CODE)
        where = f"steps.{code}"
        if code in {step.code for step in steps}:
            raise BlueprintInvalid(f"blueprint: {where}: the code is used twice")
        lanes: dict[str, tuple[LocalizedText, ...]] = {}
        for lane in LANES:
            actions = entry.get(lane)
            if not isinstance(actions, list):
                raise BlueprintInvalid(f"blueprint: {where}.{lane}: a list of actions is missing")
            lanes[lane] = tuple(
                _text(action, f"{where}.{lane}[{number}]") for number, action in enumerate(actions)
            )
        unknown = set(entry) - {"code", "name", *LANES}
        if unknown:
            raise BlueprintInvalid(f"blueprint: {where}: unknown keys {', '.join(sorted(unknown))}")
        steps.append(Step(code=code, name=_text(entry.get("name"), f"{where}.name"), lanes=lanes))
    return tuple(steps)


def _point(
    entry: dict[str, Any], index: int, *, step_codes: set[str], issues: Collection[str]
) -> Point:
    code = _code(entry, f"points[{index}]", STEP_CODE)
    where = f"points.{code}"
    unknown = set(entry) - {"code", "kind", "step", "text", "standards", "issues"}
    if unknown:
        raise BlueprintInvalid(f"blueprint: {where}: unknown keys {', '.join(sorted(unknown))}")
    kind = entry.get("kind")
    if kind not in set(PointKind):
        raise BlueprintInvalid(f"blueprint: {where}.kind: 'fail' or 'wait', not {kind!r}")
    step = entry.get("step")
    if step not in step_codes:
        raise BlueprintInvalid(f"blueprint: {where}.step: no step {step!r} in the blueprint")
    standards = _codes(entry.get("standards", []), f"{where}.standards")
    for standard in standards:
        if not STANDARD_CODE.match(standard):
            raise BlueprintInvalid(
                f"blueprint: {where}.standards: {standard!r} is not a standard code like ETQ-01"
            )
    linked_issues = _codes(entry.get("issues", []), f"{where}.issues")
    for issue in linked_issues:
        if issue not in issues:
            raise BlueprintInvalid(
                f"blueprint: {where}.issues: {issue!r} is not an issue of the complaint taxonomy"
            )
    return Point(
        code=code,
        kind=PointKind(kind),
        step=step,
        text=_text(entry.get("text"), f"{where}.text"),
        standards=standards,
        issues=linked_issues,
    )


def _tables(entries: object, section: str, *, allow_empty: bool) -> list[dict[str, Any]]:
    if entries is None and allow_empty:
        return []
    if not isinstance(entries, list) or not (entries or allow_empty):
        raise BlueprintInvalid(f"blueprint: [[{section}]] is missing or empty")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise BlueprintInvalid(f"blueprint: {section}[{index}] is not a table")
    return entries


def _code(entry: dict[str, Any], where: str, pattern: re.Pattern[str]) -> str:
    code = entry.get("code")
    if not isinstance(code, str) or not pattern.match(code):
        raise BlueprintInvalid(f"blueprint: {where}.code: a code of lower-case letters is missing")
    return code


def _codes(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BlueprintInvalid(f"blueprint: {where}: a list of codes is expected")
    if len(set(value)) != len(value):
        raise BlueprintInvalid(f"blueprint: {where}: a code is listed twice")
    return tuple(value)


def _text(value: object, where: str) -> LocalizedText:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(key), str) and value[key].strip() for key in ("zh", "en")
    ):
        raise BlueprintInvalid(f"blueprint: {where} needs a zh and an en text")
    return LocalizedText.of(zh=value["zh"], en=value["en"])
