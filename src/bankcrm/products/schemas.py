from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.core.pagination import Page


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


ProductPage = Page[ProductRead]
