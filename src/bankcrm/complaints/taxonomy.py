"""The complaint taxonomy: product lines, issues and root causes, read from a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

SERVICE_GAPS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Label:
    code: str
    zh: str
    en: str

    def text(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


@dataclass(frozen=True)
class RootCause(Label):
    gap: int
    """The service-quality gap (1–5) this cause reveals; 0 for none."""


@dataclass(frozen=True)
class Taxonomy:
    product_lines: dict[str, Label]
    issues: dict[str, Label]
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


def parse_taxonomy(text: str) -> Taxonomy:
    """Read a taxonomy file; a missing label or gap is an error that names the entry."""
    data = tomllib.loads(text)

    def labels(section: str) -> dict[str, Label]:
        entries = data.get(section)
        if not isinstance(entries, dict) or not entries:
            raise ValueError(f"taxonomy: section [{section}] is missing or empty")
        return {code: _label(section, code, entry) for code, entry in entries.items()}

    root_causes: dict[str, RootCause] = {}
    for code, label in labels("root_causes").items():
        gap = data["root_causes"][code].get("gap")
        if not isinstance(gap, int) or not 0 <= gap <= 5:
            raise ValueError(f"taxonomy: root_causes.{code}: gap must be 0–5")
        root_causes[code] = RootCause(code=code, zh=label.zh, en=label.en, gap=gap)
    return Taxonomy(
        product_lines=labels("product_lines"), issues=labels("issues"), root_causes=root_causes
    )


def _label(section: str, code: str, entry: object) -> Label:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) and entry[key] for key in ("zh", "en")
    ):
        raise ValueError(f"taxonomy: {section}.{code} needs a zh and an en label")
    return Label(code=code, zh=entry["zh"], en=entry["en"])


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The bank's taxonomy file, or the one shipped with bankcrm."""
    if path is not None:
        return parse_taxonomy(path.read_text(encoding="utf-8"))
    shipped = resources.files("bankcrm.complaints").joinpath("data/taxonomy.toml")
    return parse_taxonomy(shipped.read_text(encoding="utf-8"))
