from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.products.models import Product


def find(
    session: Session,
    *,
    category: ProductCategory | None,
    risk: ProductRisk | None,
    active_only: bool,
    offset: int,
    limit: int,
) -> tuple[list[Product], int]:
    """One page of the catalogue, by category, risk level and code, with the count of all."""
    statement = select(Product)
    if category is not None:
        statement = statement.where(Product.category == category)
    if risk is not None:
        statement = statement.where(Product.product_risk == risk)
    if active_only:
        statement = statement.where(Product.is_active.is_(True))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    ordered = statement.order_by(Product.category, Product.product_risk, Product.external_id)
    return list(session.scalars(ordered.offset(offset).limit(limit))), total


def get(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def on_sale(session: Session) -> list[Product]:
    """Every product that may be sold today, by code."""
    statement = select(Product).where(Product.is_active.is_(True)).order_by(Product.external_id)
    return list(session.scalars(statement))
