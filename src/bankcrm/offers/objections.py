"""Objection handling (冰释客户异议): what customers say against a kind of product, and how an
account manager answers.

An objection is the tip of an iceberg (冰山原理): what the customer says is seldom all of
what holds them back, so the manager first asks what lies beneath, then answers by the kind
of objection it turns out to be. The lines are bank-authored content, not code
(``data/objections.toml``), so compliance can reword them under a new version without a
release.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from bankcrm.core.enums import ProductCategory
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import TomlReader

SHIPPED_FILE = "objections.toml"


class ObjectionKind(StrEnum):
    """Why the customer objects, which decides how to answer.

    The first four are the situations of the handbook, each with its own strategy; the
    last three are the three common price objections.
    """

    MISUNDERSTANDING = "misunderstanding"
    """误解: the customer believes something untrue — clarify (澄清)."""
    DOUBT = "doubt"
    """怀疑: the customer does not believe what they are told — prove it (证明)."""
    SHORTCOMING = "shortcoming"
    """欠缺: the product really lacks something — admit it and show the whole value
    (显示整体价值)."""
    COMPLAINT = "complaint"
    """投诉: something went wrong before — put it right by action (以行动补救)."""
    PRICE_BUDGET = "price_budget"
    """我没有足够的预算: the customer cannot afford it as offered."""
    PRICE_ELSEWHERE = "price_elsewhere"
    """可以在别处买得更便宜: another provider is cheaper."""
    PRICE_VALUE = "price_value"
    """我看不到你产品或服务的价值: the price seems more than the product is worth."""


class ObjectionsInvalid(ValidationFailed):
    """An objections file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Objection:
    kind: ObjectionKind
    objection: LocalizedText
    """What the customer says."""
    response: LocalizedText
    """What the account manager answers."""


@dataclass(frozen=True)
class ObjectionBook:
    """The objections for each product category, in the order the file gives them."""

    version: str
    by_category: Mapping[ProductCategory, tuple[Objection, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def for_category(self, category: ProductCategory) -> tuple[Objection, ...]:
        """The objections to ``category``; none when the book has no entry for it."""
        return self.by_category.get(category, ())


def parse_objections(text: str, *, origin: str = "objections") -> ObjectionBook:
    """Read and validate an objections file from TOML text.

    Parameters
    ----------
    text : str
        The TOML document (``data/objections.toml`` shows the format).
    origin : str
        Name of the file, put in front of every error message.

    Raises
    ------
    ObjectionsInvalid
        On the first problem, naming the entry (``wealth[0] (misunderstanding).response``)
        and the key at fault.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ObjectionsInvalid(f"{origin}: not valid TOML: {error}") from None
    return _Reader(origin).book(data)


@lru_cache(maxsize=1)
def load_shipped() -> ObjectionBook:
    """The objections that ship with bankcrm, from ``offers/data``."""
    resource = resources.files("bankcrm.offers").joinpath(f"data/{SHIPPED_FILE}")
    return parse_objections(resource.read_text(encoding="utf-8"), origin=SHIPPED_FILE)


class _Reader(TomlReader):
    invalid = ObjectionsInvalid

    def book(self, data: dict[str, Any]) -> ObjectionBook:
        self.keys(
            "the top level",
            data,
            {"version"},
            optional=frozenset(category.value for category in ProductCategory),
        )
        version = self.string("version", data["version"])
        by_category: dict[ProductCategory, tuple[Objection, ...]] = {}
        # Categories in enum order, whatever the file's order, so lists read the same everywhere.
        for category in ProductCategory:
            if category.value in data:
                by_category[category] = self.category(category, data[category.value])
        return ObjectionBook(version=version, by_category=MappingProxyType(by_category))

    def category(self, category: ProductCategory, value: object) -> tuple[Objection, ...]:
        objections: list[Objection] = []
        for index, entry in enumerate(self.table_list(category.value, value)):
            kind = entry.get("kind")
            where = f"{category.value}[{index}]" + (f" ({kind})" if isinstance(kind, str) else "")
            objection = self.objection(where, entry)
            # The same words twice would show the manager two answers to one objection.
            said = objection.objection.translations["zh"]
            if any(earlier.objection.translations["zh"] == said for earlier in objections):
                raise self.fail(f"{where}.objection", f"{said!r} is listed twice")
            objections.append(objection)
        return tuple(objections)

    def objection(self, where: str, entry: dict[str, Any]) -> Objection:
        self.keys(where, entry, {"kind", "objection", "response"})
        return Objection(
            kind=self.choice(f"{where}.kind", entry["kind"], ObjectionKind),
            objection=self.localized(f"{where}.objection", entry["objection"]),
            response=self.localized(f"{where}.response", entry["response"]),
        )
