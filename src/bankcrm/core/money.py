"""Money is held as integer cents (分) in the store and as Decimal in between; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class InvalidAmount(ValueError):
    pass


def to_cents(value: str | int | Decimal) -> int:
    """Parse a yuan amount such as ``"1234.56"`` into integer cents, refusing sub-cent digits."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidAmount(f"not an amount: {value!r}") from error
    if not amount.is_finite():
        raise InvalidAmount(f"not an amount: {value!r}")
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"more than two decimal places: {value!r}")
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)
