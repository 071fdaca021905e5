"""Survey instruments (SERVQUAL and its adaptations) read from TOML files.

An instrument is data, not code, so a bank can reword items, add or drop them, or use
another item set (the kiosk K-SERVQUAL ships as an example) without a release. The file
format is described in ``docs/quality.md``; the two shipped files are in ``data/``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText, LocalizedTextInvalid, read_localized
from bankcrm.core.toml_reader import TomlReader

SHIPPED_INSTRUMENTS = ("servqual_bank", "kiosk_kservqual")
"""Instruments that ship with bankcrm, by the name of their file in ``quality/data``."""

WEIGHT_POINTS = 100.0
"""Importance weights are points shared over the dimensions (Zeithaml et al. 1990)."""

_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# 1e-6 points absorbs the binary rounding of weights such as 12.5 written as decimals.
_WEIGHT_TOLERANCE = 1e-6


class InstrumentInvalid(ValidationFailed):
    """An instrument file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Scale:
    """The answer scale shared by expectations and perceptions (whole points)."""

    minimum: int
    maximum: int
    minimum_label: LocalizedText
    maximum_label: LocalizedText

    def contains(self, value: float) -> bool:
        return value == int(value) and self.minimum <= value <= self.maximum


@dataclass(frozen=True)
class Dimension:
    """A group of items measuring one facet of quality, with its default importance."""

    code: str
    name: LocalizedText
    weight: float
    """Default importance in points out of 100, used when respondents state none."""
    items: tuple[int, ...]
    """Numbers of the dimension's items, in questionnaire order."""


@dataclass(frozen=True)
class Item:
    """One statement, asked twice: as an expectation and as a perception."""

    number: int
    dimension: str
    expectation: LocalizedText
    perception: LocalizedText


@dataclass(frozen=True)
class Instrument:
    """A validated instrument: items 1…n, each in exactly one declared dimension."""

    id: str
    title: LocalizedText
    source: str
    scale: Scale
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(dimension.code for dimension in self.dimensions)

    def dimension(self, code: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)

    @staticmethod
    def expectation_column(number: int) -> str:
        return f"E{number}"

    @staticmethod
    def perception_column(number: int) -> str:
        return f"P{number}"

    @staticmethod
    def weight_column(code: str) -> str:
        return f"W_{code}"


def parse_instrument(text: str, *, origin: str = "instrument") -> Instrument:
    """Read and validate an instrument from TOML text.

    Parameters
    ----------
    text : str
        The TOML document (format in ``docs/quality.md``).
    origin : str
        Name of the file, put in front of every error message.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentInvalid
        On the first problem, naming the entry: ``items[4] (number 5)``,
        ``dimensions[2] (reliability)``, and the key at fault.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentInvalid(f"{origin}: not valid TOML: {error}") from None
    return _Reader(origin).instrument(data)


def load_instrument(path: Path) -> Instrument:
    """Read an instrument file; see :func:`parse_instrument`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InstrumentInvalid(f"{path}: cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InstrumentInvalid(f"{path}: is not UTF-8 text") from None
    return parse_instrument(text, origin=path.name)


def shipped_instrument(name: str = "servqual_bank") -> Instrument:
    """One of :data:`SHIPPED_INSTRUMENTS`, read from the package."""
    if name not in SHIPPED_INSTRUMENTS:
        raise InstrumentInvalid(
            f"no shipped instrument {name!r}; shipped: {', '.join(SHIPPED_INSTRUMENTS)}"
        )
    resource = resources.files("bankcrm.quality").joinpath(f"data/{name}.toml")
    return parse_instrument(resource.read_text(encoding="utf-8"), origin=f"{name}.toml")


def _text(value: object) -> LocalizedText:
    try:
        return read_localized(value, where="")
    except LocalizedTextInvalid as error:
        raise ValueError(error.problem) from None


Text = Annotated[LocalizedText, BeforeValidator(_text)]


class TomlTable(BaseModel):
    """A table of a bank's TOML file: no unknown keys, no type coercion."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, arbitrary_types_allowed=True
    )


class _ScaleEntry(TomlTable):
    min: int
    max: int
    min_label: Text
    max_label: Text


class _DimensionEntry(TomlTable):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=_CODE_PATTERN.pattern)]
    name: Text
    weight: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _ItemEntry(TomlTable):
    number: Annotated[int, Field(ge=1)]
    dimension: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    expectation: Text
    perception: Text


class _InstrumentFile(TomlTable):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    title: Text
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    scale: _ScaleEntry
    dimensions: Annotated[list[_DimensionEntry], Field(min_length=1)]
    items: Annotated[list[_ItemEntry], Field(min_length=1)]


def toml_refusal(
    error: ValidationError, data: object, invalid: type[ValidationFailed], origin: str
) -> ValidationFailed:
    """The first problem pydantic found in a parsed TOML file, as ``invalid`` naming the file
    and the entry: ``items[4] (number 5).dimension``, ``dimensions[2] (reliability)``."""
    errors = error.errors()
    found = errors[0]
    if found["type"] == "missing":  # name the missing keys of a table in a stable order
        parent = found["loc"][:-1]
        alike = [e for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
        found = min(alike, key=lambda e: str(e["loc"][-1]))
    location = list(found["loc"])
    key = location.pop() if found["type"] in ("missing", "extra_forbidden") else None
    where, entry = "", data
    for part in location:
        if isinstance(part, int) and isinstance(entry, list) and part < len(entry):
            entry = entry[part]
            name = entry.get("code") if isinstance(entry, dict) else None
            number = entry.get("number") if isinstance(entry, dict) else None
            where += f"[{part}]" + (f" ({name})" if isinstance(name, str) else "")
            where += f" (number {number})" if type(number) is int else ""
        else:
            entry = entry.get(str(part)) if isinstance(entry, dict) else None
            where += f".{part}" if where else str(part)
    if found["type"] == "missing":
        problem = f"{key!r} is missing"
    elif found["type"] == "extra_forbidden":
        problem = f"unknown key {key!r}"
    else:
        cause = (found.get("ctx") or {}).get("error")
        problem = str(cause) if cause is not None else found["msg"].lower()
    where = where or "the top level"
    return invalid(f"{origin}: {where}: {problem}", field=where)


class _Reader(TomlReader):
    invalid = InstrumentInvalid

    def instrument(self, data: dict[str, Any]) -> Instrument:
        try:
            found = _InstrumentFile.model_validate(data)
        except ValidationError as error:
            raise toml_refusal(error, data, InstrumentInvalid, self.origin) from None
        if found.scale.min >= found.scale.max:
            raise self.fail("scale", "min must be below max")
        scale = Scale(
            minimum=found.scale.min,
            maximum=found.scale.max,
            minimum_label=found.scale.min_label,
            maximum_label=found.scale.max_label,
        )
        declared: dict[str, _DimensionEntry] = {}
        for index, dimension in enumerate(found.dimensions):
            if dimension.code in declared:
                where = f"dimensions[{index}] ({dimension.code})"
                raise self.fail(where, f"dimension {dimension.code!r} is declared twice")
            declared[dimension.code] = dimension
        total = sum(dimension.weight for dimension in declared.values())
        if abs(total - WEIGHT_POINTS) > _WEIGHT_TOLERANCE:
            raise self.fail("dimensions", f"weights add up to {total:g}, not {WEIGHT_POINTS:g}")

        items: dict[int, Item] = {}
        for index, entry in enumerate(found.items):
            where = f"items[{index}] (number {entry.number})"
            if entry.number in items:
                raise self.fail(where, f"item number {entry.number} is used twice")
            if entry.dimension not in declared:
                raise self.fail(
                    f"{where}.dimension",
                    f"{entry.dimension!r} is not a declared dimension ({', '.join(declared)})",
                )
            items[entry.number] = Item(
                entry.number, entry.dimension, entry.expectation, entry.perception
            )
        # Columns E1…En must be unambiguous, so the numbers run 1…n without holes.
        missing = sorted(set(range(1, len(items) + 1)) - set(items))
        if missing:
            raise self.fail("items", f"numbers must run 1…{len(items)}; {missing[0]} is missing")
        ordered = tuple(items[number] for number in sorted(items))
        built: list[Dimension] = []
        for code, dimension in declared.items():
            members = tuple(item.number for item in ordered if item.dimension == code)
            if not members:
                raise self.fail(f"dimensions ({code})", "has no items")
            built.append(Dimension(code, dimension.name, float(dimension.weight), members))
        return Instrument(
            id=found.id,
            title=found.title,
            source=found.source,
            scale=scale,
            dimensions=tuple(built),
            items=ordered,
        )
