"""The demo's branch queues: a year of tickets at every branch, and next week's counter plan.

Arrivals are a non-homogeneous Poisson process on the bank's clock: a daily size per branch
that grows or shrinks over the year, a weekday profile (Monday and Friday busiest, Saturday
lighter, Sunday light or closed as the branch chooses), a day from 09:00 to 17:00 with a
lunchtime peak and a late-afternoon peak, branches closed on public holidays and busier on
the open days around them. Each day's customers are then served first come, first served at
the branch's counters (one of them away for lunch from 12:00 to 13:00), so every wait is
what those counters would have made of those arrivals."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.branches import service as branches_service
from bankcrm.branches.holidays import public_holidays
from bankcrm.branches.models import Branch
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.core.config import get_settings
from bankcrm.core.enums import Role, TicketPriority, TicketStatus
from bankcrm.scope import SystemRepository
from bankcrm.staff.models import StaffUser

logger = logging.getLogger(__name__)

HISTORY_DAYS = 365
OPENING_HOUR = 9
OPEN_MINUTES = 8 * 60
LUNCH = (3 * 60, 4 * 60)
"""12:00–13:00, minutes after opening: one counter's clerk is at lunch."""
WEEKDAY_FACTORS = (1.15, 1.0, 0.95, 0.95, 1.1, 0.6, 0.35)
"""Monday … Sunday; Sunday only at the branches that open then."""
AROUND_HOLIDAY_FACTOR = 1.3
"""The two open days before and after a holiday bring the errands it put off."""
PER_COUNTER_DAILY = 24.0
"""Customers a counter sees on an ordinary Tuesday, before each branch's own size."""
SERVICES = (
    # service type, ticket letter, share, mean handling minutes
    ("cash", "A", 0.38, 5.0),
    ("transfer", "B", 0.22, 7.0),
    ("card", "C", 0.15, 9.0),
    ("account_opening", "D", 0.10, 15.0),
    ("wealth", "E", 0.10, 12.0),
    ("loan", "F", 0.05, 14.0),
)
VIP_SHARE = 0.03
ELDERLY_SHARE = 0.05
WALK_TO_COUNTER_MINUTES = 0.5
NO_SHOW_MINUTES = 1.0
"""A counter that calls a ticket nobody answers calls the next after this long."""
MEAN_PATIENCE_MINUTES = 60.0
"""A customer waiting longer than their (exponential) patience is gone when called."""
SOURCE = "demo"


@dataclass(frozen=True)
class QueueBranch:
    """What shapes one branch's year of tickets."""

    branch_id: int
    counters: int
    staff_ids: tuple[int, ...]
    daily_mean: float
    """Customers on an ordinary Tuesday at the end of the year."""
    yearly_growth: float
    """Log change of the daily size over a year."""
    sunday_open: bool


def day_shape() -> np.ndarray:
    """Relative arrival intensity in each minute after opening: a quieter first half hour,
    a lunchtime peak around 12:15 and a late-afternoon one around 16:00."""
    minute = np.arange(OPEN_MINUTES) + 0.5
    lunch = 0.9 * np.exp(-0.5 * ((minute - 195) / 40) ** 2)
    afternoon = 0.7 * np.exp(-0.5 * ((minute - 420) / 30) ** 2)
    opening = np.where(minute < 30, 0.7, 1.0)
    shape: np.ndarray = opening * (1.0 + lunch + afternoon)
    return shape / shape.sum()


TICKET_COLUMNS = (
    "branch_id",
    "issued_on",
    "number",
    "service_type",
    "priority",
    "status",
    "arrived_at",
    "called_at",
    "started_at",
    "ended_at",
    "counter",
    "staff_id",
    "source",
)
MOMENT_COLUMNS = ("arrived_at", "called_at", "started_at", "ended_at")


@dataclass(frozen=True)
class BranchTickets:
    """One branch's tickets as columns of ``queue_tickets``: times as UTC ``datetime64``
    (``NaT`` for a no-show's start and end), the rest as Python values."""

    branch_id: int
    columns: dict[str, Any]

    def __len__(self) -> int:
        return len(self.columns["number"])


def queue_history(
    branches: Sequence[QueueBranch],
    *,
    first: date,
    last: date,
    holidays: Collection[date],
    seed: int,
    zone: ZoneInfo,
) -> Iterator[BranchTickets]:
    """The tickets of every branch from ``first`` to ``last`` (both included)."""
    cumulative = np.cumsum(day_shape())
    holidays = frozenset(holidays)
    span = max((last - first).days, 1)
    for branch in branches:
        rng = np.random.default_rng([seed, branch.branch_id])
        days = []
        day = first
        while day <= last:
            factor = _day_factor(branch, day, holidays)
            if factor > 0:
                age = (last - day).days / span
                expected = branch.daily_mean * factor * np.exp(-branch.yearly_growth * age)
                days.append(
                    _day_tickets(branch, day, int(rng.poisson(expected)), rng, cumulative, zone)
                )
            day += timedelta(days=1)
        yield BranchTickets(
            branch.branch_id,
            {
                name: np.concatenate([columns[name] for columns in days])
                if name in MOMENT_COLUMNS
                else [value for columns in days for value in columns[name]]
                for name in TICKET_COLUMNS
            },
        )


def _day_factor(branch: QueueBranch, day: date, holidays: frozenset[date]) -> float:
    if day in holidays or (day.weekday() == 6 and not branch.sunday_open):
        return 0.0
    factor = WEEKDAY_FACTORS[day.weekday()]
    near = any(day + timedelta(days=shift) in holidays for shift in (-2, -1, 1, 2))
    return factor * AROUND_HOLIDAY_FACTOR if near else factor


def _day_tickets(
    branch: QueueBranch,
    day: date,
    count: int,
    rng: np.random.Generator,
    cumulative: np.ndarray,
    zone: ZoneInfo,
) -> dict[str, Any]:
    # Inverse-CDF draws from the day's shape: each minute in proportion to its intensity,
    # uniform within the minute; given the day's count, that is the Poisson process.
    draws = rng.random(count)
    arrivals = np.sort(np.searchsorted(cumulative, draws * cumulative[-1]) + rng.random(count))
    kinds = rng.choice(len(SERVICES), size=count, p=[service[2] for service in SERVICES])
    handling = rng.gamma(2.0, np.array([service[3] for service in SERVICES])[kinds] / 2.0)
    patience = rng.exponential(MEAN_PATIENCE_MINUTES, count)
    draw = rng.random(count)
    priorities = np.select([draw < VIP_SHARE, draw < VIP_SHARE + ELDERLY_SHARE], [1, 2], 0)
    called, counters, answered = _serve(
        branch.counters, arrivals.tolist(), handling.tolist(), patience.tolist()
    )
    started = np.where(answered, np.asarray(called) + WALK_TO_COUNTER_MINUTES, np.nan)
    opening = datetime(day.year, day.month, day.day, OPENING_HOUR, tzinfo=zone).astimezone(UTC)
    base = np.datetime64(opening.replace(tzinfo=None), "us")
    staff = branch.staff_ids
    return {
        "branch_id": [branch.branch_id] * count,
        "issued_on": [day] * count,
        "number": [
            f"{SERVICES[kind][1]}{index + 1:04d}" for index, kind in enumerate(kinds.tolist())
        ],
        "service_type": [SERVICES[kind][0] for kind in kinds.tolist()],
        "priority": [PRIORITIES[level].value for level in priorities.tolist()],
        "status": [
            (TicketStatus.DONE if stays else TicketStatus.NO_SHOW).value for stays in answered
        ],
        "arrived_at": _moments(base, arrivals),
        "called_at": _moments(base, np.asarray(called)),
        "started_at": _moments(base, started),
        "ended_at": _moments(base, started + handling),
        "counter": [f"{counter + 1:02d}" for counter in counters],
        "staff_id": [staff[counter % len(staff)] if staff else None for counter in counters],
        "source": [SOURCE] * count,
    }


PRIORITIES = (TicketPriority.NORMAL, TicketPriority.VIP, TicketPriority.ELDERLY)


def _serve(
    counters: int, arrivals: list[float], handling: list[float], patience: list[float]
) -> tuple[list[float], list[int], list[bool]]:
    """First come, first served: each customer goes to the counter that can call them first
    (the lowest number on a tie); one who waited longer than their patience is gone when
    called, and the counter calls the next a moment later. When each was called, at which
    counter, and whether they answered."""
    free = [0.0] * counters
    lunch_counter = 0 if counters > 1 else -1
    called: list[float] = []
    chosen: list[int] = []
    answered: list[bool] = []
    for arrival, service, gives_up in zip(arrivals, handling, patience, strict=True):
        counter, start = _first_free(free, arrival, lunch_counter)
        stays = start - arrival <= gives_up
        free[counter] = (
            start + WALK_TO_COUNTER_MINUTES + service if stays else start + NO_SHOW_MINUTES
        )
        called.append(start)
        chosen.append(counter)
        answered.append(stays)
    return called, chosen, answered


def _moments(base: np.datetime64, minutes: np.ndarray) -> np.ndarray:
    """Minutes after ``base`` as UTC times to the microsecond; ``NaT`` where not a number."""
    offsets = np.round(minutes * 60_000_000)
    moments = base + np.nan_to_num(offsets).astype("timedelta64[us]")
    return np.where(np.isnan(minutes), np.datetime64("NaT"), moments)


def _first_free(free: list[float], arrival: float, lunch_counter: int) -> tuple[int, float]:
    """The counter that can call the customer first (the lowest number on a tie) and when."""
    best, best_start = 0, float("inf")
    for counter, free_at in enumerate(free):
        start = max(free_at, arrival)
        if counter == lunch_counter and LUNCH[0] <= start < LUNCH[1]:
            start = float(LUNCH[1])
        if start < best_start:
            best, best_start = counter, start
    return best, best_start


class QueueHistorySystemRepository(SystemRepository):
    """The demo plants every branch's queue history for the whole bank."""

    def branches_with_tickets(self) -> set[int]:
        statement = self.owned(QueueTicket, QueueTicket.branch_id).group_by(QueueTicket.branch_id)
        return set(self.session.scalars(statement))

    def add_tickets(self, tickets: BranchTickets) -> int:
        """The branch's tickets straight through the driver: a year of a bank's tickets is
        hundreds of thousands of rows. PostgreSQL takes them by ``COPY``, SQLite by the
        driver's ``executemany``; the times go in as text that NumPy formats at once (naive
        UTC for SQLite, as SQLAlchemy keeps them there; with the offset for PostgreSQL)."""
        connection = self.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        columns = {
            name: _as_text(values, sqlite=sqlite) if name in MOMENT_COLUMNS else values
            for name, values in tickets.columns.items()
        }
        rows = list(zip(*(columns[name] for name in TICKET_COLUMNS), strict=True))
        names = ", ".join(TICKET_COLUMNS)
        cursor = connection.connection.cursor()
        try:
            if sqlite:
                markers = ", ".join("?" * len(TICKET_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {QueueTicket.__tablename__} ({names}) VALUES ({markers})", rows
                )
            else:
                with cursor.copy(f"COPY {QueueTicket.__tablename__} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()
        return len(rows)


def _as_text(moments: np.ndarray, *, sqlite: bool) -> list[str | None]:
    text = np.datetime_as_string(moments, unit="us")
    text = np.char.replace(text, "T", " ") if sqlite else np.char.add(text, "+00:00")
    return [
        None if missing else value
        for value, missing in zip(text.tolist(), np.isnat(moments).tolist(), strict=True)
    ]


def plant_queue_history(session: Session, *, today: date, seed: int) -> int:
    """A year of tickets up to yesterday at every branch that has none; how many."""
    began = time.perf_counter()
    tickets = QueueHistorySystemRepository(session)
    planted = tickets.branches_with_tickets()
    rng = np.random.default_rng(seed + 40)
    managers = _branch_managers(session)
    branches = [
        QueueBranch(
            branch_id=branch.id,
            counters=max(branch.counters, 1),
            staff_ids=tuple(managers.get(branch.id, ())),
            daily_mean=PER_COUNTER_DAILY * max(branch.counters, 1) * float(rng.lognormal(0, 0.15)),
            yearly_growth=float(rng.uniform(-0.1, 0.25)),
            sunday_open=bool(rng.random() < 0.5),
        )
        for branch in session.scalars(select(Branch).order_by(Branch.id))
        if branch.id not in planted
    ]
    count = sum(
        tickets.add_tickets(history)
        for history in queue_history(
            branches,
            first=today - timedelta(days=HISTORY_DAYS),
            last=today - timedelta(days=1),
            holidays=public_holidays(),
            seed=seed,
            zone=ZoneInfo(get_settings().timezone),
        )
    )
    logger.info(
        "queue history: %d tickets at %d branches in %.1f s",
        count,
        len(branches),
        time.perf_counter() - began,
    )
    return count


def _branch_managers(session: Session) -> dict[int, list[int]]:
    """The active account managers of each branch, by user name: they staff its counters."""
    statement = (
        select(StaffUser.branch_id, StaffUser.id)
        .where(
            StaffUser.role == Role.ACCOUNT_MANAGER,
            StaffUser.is_active.is_(True),
            StaffUser.branch_id.is_not(None),
        )
        .order_by(StaffUser.branch_id, StaffUser.username)
    )
    managers: dict[int, list[int]] = {}
    for branch_id, staff_id in session.execute(statement):
        if branch_id is not None:
            managers.setdefault(branch_id, []).append(staff_id)
    return managers


def plan_demo_branches(session: Session, *, today: date) -> int:
    """Next week's counter plan at every branch with tickets; how many were planned."""
    week_start = today + timedelta(days=7 - today.weekday())
    planned = 0
    for branch_id in sorted(QueueHistorySystemRepository(session).branches_with_tickets()):
        branches_service.plan_week(session, branch_id, week_start)
        planned += 1
    session.flush()
    return planned
