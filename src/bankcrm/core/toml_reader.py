"""Reading a bank's TOML data file entry by entry, with messages that name the file and the
entry at fault (survey instruments, the inspection catalogue, the risk questionnaire)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText, LocalizedTextInvalid, read_localized

EnumT = TypeVar("EnumT", bound=StrEnum)


class TomlReader:
    """Walks the parsed TOML, keeping the file name for messages; a reader of one kind of file
    names the error it raises in ``invalid``."""

    invalid: type[ValidationFailed] = ValidationFailed

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> ValidationFailed:
        return self.invalid(f"{self.origin}: {where}: {problem}", field=where)

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
