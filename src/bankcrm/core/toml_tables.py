"""A bank's TOML data file validated by Pydantic models, with messages that name the file
and the entry at fault (survey instruments, the gap controls, the service blueprint and
the standards catalogue, the rate table, the KPI and incentive rules)."""

from __future__ import annotations

import tomllib
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText, LocalizedTextInvalid, read_localized


def _text(value: object) -> LocalizedText:
    try:
        return read_localized(value, where="")
    except LocalizedTextInvalid as error:
        raise ValueError(error.problem) from None


Text = Annotated[LocalizedText, BeforeValidator(_text)]
"""A text the bank writes in Chinese and English (``{ zh = "…", en = "…" }``)."""


class TomlTable(BaseModel):
    """A table of a bank's TOML file: no unknown keys, no type coercion."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, arbitrary_types_allowed=True
    )


ModelT = TypeVar("ModelT", bound=BaseModel)


def read_toml(
    text: str,
    model: type[ModelT],
    invalid: type[ValidationFailed],
    origin: str,
    *,
    by_code: bool = False,
    unreadable: str = "not valid TOML",
) -> ModelT:
    """The TOML ``text`` validated by ``model``; ``invalid`` naming the entry at fault."""
    try:
        data = tomllib.loads(text)
        return model.model_validate(data)
    except tomllib.TOMLDecodeError as error:
        raise invalid(f"{origin}: {unreadable}: {error}") from None
    except ValidationError as error:
        raise toml_refusal(error, data, invalid, origin, by_code=by_code) from None


def toml_refusal(
    error: ValidationError,
    data: object,
    invalid: type[ValidationFailed],
    origin: str,
    *,
    by_code: bool = False,
) -> ValidationFailed:
    """The first problem pydantic found in a parsed TOML file, as ``invalid`` naming the file
    and the entry: ``items[4] (number 5).dimension``, ``dimensions[2] (reliability)``, or
    with ``by_code`` the entry's code and the key: ``points.late_greeting.kind``."""
    errors = error.errors()
    found = errors[0]
    if found["type"] == "missing":  # name the missing keys of a table in a stable order
        parent = found["loc"][:-1]
        alike = [e for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
        found = min(alike, key=lambda e: str(e["loc"][-1]))
    location = list(found["loc"])
    key = location[-1] if found["type"] in ("missing", "extra_forbidden") else None
    if key is not None and not by_code:
        location.pop()
    where, entry = "", data
    for part in location:
        if isinstance(part, int) and isinstance(entry, list) and part < len(entry):
            entry = entry[part]
            name = entry.get("code") if isinstance(entry, dict) else None
            number = entry.get("number") if isinstance(entry, dict) else None
            if by_code and isinstance(name, str):
                where += f".{name}"
                continue
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
