"""What people type: one normalisation of free text and names, one range of dates.

Every name, reason and free text a user types passes through here: the API's schemas use
the ``Annotated`` types (``Text``, ``Name`` and their optional forms), the page forms
``FormText`` and ``FormName`` (a blank form field stays empty, and the service says it is
missing) and ``parse_day``. Normalising happens before length and pattern checks, so
that a limit counts what is stored.

- Zero-width characters, bidirectional controls and the byte-order mark are removed
  (``INVISIBLE``): a right-to-left override turns ``txt.exe`` into ``exe.txt`` on screen,
  and a reason of zero-width spaces looks like a reason in a list but says nothing.
- Names (and titles, units: one-line labels people search and compare) are NFKC: the
  full-width ``ＡＢＣ１２３`` of a Chinese input method is ``ABC123``, a compatibility
  ideograph its unified one; runs of white space are one space.
- Free text is NFC only: NFKC would turn the full-width punctuation of Chinese prose
  (``，：（）``) into ASCII in a reply the customer reads.
- Surrounding white space is dropped; what is left must not be blank where the text is
  required (``Text``, ``Name``), and is empty where it is optional.

Dates a user enters are written ``YYYY-MM-DD`` (not a count of seconds since 1970) and lie
between ``FIRST_DAY`` and ``YEARS_AHEAD`` years after the bank's today
(``clock.bank_today``): ``0001-01-01`` or ``9999-12-31`` is a typing slip, and converting
one to the bank's time zone or adding a day to it overflows.

A number typed in a page form (``parse_number``) may carry the thousands separators people
write (``1,200.50``) and, where a field allows it, its unit (``¥``, ``%``); its digits may be
of any script, as ``Decimal`` reads them: the full-width ``１２０`` of a Chinese input method
is 120. A whole number is read by ``pagination.whole_number``, after ``ascii_digits`` where
such digits are accepted.

A request body of the API is an ``Input``: its JSON types are the ones the OpenAPI document
declares, without pydantic's lax coercions (``0`` for ``false``, ``"7"`` for ``7``, ``false``
for ``0``); a value picked from a list (``Choice``), a date and a time are read from their
strings, as JSON has no type of their own.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict

from bankcrm.core import clock
from bankcrm.core.clock import as_utc

INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Zero-width characters (U+200B–U+200D, U+2060 word joiner, U+2061–U+2064 invisible
operators, U+FEFF byte-order mark) and the bidirectional controls (U+061C, U+200E–U+200F
marks, U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates)."""
_SPACES = re.compile(r"\s+")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*")

BLANK = "must not be blank (spaces and invisible characters do not count)"
FIRST_DAY = date(1900, 1, 1)
YEARS_AHEAD = 5
"""The furthest a typed date may lie ahead: deadlines, survey windows and due dates are
months away, a filter's end at most a planning horizon."""


def normalise_text(value: Any) -> Any:
    """Free text as it is stored: NFC, without invisible characters, stripped."""
    if not isinstance(value, str):
        return value
    return INVISIBLE.sub("", unicodedata.normalize("NFC", value)).strip()


def normalise_name(value: Any) -> Any:
    """A name or title as it is stored: NFKC, without invisible characters, one space
    between words, stripped."""
    if not isinstance(value, str):
        return value
    visible = INVISIBLE.sub("", unicodedata.normalize("NFKC", value))
    return _SPACES.sub(" ", visible).strip()


def _required_text(value: Any) -> Any:
    """Normalised; blank is an error (``None`` passes, for the optional forms)."""
    value = normalise_text(value)
    if value == "":
        raise ValueError(BLANK)
    return value


def _required_name(value: Any) -> Any:
    value = normalise_name(value)
    if value == "":
        raise ValueError(BLANK)
    return value


Text = Annotated[str, BeforeValidator(_required_text)]
"""Required free text (a complaint, a note, the reason for revealing data)."""
OptionalText = Annotated[str | None, BeforeValidator(normalise_text)]
"""Free text that may be left out or empty (``""`` clears it where a field left out keeps
it); a service that needs it for one action (a reason to extend) refuses it empty."""
Name = Annotated[str, BeforeValidator(_required_name)]
"""A required name, title or label."""
NameChange = Annotated[str | None, BeforeValidator(_required_name)]
"""A required name in an update: left out it stays, given it must not be blank."""
OptionalName = Annotated[str | None, BeforeValidator(normalise_name)]
FormText = Annotated[str, BeforeValidator(normalise_text)]
"""Free text from a page form, empty when blank."""
FormName = Annotated[str, BeforeValidator(normalise_name)]


def last_day() -> date:
    """The latest date a user may enter today."""
    today = clock.bank_today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_day(value: date) -> date:
    """``value`` when it is a plausible date to type, else a ``ValueError`` saying the range."""
    latest = last_day()
    if not FIRST_DAY <= value <= latest:
        raise ValueError(f"must be a date from {FIRST_DAY.isoformat()} to {latest.isoformat()}")
    return value


def check_moment(value: datetime) -> datetime:
    """A typed time whose day (as typed, before any time zone) is a plausible date."""
    check_day(value.date())
    return value


def parse_day(text: str) -> date:
    """A date typed in a form (``YYYY-MM-DD``, surrounding spaces ignored) within the range;
    a ``ValueError`` saying what is wrong otherwise."""
    text = text.strip()
    try:
        value = date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:
        value = None
    if value is None:
        raise ValueError("enter a date as YYYY-MM-DD")
    return check_day(value)


def parse_number(text: str, *, ignore: str = ",") -> Decimal | None:
    """A number typed in a form, None when nothing is; a ``ValueError`` when it is not a
    finite number. The characters of ``ignore`` (thousands separators, a unit the field may
    be typed with) are left out wherever they stand, and surrounding spaces."""
    cleaned = text.strip()
    for character in ignore:
        cleaned = cleaned.replace(character, "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return number


def ascii_digits(text: str) -> str:
    """``text`` with each decimal digit of another script (``１２``, ``١٢``) written in ASCII,
    so that ``whole_number`` reads what ``int`` would; ``²`` and ``①`` are no decimal digits
    and stay as they are."""
    return "".join(str(unicodedata.decimal(character, character)) for character in text)


def _iso_day(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("enter a date as YYYY-MM-DD")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("enter a date as a string YYYY-MM-DD")
    return value


def _iso_moment(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_MOMENT.fullmatch(value):
        raise ValueError("enter a time as YYYY-MM-DDTHH:MM (RFC 3339)")
    if not isinstance(value, str | datetime):
        raise ValueError("enter a time as a string YYYY-MM-DDTHH:MM (RFC 3339)")
    return value


Day = Annotated[date, Strict(False), BeforeValidator(_iso_day), AfterValidator(check_day)]
"""A date a user enters: a deadline, a survey window, a filter's bounds."""
Moment = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_iso_moment),
    AfterValidator(check_moment),
    AfterValidator(as_utc),
]
"""A time a user enters (when a letter was received); without an offset it is UTC."""

T = TypeVar("T")
Choice = Annotated[T, Strict(False)]
"""In an ``Input``, a value picked from a list (an enum) or a decimal, read from its JSON
string."""


class Input(BaseModel):
    """A request body: JSON types as the OpenAPI document declares them (``Choice``, ``Day``
    and ``Moment`` read their strings)."""

    model_config = ConfigDict(strict=True)
