"""Reading a bank's TOML data file entry by entry, with messages that name the file and the
entry at fault (survey instruments, the inspection catalogue, the risk questionnaire, the
credit rating model and the loan pre-qualification checklist)."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText, LocalizedTextInvalid, read_localized

EnumT = TypeVar("EnumT", bound=StrEnum)

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Interval:
    """The numbers from ``lower`` (included) up to ``upper`` (left out): a value on a boundary
    belongs to the band above it. The first band of a partition starts at minus infinity and
    the last ends at plus infinity."""

    lower: float
    upper: float

    def __contains__(self, value: float) -> bool:
        return self.lower <= value < self.upper


@dataclass(frozen=True)
class BandEntry:
    """One band of a partition: where it was read, the numbers it holds, and its table for
    the caller to read the band's other keys from."""

    where: str
    interval: Interval
    entry: dict[str, Any]


class TomlReader:
    """Walks the parsed TOML, keeping the file name for messages; a reader of one kind of file
    names the error it raises in ``invalid``."""

    invalid: type[ValidationFailed] = ValidationFailed

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> ValidationFailed:
        return self.invalid(f"{self.origin}: {where}: {problem}", field=where)

    def parse(self, text: str) -> dict[str, Any]:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise self.invalid(f"{self.origin}: not valid TOML: {error}") from None

    def read(self, path: Traversable | str) -> dict[str, Any]:
        """The parsed file, shipped in a package or the bank's own; a file that cannot be read
        is refused like one that cannot be used."""
        try:
            text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise self.invalid(f"{self.origin}: cannot be read: {error}") from None
        return self.parse(text)

    @staticmethod
    def named(where: str, code: object) -> str:
        return where + (f" ({code})" if isinstance(code, str) else "")

    def keys(
        self,
        where: str,
        entry: dict[str, Any],
        required: set[str],
        optional: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        for key in sorted(required - entry.keys()):
            raise self.fail(where, f"{key!r} is missing")
        # An unknown key is most often a misspelt known one: refuse it rather than ignore it.
        expected = required | optional
        for key in sorted(entry.keys() - expected):
            raise self.fail(where, f"unknown key {key!r} (expected {', '.join(sorted(expected))})")

    def string(self, where: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        return value.strip()

    def code(self, where: str, value: object) -> str:
        code = self.string(where, value)
        if not CODE_PATTERN.match(code):
            raise self.fail(where, "must be lower-case letters, digits and _")
        return code

    def whole_number(self, where: str, value: object, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"must be a whole number, {minimum} or more")
        return value

    def number(self, where: str, value: object) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(where, "must be a finite number")
        return float(value)

    def choice(self, where: str, value: object, enum: type[EnumT]) -> EnumT:
        allowed = [member.value for member in enum]
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")
        return enum(value)

    def localized(self, where: str, value: object) -> LocalizedText:
        try:
            return read_localized(value, where=where)
        except LocalizedTextInvalid as error:
            raise self.fail(error.where, error.problem) from None

    def table_list(self, where: str, value: object) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, f"needs at least one [[{where}]] entry")
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{where}[{index}]", "must be a table")
        return value

    def partition(
        self,
        where: str,
        value: object,
        required: set[str],
        optional: frozenset[str] = frozenset(),
    ) -> list[BandEntry]:
        """Bands that hold every real number exactly once, listed from the lowest numbers up.

        Each band runs from its ``from`` (included) to its ``below`` (left out). The first band
        has no ``from`` and the last no ``below``, and every other band starts where the one
        before it ends, so no number falls between two bands or in two of them.
        """
        entries = self.table_list(where, value)
        bands: list[BandEntry] = []
        lower = -math.inf
        for index, entry in enumerate(entries):
            band_where = f"{where}[{index}]"
            is_first, is_last = index == 0, index == len(entries) - 1
            if is_first and "from" in entry:
                raise self.fail(
                    f"{band_where}.from", "the first band has no lower end: leave it out"
                )
            if is_last and "below" in entry:
                raise self.fail(
                    f"{band_where}.below", "the last band has no upper end: leave it out"
                )
            bounds = ({"below"} if not is_last else set()) | ({"from"} if not is_first else set())
            self.keys(band_where, entry, required | bounds, optional)
            if not is_first:
                start = self.number(f"{band_where}.from", entry["from"])
                if start != lower:
                    raise self.fail(
                        f"{band_where}.from",
                        f"starts at {start:g}, but {where}[{index - 1}] ends below {lower:g}",
                    )
            upper = math.inf if is_last else self.number(f"{band_where}.below", entry["below"])
            if upper <= lower:
                raise self.fail(f"{band_where}.below", f"{upper:g} is not above {lower:g}")
            bands.append(BandEntry(band_where, Interval(lower, upper), entry))
            lower = upper
        return bands
