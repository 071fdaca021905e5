from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.core.db import Base, Timestamped


class Branch(Timestamped, Base):
    """A branch (网点/支行) of the bank."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    counters: Mapped[int] = mapped_column(Integer, default=4)
