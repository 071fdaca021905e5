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
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_tables import Text, TomlTable, read_toml

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


def _once(codes: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(codes)) != len(codes):
        raise ValueError("a code is listed twice")
    return codes


def _standard_code(code: str) -> str:
    if not STANDARD_CODE.match(code):
        raise ValueError(f"{code!r} is not a standard code like ETQ-01")
    return code


Code = Annotated[str, StringConstraints(pattern=STEP_CODE.pattern)]
Codes = Annotated[tuple[str, ...], Field(strict=False), AfterValidator(_once)]
Texts = Annotated[tuple[Text, ...], Field(strict=False)]


class Step(TomlTable):
    code: Code
    name: Text
    customer: Texts
    front_stage: Texts
    back_stage: Texts
    support: Texts

    @property
    def lanes(self) -> dict[str, tuple[LocalizedText, ...]]:
        """The actions of every lane in ``LANES``, by lane code."""
        return {lane: getattr(self, lane) for lane in LANES}


class Point(TomlTable):
    code: Code
    kind: Annotated[PointKind, Field(strict=False)]
    step: str
    text: Text
    standards: Annotated[
        tuple[Annotated[str, AfterValidator(_standard_code)], ...],
        Field(strict=False),
        AfterValidator(_once),
    ] = ()
    """Codes of the service standards that guard the point."""
    issues: Codes = ()
    """Complaint issue codes a failure at the point turns into."""


class Blueprint(TomlTable):
    title: Text
    steps: Annotated[tuple[Step, ...], Field(min_length=1, strict=False)]
    points: Annotated[tuple[Point, ...], Field(strict=False)] = ()

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
    blueprint = read_toml(
        text, Blueprint, BlueprintInvalid, "blueprint", by_code=True, unreadable="not a TOML file"
    )
    for section, entries in (("steps", blueprint.steps), ("points", blueprint.points)):
        codes = [entry.code for entry in entries]
        repeated = next((code for at, code in enumerate(codes) if code in codes[:at]), None)
        if repeated is not None:
            raise BlueprintInvalid(f"blueprint: {section}.{repeated}: the code is used twice")
    steps = {step.code for step in blueprint.steps}
    for point in blueprint.points:
        where = f"blueprint: points.{point.code}"
        if point.step not in steps:
            raise BlueprintInvalid(f"{where}.step: no step {point.step!r} in the blueprint")
        for issue in point.issues:
            if issue not in issues:
                raise BlueprintInvalid(
                    f"{where}.issues: {issue!r} is not an issue of the complaint taxonomy"
                )
    return blueprint


@lru_cache(maxsize=4)
def load_blueprint(path: Path | None = None, *, issues: frozenset[str] | None = None) -> Blueprint:
    """The bank's blueprint file, or the one shipped with bankcrm; checked against the
    complaint issues given, or the shipped taxonomy's."""
    known = issues if issues is not None else frozenset(load_taxonomy().issues)
    source = path or resources.files("bankcrm.quality").joinpath("data/blueprint.toml")
    return parse_blueprint(source.read_text(encoding="utf-8"), issues=known)


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
