"""The product catalogue as the bank's staff read it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.core.exceptions import Conflict, NotFound
from bankcrm.core.money import from_cents, to_cents
from bankcrm.products import repository
from bankcrm.products.models import Product
from bankcrm.products.schemas import (
    FabRead,
    NameUpdate,
    ProductPage,
    ProductRead,
    ProductUpdate,
    Words,
    WordsUpdate,
)

BASIS_POINTS_PER_PER_CENT = 100


def list_products(
    session: Session,
    *,
    category: ProductCategory | None = None,
    risk: ProductRisk | None = None,
    active_only: bool = True,
    page: int = 1,
    page_size: int = 25,
) -> ProductPage:
    products, total = repository.find(
        session,
        category=category,
        risk=risk,
        active_only=active_only,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return ProductPage(
        items=[read(product) for product in products], total=total, page=page, page_size=page_size
    )


def get_product(session: Session, product_id: int) -> ProductRead:
    product = repository.get(session, product_id)
    if product is None:
        raise NotFound(f"no product {product_id}")
    return read(product)


def update_product(session: Session, *, product_id: int, changes: ProductUpdate) -> ProductRead:
    """Change a product as the version the editor read; the audit trail keeps each changed
    column before and after.

    Raises
    ------
    NotFound
        No such product.
    Conflict
        The product changed since the editor read it: their change is not laid over it.
    """
    product = repository.get(session, product_id)
    if product is None:
        raise NotFound(f"no product {product_id}")
    if product.version != changes.version:
        raise Conflict(_changed_by_someone_else(product.id, now=product.version, seen=changes))
    for column, value in _column_values(changes).items():
        if getattr(product, column) != value:
            setattr(product, column, value)
    try:
        session.flush()
    except StaleDataError:
        # another editor saved the same version in between; theirs stands
        session.rollback()
        raise Conflict(_changed_by_someone_else(product_id, now=None, seen=changes)) from None
    return read(product)


def _changed_by_someone_else(product_id: int, *, now: int | None, seen: ProductUpdate) -> str:
    current = "" if now is None else f"now version {now}, "
    return (
        f"product {product_id} was changed by someone else ({current}you read version "
        f"{seen.version}); reload it and make the change again"
    )


def _column_values(changes: ProductUpdate) -> dict[str, Any]:
    """The columns a change sets, with their stored values; what was left out is absent."""
    given = changes.model_fields_set
    values: dict[str, Any] = {}
    if changes.name is not None:
        values |= _words("name", changes.name)
    if changes.risk_level is not None:
        values["product_risk"] = changes.risk_level
    if "term_months" in given:
        values["term_months"] = changes.term_months
    if "minimum_amount" in given:
        amount = changes.minimum_amount
        values["min_amount_cents"] = None if amount is None else to_cents(amount)
    if "annual_rate" in given:
        rate = changes.annual_rate
        values["annual_rate_bp"] = None if rate is None else int(rate * BASIS_POINTS_PER_PER_CENT)
    if changes.fab is not None:
        for part in ("feature", "advantage", "benefit"):
            words = getattr(changes.fab, part)
            if words is not None:
                values |= _words(f"fab_{part}", words)
    if changes.is_active is not None:
        values["is_active"] = changes.is_active
    return values


def _words(prefix: str, words: NameUpdate | WordsUpdate) -> dict[str, str | None]:
    """``{prefix}_zh`` and ``{prefix}_en`` as given; an emptied talking point is none."""
    return {
        f"{prefix}_{language}": getattr(words, language) or None
        for language in ("zh", "en")
        if language in words.model_fields_set
    }


def read(product: Product) -> ProductRead:
    return ProductRead(
        id=product.id,
        code=product.external_id,
        name=Words(zh=product.name_zh, en=product.name_en),
        category=product.category,
        risk_level=product.product_risk,
        term_months=product.term_months,
        minimum_amount=None
        if product.min_amount_cents is None
        else from_cents(product.min_amount_cents),
        annual_rate=None
        if product.annual_rate_bp is None
        else Decimal(product.annual_rate_bp) / BASIS_POINTS_PER_PER_CENT,
        fab=FabRead(
            feature=Words(zh=product.fab_feature_zh, en=product.fab_feature_en),
            advantage=Words(zh=product.fab_advantage_zh, en=product.fab_advantage_en),
            benefit=Words(zh=product.fab_benefit_zh, en=product.fab_benefit_en),
        ),
        is_active=product.is_active,
        version=product.version,
    )
