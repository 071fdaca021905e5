"""The one clock: every reading of "now" or "today" goes through this module, so tests move
time for the whole application at once.

Times are stored in UTC; deadlines and periods are days in the bank's time zone
(``Settings.timezone``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bankcrm.core.config import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def epoch_seconds() -> float:
    """Now as seconds since the epoch, for what is kept as a number (web sessions)."""
    return utcnow().timestamp()


def as_utc(moment: datetime) -> datetime:
    """SQLite keeps no offset and hands stored times back naive; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def bank_day(moment: datetime) -> date:
    """The bank's calendar day of a moment."""
    return as_utc(moment).astimezone(ZoneInfo(get_settings().timezone)).date()


def bank_today() -> date:
    return bank_day(utcnow())


def bank_now() -> datetime:
    """Now on the bank's wall clock (with its offset)."""
    return utcnow().astimezone(ZoneInfo(get_settings().timezone))


def bank_wall_time(moment: datetime) -> datetime:
    """A stored moment as the bank's wall clock showed it, without an offset: how a
    spreadsheet keeps times."""
    return as_utc(moment).astimezone(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)


def bank_day_start(day: date) -> datetime:
    """Midnight of a bank day, in UTC as every stored time is."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(get_settings().timezone)).astimezone(UTC)
