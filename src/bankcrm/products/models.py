from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped
from bankcrm.core.enums import ProductCategory, ProductRisk, db_enum


class Product(Timestamped, Base):
    """A product in the catalogue, with its governance risk level and FAB talking points."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[ProductCategory] = mapped_column(db_enum(ProductCategory, "product_category"))
    product_risk: Mapped[ProductRisk] = mapped_column(db_enum(ProductRisk, "product_risk"))
    term_months: Mapped[int | None] = mapped_column(Integer)
    min_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    annual_rate_bp: Mapped[int | None] = mapped_column(Integer)
    fab_feature_zh: Mapped[str | None] = mapped_column(Text)
    fab_feature_en: Mapped[str | None] = mapped_column(Text)
    fab_advantage_zh: Mapped[str | None] = mapped_column(Text)
    fab_advantage_en: Mapped[str | None] = mapped_column(Text)
    fab_benefit_zh: Mapped[str | None] = mapped_column(Text)
    fab_benefit_en: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Counts the catalogue team's edits: an edit made from an older version is refused,
    never laid over someone else's."""

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
