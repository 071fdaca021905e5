"""Days as the bank counts them: times are stored in UTC, deadlines and periods are days in
the bank's time zone (``Settings.timezone``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bankcrm.core.config import get_settings
from bankcrm.core.db import as_utc, utcnow


def bank_day(moment: datetime) -> date:
    """The bank's calendar day of a moment."""
    return as_utc(moment).astimezone(ZoneInfo(get_settings().timezone)).date()


def bank_today() -> date:
    return bank_day(utcnow())


def bank_day_start(day: date) -> datetime:
    """Midnight of a bank day, in UTC as every stored time is."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(get_settings().timezone)).astimezone(UTC)
