"""What the catalogue tests share: a product as it is stored, read apart from the app."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.products.models import Product


def stored_product(database_url: str, product_id: int) -> Product:
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        product = session.get_one(Product, product_id)
        session.expunge(product)
    engine.dispose()
    return product
