"""Objection handling: the shipped file, bad files, and a book without entries."""

from __future__ import annotations

import pytest

from bankcrm.core.enums import ProductCategory
from bankcrm.core.localized import REQUIRED_LANGUAGES
from bankcrm.offers.objections import (
    Objection,
    ObjectionBook,
    ObjectionKind,
    ObjectionsInvalid,
    load_shipped,
    parse_objections,
)

SHIPPED = load_shipped()

SMALL = """
version = "test.1"

[[wealth]]
kind = "misunderstanding"
objection = { zh = "会亏本金吗？", en = "Can I lose principal?" }
response = { zh = "可能，理财不是存款。", en = "Yes, it is not a deposit." }

[[wealth]]
kind = "price_elsewhere"
objection = { zh = "别家收益高。", en = "Others pay more." }
response = { zh = "同风险等级比较。", en = "Compare at the same risk level." }

[[deposit]]
kind = "doubt"
objection = { zh = "安全吗？", en = "Is it safe?" }
response = { zh = "有存款保险。", en = "Deposits are insured." }
"""


def test_the_shipped_file_loads_with_its_version() -> None:
    assert SHIPPED.version == "2026.1"


@pytest.mark.parametrize("category", list(ProductCategory))
def test_every_category_has_three_to_five_objections_of_distinct_kinds(
    category: ProductCategory,
) -> None:
    objections = SHIPPED.for_category(category)
    assert 3 <= len(objections) <= 5
    # Several kinds per category, so a manager is ready for more than one way of saying no.
    assert len({objection.kind for objection in objections}) == len(objections)


def test_every_shipped_text_has_chinese_and_english() -> None:
    for category in ProductCategory:
        for objection in SHIPPED.for_category(category):
            for text in (objection.objection, objection.response):
                assert set(REQUIRED_LANGUAGES) <= text.translations.keys()
                assert all(value.strip() for value in text.translations.values())


def test_every_kind_is_used_somewhere_in_the_shipped_file() -> None:
    used = {
        objection.kind
        for category in ProductCategory
        for objection in SHIPPED.for_category(category)
    }
    assert used == set(ObjectionKind)


def test_no_shipped_response_about_an_investment_promises_principal_or_returns() -> None:
    promises = ("保本保息", "稳赚", "肯定赚", "保证收益", "guaranteed return")
    for category in (ProductCategory.WEALTH, ProductCategory.FUND, ProductCategory.INSURANCE):
        for objection in SHIPPED.for_category(category):
            for text in objection.response.translations.values():
                assert not any(promise in text for promise in promises), text


def test_the_small_file_keeps_categories_and_entry_order() -> None:
    book = parse_objections(SMALL)
    assert book.version == "test.1"
    assert list(book.by_category) == [ProductCategory.DEPOSIT, ProductCategory.WEALTH]
    wealth = book.for_category(ProductCategory.WEALTH)
    assert [objection.kind for objection in wealth] == [
        ObjectionKind.MISUNDERSTANDING,
        ObjectionKind.PRICE_ELSEWHERE,
    ]
    assert wealth[0].objection.text("zh-CN") == "会亏本金吗？"
    assert wealth[0].response.text("en") == "Yes, it is not a deposit."
    assert book.for_category(ProductCategory.CARD) == ()


def test_a_bare_book_has_no_objections_for_any_category() -> None:
    book = ObjectionBook(version="empty")
    for category in ProductCategory:
        assert book.for_category(category) == ()


def test_objections_are_plain_values() -> None:
    objection = SHIPPED.for_category(ProductCategory.WEALTH)[0]
    assert isinstance(objection, Objection)
    with pytest.raises(AttributeError):
        objection.kind = ObjectionKind.DOUBT  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace('response = { zh = "有存款保险。", en = "Deposits are insured." }\n', ""),
            r"deposit\[0\] \(doubt\): 'response' is missing",
        ),
        (
            SMALL.replace('kind = "price_elsewhere"', 'kind = "too_dear"'),
            r"wealth\[1\] \(too_dear\)\.kind: 'too_dear' is not one of misunderstanding, doubt",
        ),
        (
            SMALL.replace('kind = "doubt"', 'kind = "doubt"\nstrategy = "prove"'),
            r"deposit\[0\] \(doubt\): unknown key 'strategy'",
        ),
        (
            SMALL.replace(', en = "Others pay more."', ""),
            r"wealth\[1\] \(price_elsewhere\)\.objection: the 'en' text is missing",
        ),
        (
            SMALL.replace('{ zh = "可能，理财不是存款。", en', "{ en"),
            r"wealth\[0\] \(misunderstanding\)\.response: the 'zh' text is missing",
        ),
        (
            SMALL.replace('en = "Is it safe?"', 'en = " "'),
            r"deposit\[0\] \(doubt\)\.objection\.en: must be a non-empty string",
        ),
        (
            SMALL.replace("别家收益高。", "会亏本金吗？"),
            r"wealth\[1\] \(price_elsewhere\)\.objection: '会亏本金吗？' is listed twice",
        ),
        (
            SMALL.replace("[[deposit]]", "[[deposits]]"),
            r"the top level: unknown key 'deposits'",
        ),
        (SMALL.replace('version = "test.1"\n', ""), r"the top level: 'version' is missing"),
        (
            SMALL.replace('version = "test.1"\n', 'version = "test.1"\nloan = []\n'),
            r"loan: needs at least one \[\[loan\]\] entry",
        ),
        ("version = ", r"not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(ObjectionsInvalid, match=rf"^small\.toml: {message}"):
        parse_objections(text, origin="small.toml")
