"""Survey instruments (SERVQUAL and its adaptations) read from TOML files.

An instrument is data, not code, so a bank can reword items, add or drop them, or use
another item set (the kiosk K-SERVQUAL ships as an example) without a release. The file
format is described in ``docs/quality.md``; the two shipped files are in ``data/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_tables import Text, TomlTable, read_toml

SHIPPED_INSTRUMENTS = ("servqual_bank", "kiosk_kservqual")
"""Instruments that ship with bankcrm, by the name of their file in ``quality/data``."""

WEIGHT_POINTS = 100.0
"""Importance weights are points shared over the dimensions (Zeithaml et al. 1990)."""

# 1e-6 points absorbs the binary rounding of weights such as 12.5 written as decimals.
_WEIGHT_TOLERANCE = 1e-6


class InstrumentInvalid(ValidationFailed):
    """An instrument file that cannot be used; the message names the file and the entry."""


class Scale(TomlTable):
    """The answer scale shared by expectations and perceptions (whole points)."""

    minimum: int = Field(alias="min")
    maximum: int = Field(alias="max")
    minimum_label: Text = Field(alias="min_label")
    maximum_label: Text = Field(alias="max_label")

    def contains(self, value: float) -> bool:
        return value == int(value) and self.minimum <= value <= self.maximum


class Item(TomlTable):
    """One statement, asked twice: as an expectation and as a perception."""

    number: Annotated[int, Field(ge=1)]
    dimension: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    expectation: Text
    perception: Text


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
        return {dimension.code: dimension for dimension in self.dimensions}[code]

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
    """Read and validate an instrument from TOML text (format in ``docs/quality.md``);
    ``origin``, the file's name, is put in front of every error message.

    Raises
    ------
    InstrumentInvalid
        On the first problem, naming the entry: ``items[4] (number 5)``,
        ``dimensions[2] (reliability)``, and the key at fault.
    """
    found = read_toml(text, _InstrumentFile, InstrumentInvalid, origin)

    def fail(where: str, problem: str) -> InstrumentInvalid:
        return InstrumentInvalid(f"{origin}: {where}: {problem}", field=where)

    if found.scale.minimum >= found.scale.maximum:
        raise fail("scale", "min must be below max")
    declared: dict[str, _DimensionEntry] = {}
    for index, dimension in enumerate(found.dimensions):
        if dimension.code in declared:
            where = f"dimensions[{index}] ({dimension.code})"
            raise fail(where, f"dimension {dimension.code!r} is declared twice")
        declared[dimension.code] = dimension
    total = sum(dimension.weight for dimension in declared.values())
    if abs(total - WEIGHT_POINTS) > _WEIGHT_TOLERANCE:
        raise fail("dimensions", f"weights add up to {total:g}, not {WEIGHT_POINTS:g}")
    items: dict[int, Item] = {}
    for index, item in enumerate(found.items):
        where = f"items[{index}] (number {item.number})"
        if item.number in items:
            raise fail(where, f"item number {item.number} is used twice")
        if item.dimension not in declared:
            raise fail(
                f"{where}.dimension",
                f"{item.dimension!r} is not a declared dimension ({', '.join(declared)})",
            )
        items[item.number] = item
    # Columns E1…En must be unambiguous, so the numbers run 1…n without holes.
    missing = sorted(set(range(1, len(items) + 1)) - set(items))
    if missing:
        raise fail("items", f"numbers must run 1…{len(items)}; {missing[0]} is missing")
    ordered = tuple(items[number] for number in sorted(items))
    built: list[Dimension] = []
    for code, dimension in declared.items():
        members = tuple(item.number for item in ordered if item.dimension == code)
        if not members:
            raise fail(f"dimensions ({code})", "has no items")
        built.append(Dimension(code, dimension.name, float(dimension.weight), members))
    return Instrument(
        id=found.id,
        title=found.title,
        source=found.source,
        scale=found.scale,
        dimensions=tuple(built),
        items=ordered,
    )


def load_instrument(path: Path) -> Instrument:
    """Read an instrument file; see :func:`parse_instrument`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InstrumentInvalid(f"{path}: cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InstrumentInvalid(f"{path}: is not UTF-8 text") from None
    return parse_instrument(text, origin=path.name)


@lru_cache(maxsize=len(SHIPPED_INSTRUMENTS))
def shipped_instrument(name: str = "servqual_bank") -> Instrument:
    """One of :data:`SHIPPED_INSTRUMENTS`, read from the package."""
    if name not in SHIPPED_INSTRUMENTS:
        raise InstrumentInvalid(
            f"no shipped instrument {name!r}; shipped: {', '.join(SHIPPED_INSTRUMENTS)}"
        )
    resource = resources.files("bankcrm.quality").joinpath(f"data/{name}.toml")
    return parse_instrument(resource.read_text(encoding="utf-8"), origin=f"{name}.toml")


class _DimensionEntry(TomlTable):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]*$")]
    name: Text
    weight: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _InstrumentFile(TomlTable):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    title: Text
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    scale: Scale
    dimensions: Annotated[list[_DimensionEntry], Field(min_length=1)]
    items: Annotated[list[Item], Field(min_length=1)]
