"""Whether the law lets the bank erase a customer now. Pure."""

from __future__ import annotations

from datetime import date


def deletion_hold(
    *,
    legal_hold: str | None,
    open_accounts: int,
    last_closed_on: date | None,
    today: date,
    retention_years: int,
) -> str | None:
    """The reason a deletion must wait, or ``None`` when nothing holds it.

    The Anti-Money Laundering Law has a bank keep identity data and transaction records
    while it serves a customer and for ``retention_years`` after the relationship ended;
    PIPL article 47 yields to such a duty. A legal hold (litigation, investigation) also
    blocks deletion."""
    if legal_hold:
        return f"a legal hold is in force: {legal_hold}"
    if open_accounts:
        return (
            f"the customer still holds {open_accounts} open account(s): identity data must "
            "be kept while the bank serves the customer (Anti-Money Laundering Law)"
        )
    if last_closed_on is not None:
        keep_until = _years_after(last_closed_on, retention_years)
        if today < keep_until:
            return (
                f"identity data must be kept until {keep_until.isoformat()}, "
                f"{retention_years} years after the last account closed on "
                f"{last_closed_on.isoformat()} (Anti-Money Laundering Law)"
            )
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
