"""The gettext catalogs (zh_CN default, zh_TW, en) and locale-aware money and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_currency, format_decimal
from babel.support import Translations

from bankcrm.core.config import get_settings

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
SUPPORTED_LOCALES = ("zh_CN", "zh_TW", "en")
CURRENCY = "CNY"
LANGUAGE_SWITCH = (("zh_CN", "简体中文"), ("zh_TW", "繁體中文"), ("en", "English"))
"""Each language as the switch offers it, named in itself."""


def normalise_locale(value: str | None) -> str | None:
    """The supported locale a tag asks for: ``zh-Hant``, ``zh-HK`` and ``zh_TW`` read
    Traditional Chinese; ``zh``, ``zh-Hans`` and ``zh-CN`` Simplified; ``en-GB`` English."""
    if not value:
        return None
    try:
        asked = Locale.parse(value.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if asked.language == "en":
        return "en"
    if asked.language != "zh":
        return None
    traditional = asked.script == "Hant" or (
        asked.script is None and asked.territory in ("TW", "HK", "MO")
    )
    return "zh_TW" if traditional else "zh_CN"


@lru_cache
def translations(locale: str) -> Translations:
    """The catalog for ``locale``, compiled in memory from its ``.po`` file."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def format_money(
    amount: Decimal | int | float | None, locale: str, *, compact: bool = False
) -> str:
    """¥1,234.56 in full, or ¥12.35万 / ¥3.20亿 (¥12.35K in English) where space is tight.

    Babel writes the yuan "CN¥" outside zh-CN, to tell it from the yen; every amount here
    is in yuan, so every language shows the same "¥"."""
    if amount is None:
        return "—"
    value = Decimal(str(amount))
    if value.quantize(Decimal("0.01")) == 0:
        value = Decimal(0)  # a rounded-away minus would print "-¥0.00"
    if compact and abs(value) >= 10_000:
        text = format_compact_currency(value, CURRENCY, locale=locale, fraction_digits=2)
    else:
        text = format_currency(value, CURRENCY, locale=locale)
    return text.replace("CN¥", "¥")


def format_number(value: int | Decimal | float, locale: str) -> str:
    return format_decimal(value, locale=locale)


def format_date(value: date | datetime | None, locale: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        # stored in UTC (SQLite hands it back without a zone); shown in the bank's time zone
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(locale) or locale
