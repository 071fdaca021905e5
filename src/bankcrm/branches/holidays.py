"""The bank's closing days: the People's Republic's public holidays (法定节假日) as the State
Council announces them each year, kept as data (``data/holidays_cn.csv``). The demo's
branches close on them and the arrivals forecast treats them as a day type of their own."""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache
from importlib import resources

HOLIDAY_FILE = "holidays_cn.csv"


@lru_cache
def public_holidays() -> frozenset[date]:
    """Every public holiday the shipped list holds."""
    text = (resources.files("bankcrm.branches") / "data" / HOLIDAY_FILE).read_text("utf-8")
    return frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(text.splitlines()))
