from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.core.pagination import MAX_PAGE_SIZE, RowId
from bankcrm.products import service
from bankcrm.products.schemas import ProductPage, ProductRead, ProductUpdate
from bankcrm.web.deps import CurrentUser, DbSession, ProductsManage

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", response_model=ProductPage)
def list_products(
    session: DbSession,
    _user: CurrentUser,
    category: ProductCategory | None = None,
    risk_level: ProductRisk | None = None,
    include_inactive: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> ProductPage:
    """The catalogue every member of staff may read, by category and risk level; products
    withdrawn from sale only with ``include_inactive``."""
    return service.list_products(
        session,
        category=category,
        risk=risk_level,
        active_only=not include_inactive,
        page=page,
        page_size=page_size,
    )


@router.get("/{product_id}", response_model=ProductRead)
def get_product(session: DbSession, _user: CurrentUser, product_id: RowId) -> ProductRead:
    return service.get_product(session, product_id)


@router.patch("/{product_id}", response_model=ProductRead)
def update_product(
    session: DbSession, _user: ProductsManage, product_id: RowId, body: ProductUpdate
) -> ProductRead:
    """Change a product's names, risk level, term, minimum amount, rate, FAB talking points or
    withdraw it from sale (products:manage). Send the ``version`` read with the product: a
    change made from an older version is a 409 and changes nothing."""
    return service.update_product(session, product_id=product_id, changes=body)
