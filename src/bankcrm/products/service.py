"""The product catalogue as the bank's staff read it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.core.exceptions import NotFound
from bankcrm.core.money import from_cents
from bankcrm.products import repository
from bankcrm.products.models import Product
from bankcrm.products.schemas import FabRead, ProductPage, ProductRead, Words

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
    )
