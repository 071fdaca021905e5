"""Child process for the staffing benchmark; each mode prints one JSON object last.

``plan BRANCHES WORKERS``: ``BRANCHES`` branches, each a year of 5-minute arrival counts
drawn from its own seed, planned across ``WORKERS`` processes: the forecaster fitted on the
year and the next week forecast, Erlang counters for every slot of the year and of that
week, and every slot of the typical week checked by simulation (``planning.check_profile``).
``events BRANCHES``: the same plan in this process with each typical slot simulated by the
SimPy event model (``tests/branches/event_queue.py``), as the product did before; its
service levels are compared with ``check_profile``'s.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta

import numpy as np
from tests.branches.event_queue import simulate_with_events

from bankcrm.branches import forecast, planning, staffing

SEED = 20
SLOT_MINUTES = 5
OPENS, CLOSES = 9 * 60, 17 * 60
SLOTS_PER_DAY = (CLOSES - OPENS) // SLOT_MINUTES
FIRST_DAY = datetime(2025, 1, 6)  # a Monday
DAYS = 365
REPLICATIONS = 30
TARGETS = planning.Targets(service=6.0, wait=5.0, level=0.8)
"""Six-minute visits, 80 % seen within five minutes, nobody leaving."""
WEEKDAY_FACTORS = (1.2, 1.0, 0.95, 1.0, 1.1, 0.8)
"""Monday … Saturday; Sunday closed."""


def branch_slots(branch: int) -> list[staffing.Slot]:
    """A year of a branch open 9:00–17:00 five or six days a week with 100–300 visits a
    day: a late-morning and an after-lunch peak, busier Mondays and Fridays, and a 10 %
    rise over the year, counts Poisson."""
    rng = np.random.default_rng([SEED, branch])
    visits = rng.uniform(100, 300)
    open_days = 5 + int(rng.integers(0, 2))
    middle = np.arange(SLOTS_PER_DAY) * SLOT_MINUTES + SLOT_MINUTES / 2
    shape = (
        1
        + 0.6 * np.exp(-(((middle - 120) / 60) ** 2))
        + 0.8 * np.exp(-(((middle - 330) / 50) ** 2))
    )
    shape /= shape.sum()
    slots: list[staffing.Slot] = []
    for day in range(DAYS):
        opening = FIRST_DAY + timedelta(days=day, minutes=OPENS)
        weekday = opening.weekday()
        if weekday >= open_days:
            continue
        counts = rng.poisson(visits * WEEKDAY_FACTORS[weekday] * shape * (1 + 0.1 * day / DAYS))
        slots.extend(
            staffing.Slot(opening + timedelta(minutes=SLOT_MINUTES * index), float(count), 5.0)
            for index, count in enumerate(counts)
        )
    return slots


def _next_week(model: forecast.ArrivalForecaster) -> list[staffing.Slot]:
    midnight = datetime.combine(model.end_, datetime.min.time())
    starts = [
        midnight + timedelta(minutes=SLOT_MINUTES * index)
        for index in range(7 * 24 * 60 // SLOT_MINUTES)
    ]
    expected = model.predict(starts)
    return [
        staffing.Slot(start, float(arrivals), SLOT_MINUTES)
        for start, arrivals in zip(starts, expected, strict=True)
    ]


def _events_check(
    profile: list[staffing.TypicalSlot], seed: int
) -> list[tuple[float, tuple[float, float]]]:
    checked = []
    for typical in profile:
        level = simulate_with_events(
            rate=typical.rate,
            service=TARGETS.service,
            counters=TARGETS.staff(typical.rate).counters,
            wait=TARGETS.wait,
            duration=SLOT_MINUTES,
            warm_up=max(SLOT_MINUTES, planning.WARM_UP_SERVICES * TARGETS.service),
            replications=REPLICATIONS,
            seed=(seed, typical.weekday, typical.minute_of_day),
        )
        checked.append((level.service_level, level.interval))
    return checked


def plan_branch(branch: int, *, events: bool = False) -> dict[str, float]:
    """One branch planned; seconds of each step and what was planned."""
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = now - clock
        clock = now

    slots = branch_slots(branch)
    lap("generate")
    model = forecast.ArrivalForecaster(slot_minutes=SLOT_MINUTES).fit(slots)
    week = _next_week(model)
    lap("forecast")
    planned = planning.plan_slots(slots, TARGETS) + planning.plan_slots(week, TARGETS)
    lap("erlang")
    profile = staffing.weekly_profile(slots)
    if events:
        by_events = _events_check(profile, branch)
        lap("simulate")
        checked = planning.check_profile(
            profile, TARGETS, slot_minutes=SLOT_MINUTES, replications=REPLICATIONS, seed=branch
        )
        lap("check")
        seconds["differing_slots"] = sum(
            (slot.simulated_service_level, slot.simulated_ci) != reference
            for slot, reference in zip(checked, by_events, strict=True)
        )
    else:
        checked = planning.check_profile(
            profile, TARGETS, slot_minutes=SLOT_MINUTES, replications=REPLICATIONS, seed=branch
        )
        lap("simulate")
    return {
        **seconds,
        "slots": len(slots),
        "week_slots": len(week),
        "planned": len(planned),
        "profile_slots": len(checked),
        "max_counters": max(slot.counters for slot in planned),
    }


def plan(branches: int, workers: int) -> dict[str, object]:
    started = time.perf_counter()
    if workers == 1:
        results = [plan_branch(branch) for branch in range(branches)]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(plan_branch, range(branches), chunksize=4))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "workers": workers, **_totals(results)}


def events(branches: int) -> dict[str, object]:
    """``simulate`` sums the event model's seconds, ``check`` the product's on the same
    slots."""
    results = [plan_branch(branch, events=True) for branch in range(branches)]
    return {**_totals(results), "check": sum(result["check"] for result in results)}


def _totals(results: list[dict[str, float]]) -> dict[str, object]:
    keys = ("generate", "forecast", "erlang", "simulate", "slots", "week_slots", "planned")
    totals: dict[str, object] = {key: sum(result[key] for result in results) for key in keys}
    totals["profile_slots"] = sum(result["profile_slots"] for result in results)
    totals["max_counters"] = max(result["max_counters"] for result in results)
    totals["differing_slots"] = sum(result.get("differing_slots", 0) for result in results)
    totals["branches"] = len(results)
    return totals


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "plan":
        result = plan(int(args[0]), int(args[1]))
    elif mode == "events":
        result = events(int(args[0]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
