"""Fill the Traditional Chinese catalog from the Simplified one.

Every message of ``zh_CN`` gets a ``zh_TW`` entry; one a translator has written is kept,
an empty one is the Simplified text converted with OpenCC's ``s2twp`` (Traditional
characters, Taiwan wording). Messages no longer in ``zh_CN`` are dropped.
    .venv/bin/python scripts/derive-zh-tw.py
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bankcrm.core.localized import to_traditional

LOCALES = Path(__file__).resolve().parents[1] / "src" / "bankcrm" / "web" / "locales"
SIMPLIFIED = LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.po"
TRADITIONAL = LOCALES / "zh_TW" / "LC_MESSAGES" / "messages.po"


def _converted(text: str | tuple[str, ...]) -> str | tuple[str, ...]:
    if isinstance(text, tuple):
        return tuple(to_traditional(form) for form in text)
    return to_traditional(text)


def _written(text: object) -> bool:
    if isinstance(text, tuple):
        return all(text)
    return bool(text)


def main() -> None:
    with SIMPLIFIED.open("rb") as source:
        simplified = read_po(source, locale="zh_CN")
    kept: dict[object, object] = {}
    if TRADITIONAL.exists():
        with TRADITIONAL.open("rb") as source:
            for message in read_po(source, locale="zh_TW"):
                if message.id and _written(message.string):
                    kept[(message.id, message.context)] = message.string
    traditional = Catalog(
        locale="zh_TW",
        project=simplified.project,
        creation_date=simplified.creation_date,
        revision_date=simplified.revision_date,
        fuzzy=False,
    )
    for message in simplified:
        if not message.id:
            continue
        string = kept.get((message.id, message.context)) or _converted(message.string)
        traditional.add(message.id, string, flags=message.flags, context=message.context)
    with TRADITIONAL.open("wb") as target:
        write_po(target, traditional, width=76, sort_output=True, omit_header=False)


if __name__ == "__main__":
    main()
