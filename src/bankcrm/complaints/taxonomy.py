"""The complaint taxonomy: product lines, issues and root causes, read from a TOML file.

Labels are bank-authored text in Chinese and English (:class:`LocalizedText`); the file is
checked by a Pydantic model, and an error names the file and the key at fault."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bankcrm.core.localized import LocalizedText

SERVICE_GAPS = (1, 2, 3, 4, 5)
SHIPPED = "bankcrm/complaints/data/taxonomy.toml"
"""How errors name the taxonomy shipped with bankcrm."""

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _LabelFile(BaseModel):
    """One entry of a section: ``code = { zh = "…", en = "…" }``."""

    model_config = ConfigDict(extra="forbid")

    zh: _Text
    en: _Text

    def localized(self) -> LocalizedText:
        return LocalizedText.of(zh=self.zh, en=self.en)


class _RootCauseFile(_LabelFile):
    gap: int = Field(ge=0, le=5)
    """The service-quality gap (1–5) this cause reveals; 0 for none."""


class _TaxonomyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_lines: dict[str, _LabelFile] = Field(min_length=1)
    issues: dict[str, _LabelFile] = Field(min_length=1)
    root_causes: dict[str, _RootCauseFile] = Field(min_length=1)


@dataclass(frozen=True)
class RootCause:
    label: LocalizedText
    gap: int
    """The service-quality gap (1–5) this cause reveals; 0 for none."""

    def text(self, locale: str) -> str:
        return self.label.text(locale)


@dataclass(frozen=True)
class Taxonomy:
    product_lines: dict[str, LocalizedText]
    issues: dict[str, LocalizedText]
    root_causes: dict[str, RootCause]

    def product_line(self, code: str, locale: str) -> str:
        label = self.product_lines.get(code)
        return label.text(locale) if label else code

    def issue(self, code: str, locale: str) -> str:
        label = self.issues.get(code)
        return label.text(locale) if label else code

    def root_cause(self, code: str, locale: str) -> str:
        label = self.root_causes.get(code)
        return label.text(locale) if label else code

    def gap_of(self, root_cause: str | None) -> int | None:
        """The gap a root cause reveals, ``None`` when unknown or none."""
        found = self.root_causes.get(root_cause or "")
        return found.gap if found is not None and found.gap in SERVICE_GAPS else None


def parse_taxonomy(text: str, *, source: str = "taxonomy") -> Taxonomy:
    """Read a taxonomy file; an error (``ValueError``) names ``source`` and the key at fault
    (``root_causes.staff_error.gap``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{source}: not valid TOML: {error}") from None
    try:
        parsed = _TaxonomyFile.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in problem['loc']) or '(file)'}: {problem['msg']}"
            for problem in error.errors()
        ]
        raise ValueError(f"{source}: " + "; ".join(problems)) from None
    return Taxonomy(
        product_lines={code: entry.localized() for code, entry in parsed.product_lines.items()},
        issues={code: entry.localized() for code, entry in parsed.issues.items()},
        root_causes={
            code: RootCause(label=entry.localized(), gap=entry.gap)
            for code, entry in parsed.root_causes.items()
        },
    )


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The bank's taxonomy file, or the one shipped with bankcrm."""
    if path is not None:
        return parse_taxonomy(path.read_text(encoding="utf-8"), source=str(path))
    shipped = resources.files("bankcrm.complaints").joinpath("data/taxonomy.toml")
    return parse_taxonomy(shipped.read_text(encoding="utf-8"), source=SHIPPED)
