"""The demo's KPIs: the last six full months of every account manager and branch manager,
computed from the demo bank's records (business, complaints, surveys, tasks, training) so
the performance pages open on a trend and a branch ranking."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.staff.performance import indicators
from bankcrm.staff.performance import service as performance_service

DEMO_MONTHS = 6


def demo_months(today: date, months: int = DEMO_MONTHS) -> list[date]:
    """The first days of the last ``months`` full months before ``today``, oldest first."""
    latest = indicators.previous_month(indicators.month_start(today))
    return [indicators.months_before(latest, back) for back in range(months - 1, -1, -1)]


def compute_demo_kpis(session: Session, *, today: date) -> int:
    """Compute and store the KPIs of the last six full months; the rows written."""
    results = performance_service.compute_months(session, months=demo_months(today))
    return sum(result.staff for result in results)
