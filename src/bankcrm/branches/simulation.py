"""A discrete-event check of one slot: Poisson arrivals, exponential handling, c counters
serving in arrival order, optionally customers who give up after an exponential patience.

In a first-come first-served bank of counters a customer goes to the counter that frees
first after everyone ahead has gone to theirs, so the events need no calendar: the
Kiefer–Wolfowitz recursion keeps each counter's next free time, and customer n starts at
max(arrival, earliest free time), waits the difference, and occupies that counter for the
handling time, unless the wait exceeds the patience, in which case they leave and the
counters are as before. That is the whole event history of the queue, exact, and it runs in
NumPy across every replication of many slots at once: one step per customer position, not
one interpreter round-trip per event.

Each replication draws its arrivals, handling and patience from its own stream spawned
from the slot's seed, so a seed repeats a run whatever else is simulated alongside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import stats

from bankcrm.core.exceptions import ValidationFailed

CONFIDENCE = 0.95

COUNTER_GROUP_SPREAD = 1.25
"""Replications run side by side when their counter numbers lie within this factor (plus a
few counters) of each other; the smaller ones carry counters that never free."""


@dataclass(frozen=True)
class SimulatedLevel:
    """The share of customers arriving after the warm-up who were answered within the
    target, pooled over replications, and its 95 % interval; ``customers`` counts them."""

    service_level: float
    interval: tuple[float, float]
    customers: int


@dataclass(frozen=True)
class SlotQueue:
    """One slot to simulate: its arrival rate and counters, how long customers are counted
    after a warm-up that is not, and the seed of its replications."""

    rate: float
    counters: int
    duration: float
    warm_up: float
    seed: int | Sequence[int]


def simulate_service_level(
    *,
    rate: float,
    service: float,
    counters: int,
    wait: float,
    duration: float,
    warm_up: float,
    replications: int,
    seed: int | Sequence[int],
    patience: float | None = None,
) -> SimulatedLevel:
    """Run ``replications`` independent days of one slot: the queue starts empty, fills
    during ``warm_up`` (not counted), then every customer arriving within ``duration`` is
    followed until answered or gone. Units as in ``staffing``.

    The level is the ratio of customers answered in time to customers, over all
    replications; its interval is the delta-method (ratio estimator) t-interval with the
    replications as independent draws, so replications with few or no customers weigh
    what they hold. With no customer seen the interval is [0, 1].
    """
    queue = SlotQueue(rate, counters, duration, warm_up, seed)
    (level,) = simulate_service_levels(
        [queue], service=service, wait=wait, replications=replications, patience=patience
    )
    return level


def simulate_service_levels(
    queues: Sequence[SlotQueue],
    *,
    service: float,
    wait: float,
    replications: int,
    patience: float | None = None,
) -> list[SimulatedLevel]:
    """``simulate_service_level`` for many slots sharing handling time, target and
    patience, all replications simulated together; each slot's result is the one it gets
    alone."""
    for queue in queues:
        _check(
            queue.rate,
            service,
            queue.counters,
            queue.duration,
            queue.warm_up,
            replications,
            patience,
        )
    busy = [index for index, queue in enumerate(queues) if queue.rate > 0]
    draws = [
        _draw(np.random.default_rng(stream), queues[index], service, patience)
        for index in busy
        for stream in np.random.SeedSequence(queues[index].seed).spawn(replications)
    ]
    counters = np.repeat([queues[index].counters for index in busy], replications)
    warm_ups = np.repeat([queues[index].warm_up for index in busy], replications)
    answered = np.zeros(len(draws))
    customers = np.zeros(len(draws))
    for lanes in _counter_groups(counters):
        answered[lanes], customers[lanes] = _run(
            [draws[lane] for lane in lanes], counters[lanes], warm_ups[lanes], wait
        )
    levels = [SimulatedLevel(1.0, (1.0, 1.0), 0)] * len(queues)
    for position, index in enumerate(busy):
        part = slice(position * replications, (position + 1) * replications)
        levels[index] = pooled_level(answered[part], customers[part])
    return levels


def pooled_level(answered: np.ndarray, customers: np.ndarray) -> SimulatedLevel:
    """The ratio of answered in time to customers over replications (one entry each) and
    its delta-method t-interval."""
    replications = len(customers)
    total = int(customers.sum())
    if total == 0:
        return SimulatedLevel(1.0, (0.0, 1.0), 0)
    level = float(answered.sum() / total)
    residuals = answered - level * customers
    mean_customers = total / replications
    spread = math.sqrt(float(residuals @ residuals) / (replications - 1) / replications)
    half = _t_quantile(replications - 1) * spread / mean_customers
    return SimulatedLevel(level, (max(0.0, level - half), min(1.0, level + half)), total)


@cache
def _t_quantile(degrees: int) -> float:
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, degrees))


@dataclass(frozen=True)
class _Draw:
    arrivals: np.ndarray
    handling: np.ndarray
    patience: np.ndarray | None


def _draw(
    rng: np.random.Generator, queue: SlotQueue, service: float, patience: float | None
) -> _Draw:
    horizon = queue.warm_up + queue.duration
    # given their number, Poisson arrival times are uniform order statistics
    arrivals = np.sort(rng.uniform(0.0, horizon, rng.poisson(queue.rate * horizon)))
    handling = rng.exponential(service, len(arrivals))
    gives_up = None if patience is None else rng.exponential(patience, len(arrivals))
    return _Draw(arrivals, handling, gives_up)


def _counter_groups(counters: np.ndarray) -> list[np.ndarray]:
    """Lanes grouped so that no group pads many counters onto small replications."""
    groups: list[np.ndarray] = []
    distinct = np.unique(counters)
    low = 0
    while low < len(distinct):
        ceiling = distinct[low] * COUNTER_GROUP_SPREAD + 4
        high = int(np.searchsorted(distinct, ceiling, side="right"))
        groups.append(np.flatnonzero(np.isin(counters, distinct[low:high])))
        low = high
    return groups


def _run(
    draws: Sequence[_Draw], counters: np.ndarray, warm_ups: np.ndarray, wait: float
) -> tuple[np.ndarray, np.ndarray]:
    """Customers answered within ``wait`` and customers, both counted from the warm-up on,
    of each replication (a lane); lanes step through their customers together."""
    lengths = np.array([len(draw.arrivals) for draw in draws])
    # longest first, so the lanes still running at step n are a prefix
    order = np.argsort(-lengths, kind="stable")
    lengths = lengths[order]
    lanes, steps = len(draws), int(lengths[0]) if len(lengths) else 0
    arrivals = np.zeros((lanes, steps))
    handling = np.zeros((lanes, steps))
    patience = None if draws[0].patience is None else np.zeros((lanes, steps))
    for row, lane in enumerate(order):
        draw = draws[lane]
        arrivals[row, : lengths[row]] = draw.arrivals
        handling[row, : lengths[row]] = draw.handling
        if patience is not None and draw.patience is not None:
            patience[row, : lengths[row]] = draw.patience
    warm = warm_ups[order]
    free = np.where(np.arange(counters.max()) < counters[order][:, None], 0.0, np.inf)
    answered = np.zeros(lanes)
    running = np.searchsorted(-lengths, -np.arange(steps), side="left")
    rows = np.arange(lanes)
    for step in range(steps):
        size = running[step]
        at, counter_free = rows[:size], free[:size]
        counter = counter_free.argmin(axis=1)
        arrived = arrivals[:size, step]
        start = np.maximum(arrived, counter_free[at, counter])
        waited = start - arrived
        if patience is None:
            counter_free[at, counter] = start + handling[:size, step]
            answered_now = waited <= wait
        else:
            stays = waited <= patience[:size, step]
            counter_free[at[stays], counter[stays]] = (start + handling[:size, step])[stays]
            answered_now = stays & (waited <= wait)
        answered[:size] += answered_now & (arrived >= warm[:size])
    customers = np.array(
        [np.count_nonzero(draws[lane].arrivals >= warm_ups[lane]) for lane in order], dtype=float
    )
    back = np.empty(lanes, dtype=np.int64)
    back[order] = np.arange(lanes)
    return answered[back], customers[back]


def _check(
    rate: float,
    service: float,
    counters: int,
    duration: float,
    warm_up: float,
    replications: int,
    patience: float | None,
) -> None:
    if not (math.isfinite(rate) and rate >= 0):
        raise ValidationFailed("the arrival rate must be a number ≥ 0", field="rate")
    if not (math.isfinite(service) and service > 0):
        raise ValidationFailed("the handling time must be a positive number", field="service")
    if counters < 1 and rate > 0:
        raise ValidationFailed("arrivals need at least one counter", field="counters")
    if not (duration > 0 and warm_up >= 0):
        raise ValidationFailed("the slot must be longer than zero", field="duration")
    if replications < 2:
        raise ValidationFailed("an interval needs at least two replications", field="replications")
    if patience is not None and not (math.isfinite(patience) and patience > 0):
        raise ValidationFailed("the mean patience must be a positive number", field="patience")
