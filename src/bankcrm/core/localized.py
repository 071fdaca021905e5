"""Bank-authored text in several languages, as written in the TOML data files.

Survey items, service standards, gap controls and the risk questionnaire are all worded
by the bank in Chinese and English (more languages are kept when given); in TOML each
text is a table such as ``{ zh = "…", en = "…" }``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import overload

import opencc

from bankcrm.core.exceptions import ValidationFailed

REQUIRED_LANGUAGES = ("zh", "en")
"""Every bank-authored text needs these; more (``ko`` for the kiosk survey) are kept."""


class LocalizedTextInvalid(ValidationFailed):
    """A TOML value that is not a usable text; ``field`` names where it was read."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}", field=where)
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class LocalizedText:
    """One text in several languages, keyed by language code (``zh``, ``en``, …)."""

    translations: dict[str, str]

    @classmethod
    def of(cls, *, zh: str, en: str) -> LocalizedText:
        """A text given in the two required languages."""
        return cls({"zh": zh, "en": en})

    @property
    def zh(self) -> str:
        return self.translations["zh"]

    @property
    def en(self) -> str:
        return self.translations["en"]

    def text(self, locale: str) -> str:
        """The text in ``locale`` (``zh-CN`` finds ``zh``), English when there is none.

        A Traditional Chinese reader (``zh_TW``) gets the bank's ``zh_tw`` text where it
        wrote one, else its Chinese text converted to Traditional with Taiwan wording.
        """
        tag = locale.replace("-", "_").lower()
        if tag == "zh_tw":
            written = self.translations.get("zh_tw")
            if written is not None:
                return written
            if "zh" in self.translations:
                return to_traditional(self.translations["zh"])
        language = tag.split("_")[0]
        return self.translations.get(language, self.translations["en"])


@overload
def in_language(locale: str, *, zh: str, en: str) -> str: ...
@overload
def in_language(locale: str, *, zh: str | None, en: str | None) -> str | None: ...
def in_language(locale: str, *, zh: str | None, en: str | None) -> str | None:
    """One of a pair of stored texts (a product's ``name_zh``/``name_en``) for ``locale``,
    read as :meth:`LocalizedText.text` reads; a text the bank left empty stays empty."""
    tag = locale.replace("-", "_").lower()
    if not tag.startswith("zh"):
        return en
    return to_traditional(zh) if tag == "zh_tw" and zh else zh


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Simplified Chinese in Traditional characters with Taiwan wording (OpenCC ``s2twp``)."""
    return _simplified_to_taiwan().convert(text)


@lru_cache(maxsize=1)
def _simplified_to_taiwan() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def read_localized(value: object, *, where: str) -> LocalizedText:
    """Read a TOML table of languages into a :class:`LocalizedText`.

    Parameters
    ----------
    value : object
        The parsed TOML value, expected to be ``{ zh = "…", en = "…" }``.
    where : str
        The entry being read (``items[4].expectation``), put in the error.

    Raises
    ------
    LocalizedTextInvalid
        If the value is not a table, lacks one of :data:`REQUIRED_LANGUAGES`, or holds a
        text that is not a non-empty string; the error names the language's key.
    """
    if not isinstance(value, dict):
        raise LocalizedTextInvalid(
            where, 'must be a table of languages, e.g. { zh = "…", en = "…" }'
        )
    for language in REQUIRED_LANGUAGES:
        if language not in value:
            raise LocalizedTextInvalid(where, f"the {language!r} text is missing")
    translations: dict[str, str] = {}
    for language, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise LocalizedTextInvalid(f"{where}.{language}", "must be a non-empty string")
        translations[language] = text.strip()
    return LocalizedText(translations)
