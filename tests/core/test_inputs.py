"""Numbers typed in page forms: what is read, what is nothing, what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankcrm.core.inputs import ascii_digits, parse_number
from bankcrm.core.pagination import whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("120.50", Decimal("120.50")),
        (" 1,200.50 ", Decimal("1200.50")),
        ("1,000,000", Decimal("1000000")),
        ("0", Decimal("0")),
        ("-3", Decimal("-3")),
        ("１２０", Decimal("120")),
        ("1e3", Decimal("1000")),
    ],
)
def test_a_number_is_read_without_its_thousands_separators(text: str, number: Decimal) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "ignore", "number"),
    [
        ("¥20,000", ",¥", Decimal("20000")),
        ("1，000.00", ",，", Decimal("1000.00")),
        ("2.75%", "%", Decimal("2.75")),
        (" 2.75 % ", "%", Decimal("2.75")),
    ],
)
def test_the_characters_a_field_ignores_may_stand_anywhere(
    text: str, ignore: str, number: Decimal
) -> None:
    assert parse_number(text, ignore=ignore) == number


@pytest.mark.parametrize(("text", "ignore"), [("", ","), ("   ", ","), (" , ", ","), ("¥", ",¥")])
def test_nothing_typed_is_none(text: str, ignore: str) -> None:
    assert parse_number(text, ignore=ignore) is None


@pytest.mark.parametrize(
    ("text", "ignore"),
    [
        ("abc", ","),
        ("12 000", ","),
        ("NaN", ","),
        ("inf", ","),
        ("-Infinity", ","),
        ("¥120", ","),
        ("1，000", ","),
        ("2.75%", ","),
        ("1,000", "%"),
    ],
)
def test_what_is_not_a_finite_number_is_refused(text: str, ignore: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text, ignore=ignore)


@pytest.mark.parametrize(
    ("text", "in_ascii"),
    [("12", "12"), ("１２", "12"), ("١٢", "12"), ("1２ months", "12 months"), ("²①", "²①")],
)
def test_decimal_digits_of_every_script_are_written_in_ascii(text: str, in_ascii: str) -> None:
    assert ascii_digits(text) == in_ascii


def test_a_count_in_full_width_digits_is_a_whole_number_and_a_superscript_is_not() -> None:
    assert whole_number(ascii_digits(" １２ "), low=0) == 12
    assert whole_number(ascii_digits("０"), low=0) == 0
    assert whole_number(ascii_digits("²"), low=0) is None
    assert whole_number(ascii_digits("1.5"), low=0) is None
