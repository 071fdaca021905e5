from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, Field

ItemT = TypeVar("ItemT")

MAX_PAGE_SIZE = 200
MAX_ID = 2**31 - 1
"""The largest record id a path or filter accepts (a 32-bit key); larger is a 422."""
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A record's id in a URL path."""
_ASCII_DIGITS = re.compile(r"[0-9]{1,20}")


def whole_number(text: str | None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number typed or picked on a page, or None when it is not one within
    ``low``..``high``. The one parser of ids and counts from forms and query strings: ASCII
    digits only, since ``str.isdigit`` also accepts ``²`` and ``①``, which ``int`` refuses."""
    stripped = (text or "").strip()
    if _ASCII_DIGITS.fullmatch(stripped) is None:
        return None
    value = int(stripped)
    return value if low <= value <= high else None


class PageParams(BaseModel):
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=25, ge=1, le=MAX_PAGE_SIZE)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
