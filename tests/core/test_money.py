from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.core.money import InvalidAmount, from_cents, to_cents


@pytest.mark.parametrize(
    ("text", "cents"), [("0", 0), ("1234.56", 123456), ("-0.01", -1), (" 7.5 ", 750)]
)
def test_to_cents_parses_yuan(text: str, cents: int) -> None:
    assert to_cents(text) == cents


@pytest.mark.parametrize("text", ["abc", "1.234", "NaN", "inf", ""])
def test_to_cents_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidAmount):
        to_cents(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_cents_round_trip(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents
    assert isinstance(from_cents(cents), Decimal)
