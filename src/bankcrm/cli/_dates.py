"""Dates given on the command line."""

from __future__ import annotations

from datetime import date

import typer


def parse_day(value: str | None, option: str = "--as-of") -> date:
    """A YYYY-MM-DD option; today in the bank's time zone when not given."""
    if value is None:
        from bankcrm.core.clock import bank_today

        return bank_today()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from error
