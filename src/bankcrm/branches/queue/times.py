"""Queue times of a branch (NovoSGA's measures): how long customers waited to be called, how
long they were served, and how long each counter and each member of staff stood idle
between one customer and the next.

Pure: visits in, minutes out. A visit's wait is its call less its arrival, its service its
end less its start. A counter's (or a person's) idle time is the gap between the end of one
service and the start of the next on the same day, counted only inside the opening hours:
the time before opening, after closing and overnight is nobody's idle time.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

PERCENTILES = (50, 90)
"""The percentiles every summary reports: the median and the long tail."""


@dataclass(frozen=True)
class Visit:
    """One ticket's moments; the call, start and end are missing until they happen."""

    branch_id: int
    counter: str | None
    staff_id: int | None
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class OpeningHours:
    """When the branch is open, on the bank's wall clock in ``zone``."""

    opens: time
    closes: time
    zone: tzinfo


@dataclass(frozen=True)
class Summary:
    """Minutes of a set of visits: how many, their mean, median, 90th percentile and most."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    longest: float | None


@dataclass(frozen=True)
class Workload:
    """What one counter or one member of staff did: the customers served, the waits of
    those they called, the service times, and the minutes busy and idle."""

    key: Hashable
    served: int
    wait: Summary
    service: Summary
    busy_minutes: float
    idle_minutes: float

    @property
    def busy_share(self) -> float | None:
        """Busy ÷ (busy + idle): how much of the worked stretch went to customers."""
        worked = self.busy_minutes + self.idle_minutes
        return None if worked == 0 else self.busy_minutes / worked


def minutes_between(earlier: datetime | None, later: datetime | None) -> float | None:
    if earlier is None or later is None:
        return None
    return (later - earlier).total_seconds() / 60


def wait_minutes(visit: Visit) -> float | None:
    """From arrival to being called; ``None`` until the visit is called."""
    return minutes_between(visit.arrived_at, visit.called_at)


def service_minutes(visit: Visit) -> float | None:
    """From the start of service to its end; ``None`` until both happened."""
    return minutes_between(visit.started_at, visit.ended_at)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between the closest ranks,
    the way NumPy's default computes it."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile lies between 0 and 100, not {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    below = math.floor(rank)
    above = math.ceil(rank)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def summarise(values: Iterable[float | None]) -> Summary:
    """The summary of the values that are there (a ``None`` did not happen yet)."""
    present = [value for value in values if value is not None]
    if not present:
        return Summary(count=0, mean=None, p50=None, p90=None, longest=None)
    low, high = PERCENTILES
    return Summary(
        count=len(present),
        mean=sum(present) / len(present),
        p50=percentile(present, low),
        p90=percentile(present, high),
        longest=max(present),
    )


def _open_window(moment: datetime, hours: OpeningHours) -> tuple[datetime, datetime]:
    """Opening and closing of the bank day ``moment`` falls on."""
    local = moment.astimezone(hours.zone)
    day = local.date()
    return (
        datetime.combine(day, hours.opens, tzinfo=hours.zone),
        datetime.combine(day, hours.closes, tzinfo=hours.zone),
    )


def idle_minutes(visits: Iterable[Visit], hours: OpeningHours) -> float:
    """Minutes between the end of one service and the start of the next, of one counter or
    one person, inside the opening hours of the day the gap begins; a gap that runs into
    another day, and overlapping services, add nothing."""
    served = sorted(
        (visit for visit in visits if visit.started_at is not None and visit.ended_at is not None),
        key=lambda visit: (visit.started_at, visit.ended_at),
    )
    total = 0.0
    for before, after in itertools.pairwise(served):
        assert before.ended_at is not None and after.started_at is not None
        opens, closes = _open_window(before.ended_at, hours)
        if after.started_at.astimezone(hours.zone).date() != opens.date():
            continue
        start = max(before.ended_at, opens)
        end = min(after.started_at, closes)
        if end > start:
            total += (end - start).total_seconds() / 60
    return total


def _workloads(
    visits: Iterable[Visit], key: Callable[[Visit], Hashable | None], hours: OpeningHours
) -> list[Workload]:
    groups: dict[Hashable, list[Visit]] = defaultdict(list)
    for visit in visits:
        found = key(visit)
        if found is not None:
            groups[found].append(visit)
    loads = []
    for found, members in groups.items():
        services = [service_minutes(visit) for visit in members]
        loads.append(
            Workload(
                key=found,
                served=sum(1 for minutes in services if minutes is not None),
                wait=summarise(wait_minutes(visit) for visit in members),
                service=summarise(services),
                busy_minutes=sum(minutes for minutes in services if minutes is not None),
                idle_minutes=idle_minutes(members, hours),
            )
        )
    return sorted(loads, key=lambda load: str(load.key))


def by_counter(visits: Iterable[Visit], hours: OpeningHours) -> list[Workload]:
    """One workload per counter, keyed ``(branch_id, counter)``; visits never called to a
    counter are left out."""
    return _workloads(
        visits,
        lambda visit: None if visit.counter is None else (visit.branch_id, visit.counter),
        hours,
    )


def by_staff(visits: Iterable[Visit], hours: OpeningHours) -> list[Workload]:
    """One workload per member of staff, keyed by their id."""
    return _workloads(visits, lambda visit: visit.staff_id, hours)
