from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import opencc
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from bankcrm.core.localized import LocalizedText, in_language
from bankcrm.web.i18n import (
    LOCALES_DIR,
    SUPPORTED_LOCALES,
    format_date,
    format_money,
    gettext,
    normalise_locale,
)
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

SOURCE = Path(__file__).resolve().parents[2] / "src" / "bankcrm"
METHODS = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": (2,)}


def _source_messages() -> set[str]:
    messages = set()
    for _, _, message, _, _ in extract_from_dir(
        SOURCE,
        METHODS,
        keywords=KEYWORDS,
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def _catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _texts(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_catalog_holds_every_message_of_the_code(locale: str) -> None:
    catalog = _catalog(locale)
    messages = _source_messages()
    assert len(messages) > 100
    missing = messages - {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }
    assert not missing, f"{locale} lacks: {sorted(missing)}"


@pytest.mark.parametrize("locale", ["zh_TW", "en"])
def test_every_catalog_holds_the_same_messages_in_the_same_contexts(locale: str) -> None:
    def keys(catalog: Catalog) -> set[tuple[object, str | None]]:
        return {(message.id, message.context) for message in catalog if message.id}

    assert keys(_catalog(locale)) == keys(_catalog("zh_CN"))


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW"])
def test_every_chinese_catalog_translates_every_message(locale: str) -> None:
    catalog = _catalog(locale)
    untranslated = [
        message.id for message in catalog if message.id and not all(_texts(message.string))
    ]
    assert not untranslated, f"{locale} leaves untranslated: {untranslated}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_translation_keeps_the_placeholders_of_its_message(locale: str) -> None:
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _catalog(locale).check()
    ]
    assert not problems, problems


def test_the_traditional_catalog_is_written_in_traditional_characters() -> None:
    # character conversion only ("s2tw"): Taiwan wording ("s2twp") would also reword
    # phrases a translator may keep
    characters = opencc.OpenCC("s2tw")
    simplified_left = [
        text
        for message in _catalog("zh_TW")
        if message.id
        for text in _texts(message.string)
        if characters.convert(text) != text
    ]
    assert not simplified_left, simplified_left[:20]


def test_a_page_in_traditional_chinese(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_a)
    client.get("/lang/zh-Hant", params={"next": "/customers"})
    page = client.get("/customers")
    assert page.status_code == 200
    assert '<html lang="zh-TW">' in page.text
    assert "客戶" in page.text and "客户" not in page.text.split("<body", 1)[1].split("<table")[0]
    assert 'aria-current="true">繁體中文</a>' in page.text


def test_bank_authored_chinese_reads_in_traditional_for_a_taiwan_reader() -> None:
    text = LocalizedText.of(zh="服务质量差距与软件网络", en="Service gap")
    assert text.text("zh_TW") == "服務質量差距與軟體網路"
    assert text.text("zh-CN") == "服务质量差距与软件网络"
    assert LocalizedText({"zh": "信息", "zh_tw": "資訊（行方用語）", "en": "x"}).text("zh_TW") == (
        "資訊（行方用語）"
    )
    assert in_language("zh_TW", zh="理财产品", en="Wealth product") == "理財產品"
    assert in_language("en", zh="理财产品", en="Wealth product") == "Wealth product"
    assert in_language("zh_TW", zh=None, en="x") is None


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh-Hant", "zh_TW"),
        ("zh-HK", "zh_TW"),
        ("zh_TW", "zh_TW"),
        ("en-GB", "en"),
        ("fr", None),
        ("xx-yy", None),
        ("", None),
    ],
)
def test_language_tags_find_their_catalog(tag: str, locale: str | None) -> None:
    assert normalise_locale(tag) == locale


def test_no_money_shows_a_minus_zero() -> None:
    for locale in SUPPORTED_LOCALES:
        assert not format_money(Decimal("-0.004"), locale).startswith("-")
        assert not format_money(-0.0, locale, compact=True).startswith("-")
    assert format_money(Decimal("1234.5"), "zh_TW") == "¥1,234.50"


def test_labels_follow_the_glossary() -> None:
    assert gettext("zh_CN", "account manager") == "客户经理"
    assert gettext("zh_CN", "corporate") == "对公客户"
    assert gettext("en", "corporate") == "corporate"


def test_money_in_chinese_uses_wan_and_yi() -> None:
    assert format_money(Decimal("1234.56"), "zh_CN") == "¥1,234.56"
    assert format_money(Decimal("123456.78"), "zh_CN", compact=True) == "¥12.35万"
    assert format_money(Decimal("320000000"), "zh_CN", compact=True) == "¥3.2亿"
    assert format_money(Decimal("1234.56"), "en") == "¥1,234.56"
    # the yuan, not babel's "CN¥", in every language
    assert format_money(Decimal("123456.78"), "zh_TW", compact=True) == "¥12.35萬"
    assert format_money(Decimal("123456.78"), "en", compact=True) == "¥123.46K"
    assert format_money(Decimal("-5"), "en") == "-¥5.00"


def test_times_are_shown_in_the_banks_time_zone() -> None:
    assert format_date(datetime(2026, 1, 1, 1, 30, tzinfo=UTC), "zh_CN") == "2026-01-01 09:30"
    assert format_date(datetime(2026, 1, 1, 1, 30), "en") == "2026-01-01 09:30"
