"""A counter plan from arrival slots: the fewest counters of every slot that meet the
waiting-time target, and the typical week checked slot by slot against a simulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bankcrm.branches import simulation, staffing

WARM_UP_SERVICES = 10
"""The simulated queue starts empty and runs this many mean handling times (at least one
slot) before customers count: shorter warm-ups left the simulated service level visibly
above Erlang C for long handling times."""


@dataclass(frozen=True)
class Targets:
    """What a plan must meet; times in minutes. With ``patience`` the plan is Erlang A and
    simulated customers give up; without it, Erlang C and nobody leaves."""

    service: float
    wait: float
    level: float
    patience: float | None = None

    def staff(self, rate: float) -> staffing.Staffing:
        return _staff(self, rate)


@lru_cache(maxsize=1 << 16)
def _staff(targets: Targets, rate: float) -> staffing.Staffing:
    """Counts per slot take few values, and a typical week repeats its slots' rates, so a
    rate's search is done once."""
    if targets.patience is None:
        return staffing.counters_needed(rate, targets.service, targets.wait, targets.level)
    return staffing.counters_needed_with_abandonment(
        rate, targets.service, targets.patience, targets.wait, targets.level
    )


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime
    arrivals: float
    minutes_covered: float
    counters: int
    service_level: float


@dataclass(frozen=True)
class CheckedSlot:
    """A slot of the typical week: its mean arrivals per slot, the counters Erlang asks
    for and the service level it expects, and what the simulation of that slot saw."""

    weekday: int
    minute_of_day: int
    time: str
    arrivals: float
    counters: int
    service_level: float
    simulated_service_level: float
    simulated_ci: tuple[float, float]


def plan_slots(slots: Sequence[staffing.Slot], targets: Targets) -> list[PlannedSlot]:
    """Every slot staffed for its own rate (its arrivals over the minutes it covers)."""
    needs = {rate: targets.staff(rate) for rate in {slot.rate for slot in slots}}
    planned = []
    for slot in slots:
        need = needs[slot.rate]
        planned.append(
            PlannedSlot(slot.start, slot.arrivals, slot.minutes, need.counters, need.service_level)
        )
    return planned


def check_profile(
    profile: Sequence[staffing.TypicalSlot],
    targets: Targets,
    *,
    slot_minutes: int,
    replications: int,
    seed: int,
) -> list[CheckedSlot]:
    """Each typical slot staffed by Erlang and simulated with that many counters; the
    slots are simulated together, each with its own seed."""
    needs = [targets.staff(typical.rate) for typical in profile]
    checks = simulation.simulate_service_levels(
        [
            simulation.SlotQueue(
                rate=typical.rate,
                counters=need.counters,
                duration=slot_minutes,
                warm_up=max(slot_minutes, WARM_UP_SERVICES * targets.service),
                seed=(seed, typical.weekday, typical.minute_of_day),
            )
            for typical, need in zip(profile, needs, strict=True)
        ],
        service=targets.service,
        wait=targets.wait,
        replications=replications,
        patience=targets.patience,
    )
    return [
        CheckedSlot(
            weekday=typical.weekday,
            minute_of_day=typical.minute_of_day,
            time=typical.time,
            arrivals=typical.rate * slot_minutes,
            counters=need.counters,
            service_level=need.service_level,
            simulated_service_level=check.service_level,
            simulated_ci=check.interval,
        )
        for typical, need, check in zip(profile, needs, checks, strict=True)
    ]
