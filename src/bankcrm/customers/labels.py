"""How the bank's people see a customer named: never by a database id."""

from __future__ import annotations

from typing import overload


@overload
def customer_label(name: str, number: str) -> str: ...
@overload
def customer_label(name: str | None, number: str | None) -> str | None: ...
def customer_label(name: str | None, number: str | None) -> str | None:
    """Name and customer number, ``王芳 (C000014388)``; either alone when the other is
    unknown."""
    if number is None:
        return name
    return f"{name} ({number})" if name else number
