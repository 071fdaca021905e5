"""Survey instruments (SERVQUAL and its adaptations) read from TOML files.

An instrument is data, not code, so a bank can reword items, add or drop them, or use
another item set (the kiosk K-SERVQUAL ships as an example) without a release. The file
format is described in ``docs/quality.md``; the two shipped files are in ``data/``.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
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


class _Reader(TomlReader):
    invalid = InstrumentInvalid

    def instrument(self, data: dict[str, Any]) -> Instrument:
        self.keys("the top level", data, {"id", "title", "source", "scale", "dimensions", "items"})
        instrument_id = self.string("id", data["id"])
        title = self.localized("title", data["title"])
        source = self.string("source", data["source"])
        scale = self.scale(data["scale"])
        dimensions = self.table_list("dimensions", data["dimensions"])
        items = self.table_list("items", data["items"])

        declared: dict[str, tuple[LocalizedText, float]] = {}
        for index, entry in enumerate(dimensions):
            code = entry.get("code")
            where = f"dimensions[{index}]" + (f" ({code})" if isinstance(code, str) else "")
            self.keys(where, entry, {"code", "name", "weight"})
            code = self.string(f"{where}.code", entry["code"])
            if not _CODE_PATTERN.match(code):
                raise self.fail(where, "code must be lower-case letters, digits and _")
            if code in declared:
                raise self.fail(where, f"dimension {code!r} is declared twice")
            weight = entry["weight"]
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise self.fail(f"{where}.weight", "must be a number of points")
            if not math.isfinite(weight) or weight < 0:
                raise self.fail(f"{where}.weight", "must be zero or more points")
            declared[code] = (self.localized(f"{where}.name", entry["name"]), float(weight))
        total = sum(weight for _, weight in declared.values())
        if abs(total - WEIGHT_POINTS) > _WEIGHT_TOLERANCE:
            raise self.fail("dimensions", f"weights add up to {total:g}, not {WEIGHT_POINTS:g}")

        parsed_items: dict[int, Item] = {}
        for index, entry in enumerate(items):
            number = entry.get("number")
            where = f"items[{index}]" + (f" (number {number})" if isinstance(number, int) else "")
            self.keys(where, entry, {"number", "dimension", "expectation", "perception"})
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise self.fail(f"{where}.number", "must be a whole number from 1")
            if number in parsed_items:
                raise self.fail(where, f"item number {number} is used twice")
            dimension = self.string(f"{where}.dimension", entry["dimension"])
            if dimension not in declared:
                raise self.fail(
                    f"{where}.dimension",
                    f"{dimension!r} is not a declared dimension ({', '.join(declared)})",
                )
            parsed_items[number] = Item(
                number=number,
                dimension=dimension,
                expectation=self.localized(f"{where}.expectation", entry["expectation"]),
                perception=self.localized(f"{where}.perception", entry["perception"]),
            )
        # Columns E1…En must be unambiguous, so the numbers run 1…n without holes.
        missing = sorted(set(range(1, len(parsed_items) + 1)) - set(parsed_items))
        if missing:
            raise self.fail(
                "items", f"numbers must run 1…{len(parsed_items)}; {missing[0]} is missing"
            )

        ordered_items = tuple(parsed_items[number] for number in sorted(parsed_items))
        built: list[Dimension] = []
        for code, (name, weight) in declared.items():
            members = tuple(item.number for item in ordered_items if item.dimension == code)
            if not members:
                raise self.fail(f"dimensions ({code})", "has no items")
            built.append(Dimension(code=code, name=name, weight=weight, items=members))
        return Instrument(
            id=instrument_id,
            title=title,
            source=source,
            scale=scale,
            dimensions=tuple(built),
            items=ordered_items,
        )

    def scale(self, entry: object) -> Scale:
        if not isinstance(entry, dict):
            raise self.fail("scale", "must be a table")
        self.keys("scale", entry, {"min", "max", "min_label", "max_label"})
        bounds = []
        for key in ("min", "max"):
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(f"scale.{key}", "must be a whole number")
            bounds.append(value)
        if bounds[0] >= bounds[1]:
            raise self.fail("scale", "min must be below max")
        return Scale(
            minimum=bounds[0],
            maximum=bounds[1],
            minimum_label=self.localized("scale.min_label", entry["min_label"]),
            maximum_label=self.localized("scale.max_label", entry["max_label"]),
        )
