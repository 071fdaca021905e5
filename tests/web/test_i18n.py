from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bankcrm.web.i18n import LOCALES_DIR, format_date, format_money, gettext

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


def test_every_ui_string_has_a_chinese_translation() -> None:
    with (LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {message.id for message in catalog if message.id and message.string}
    messages = _source_messages()
    assert len(messages) > 100
    missing = messages - translated
    assert not missing, f"untranslated: {sorted(missing)}"


def test_labels_follow_the_glossary() -> None:
    assert gettext("zh_CN", "account manager") == "客户经理"
    assert gettext("zh_CN", "corporate") == "对公客户"
    assert gettext("en", "corporate") == "corporate"


def test_money_in_chinese_uses_wan_and_yi() -> None:
    assert format_money(Decimal("1234.56"), "zh_CN") == "¥1,234.56"
    assert format_money(Decimal("123456.78"), "zh_CN", compact=True) == "¥12.35万"
    assert format_money(Decimal("320000000"), "zh_CN", compact=True) == "¥3.2亿"
    assert format_money(Decimal("1234.56"), "en") == "CN¥1,234.56"


def test_times_are_shown_in_the_banks_time_zone() -> None:
    assert format_date(datetime(2026, 1, 1, 1, 30, tzinfo=UTC), "zh_CN") == "2026-01-01 09:30"
    assert format_date(datetime(2026, 1, 1, 1, 30), "en") == "2026-01-01 09:30"
