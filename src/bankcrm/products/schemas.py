from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.core.inputs import Choice, Input, NameChange, OptionalText
from bankcrm.core.pagination import MAX_ID, Page

NAME_LENGTH = 200
"""The length of ``products.name_zh`` and ``name_en``."""
FAB_LENGTH = 2000
"""A talking point is a sentence or two a banker says, not a page of text."""
LONGEST_TERM_MONTHS = 600
"""Fifty years: beyond the longest mortgage or annuity a bank sells."""
LARGEST_MINIMUM = Decimal("100000000")
"""¥100 million: above every entry amount, private banking's included."""
HIGHEST_RATE = Decimal("100")
"""Per cent a year; stored in basis points, hence at most two decimal places."""


class Words(BaseModel):
    """A text of the catalogue in both languages it is kept in."""

    zh: str | None
    en: str | None


class FabRead(BaseModel):
    """The talking points: what the product is, why it beats the alternative, what the
    customer gains."""

    feature: Words
    advantage: Words
    benefit: Words


class ProductRead(BaseModel):
    id: int
    code: str
    name: Words
    category: ProductCategory
    risk_level: ProductRisk
    term_months: int | None
    """The term, or the recommended holding period; null when it can be redeemed any day."""
    minimum_amount: Decimal | None
    """Yuan."""
    annual_rate: Decimal | None
    """Per cent a year: the rate of a deposit or loan, the expected return of an investment."""
    fab: FabRead
    is_active: bool
    version: int
    """Sent back with a change: a change made from an older version is refused (409)."""


ProductPage = Page[ProductRead]


def _kept_when_left_out(value: Any) -> Any:
    """What every product has may be left out of a change but not cleared."""
    if value is None:
        raise ValueError("cannot be cleared; leave it out to keep it")
    return value


def _name(default: Any = None) -> Any:
    return Field(default, min_length=1, max_length=NAME_LENGTH, pattern=STORABLE_TEXT)


def _talking_point(default: Any = None) -> Any:
    return Field(default, max_length=FAB_LENGTH, pattern=STORABLE_TEXT)


class NameUpdate(Input):
    """The product's name in either language; one left out stays as it is."""

    zh: NameChange = _name()
    en: NameChange = _name()

    _required = field_validator("zh", "en")(_kept_when_left_out)


class WordsUpdate(Input):
    """A talking point in either language; left out it stays, ``null`` or ``""`` clears it."""

    zh: OptionalText = _talking_point()
    en: OptionalText = _talking_point()


class FabUpdate(Input):
    feature: WordsUpdate | None = None
    advantage: WordsUpdate | None = None
    benefit: WordsUpdate | None = None

    _required = field_validator("feature", "advantage", "benefit")(_kept_when_left_out)


class ProductUpdate(Input):
    """What the catalogue team changes in a product, as the ``version`` they read.

    A field left out stays as it is; the term, minimum amount and rate are cleared with
    ``null`` (a product without a term can be redeemed any day)."""

    version: int = Field(ge=1, le=MAX_ID)
    name: NameUpdate | None = None
    risk_level: Choice[ProductRisk | None] = None
    term_months: int | None = Field(default=None, ge=1, le=LONGEST_TERM_MONTHS)
    minimum_amount: Choice[Decimal | None] = Field(
        default=None, ge=0, le=LARGEST_MINIMUM, decimal_places=2
    )
    """Yuan, to the fen."""
    annual_rate: Choice[Decimal | None] = Field(
        default=None, ge=0, le=HIGHEST_RATE, decimal_places=2
    )
    """Per cent a year, to the basis point."""
    fab: FabUpdate | None = None
    is_active: bool | None = None
    """``false`` withdraws the product from sale; it stays in the catalogue."""

    _required = field_validator("name", "risk_level", "fab", "is_active")(_kept_when_left_out)

    @model_validator(mode="after")
    def _changes_something(self) -> ProductUpdate:
        if not self.model_fields_set - {"version"}:
            raise ValueError("give at least one field to change besides the version")
        return self
