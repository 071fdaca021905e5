"""Complaint deadlines in calendar days or, where the bank chooses, working days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DeadlineRule:
    """Days to decide, the one extension, and how days are counted.

    Working days are Monday to Friday less ``holidays``, plus ``extra_working_days``
    (weekend days worked in lieu of a holiday); they are counted in the bank's time zone
    and the deadline keeps the time of day of its start.
    """

    days: int = 15
    extension_days: int = 15
    working_days: bool = False
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    timezone: str = "Asia/Shanghai"

    def deadline(self, start: datetime) -> datetime:
        """When a case received (or reopened) at ``start`` must be decided."""
        return self.after(start, self.days)

    def after(self, start: datetime, days: int) -> datetime:
        """``days`` days after ``start``; an extension counts on from the current deadline."""
        if not self.working_days:
            return start + timedelta(days=days)
        zone = ZoneInfo(self.timezone)
        local = start.astimezone(zone)
        day = local.date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        moved = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)
        return moved.astimezone(start.tzinfo)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays
