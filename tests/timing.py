"""Moving the application's clock in tests (time-machine moves what ``core/clock.py`` reads)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine

from bankcrm.core import clock

OFFICE_HOUR = 10


def bank_moment(day: date, *, hour: int = OFFICE_HOUR) -> datetime:
    """A moment of a bank day, in UTC as stored times are."""
    return clock.bank_day_start(day) + timedelta(hours=hour)


def move_to_bank_day(
    traveller: time_machine.TimeMachineFixture, day: date, *, hour: int = OFFICE_HOUR
) -> datetime:
    """Stop the clock at ``hour`` o'clock of a bank day; returns that moment."""
    moment = bank_moment(day, hour=hour)
    traveller.move_to(moment, tick=False)
    return moment
