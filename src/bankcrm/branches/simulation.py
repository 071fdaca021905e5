"""A discrete-event check of one slot: Poisson arrivals, exponential handling, c counters
serving in arrival order, optionally customers who give up after an exponential patience.

SimPy runs the events: its ``Resource`` is a first-come first-served bank of counters and
``request | timeout`` is exactly "served or gone, whichever comes first", so the model is
a few lines that read like the queue; it has no dependencies and takes its randomness from
the caller, so one NumPy seed repeats a run without touching global state.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy
from scipy import stats

from bankcrm.core.exceptions import ValidationFailed

CONFIDENCE = 0.95


@dataclass(frozen=True)
class SimulatedLevel:
    """The share of customers arriving after the warm-up who were answered within the
    target, pooled over replications, and its 95 % interval; ``customers`` counts them."""

    service_level: float
    interval: tuple[float, float]
    customers: int


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
    _check(rate, service, counters, duration, warm_up, replications, patience)
    if rate == 0:
        return SimulatedLevel(1.0, (1.0, 1.0), 0)
    streams = np.random.SeedSequence(seed).spawn(replications)
    tallies = np.array(
        [
            _replication(
                np.random.default_rng(stream),
                rate=rate,
                service=service,
                counters=counters,
                wait=wait,
                duration=duration,
                warm_up=warm_up,
                patience=patience,
            )
            for stream in streams
        ],
        dtype=float,
    )
    answered, customers = tallies[:, 0], tallies[:, 1]
    total = int(customers.sum())
    if total == 0:
        return SimulatedLevel(1.0, (0.0, 1.0), 0)
    level = float(answered.sum() / total)
    residuals = answered - level * customers
    mean_customers = total / replications
    spread = math.sqrt(float(residuals @ residuals) / (replications - 1) / replications)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, replications - 1)) * spread / mean_customers
    return SimulatedLevel(level, (max(0.0, level - half), min(1.0, level + half)), total)


def _replication(
    rng: np.random.Generator,
    *,
    rate: float,
    service: float,
    counters: int,
    wait: float,
    duration: float,
    warm_up: float,
    patience: float | None,
) -> tuple[int, int]:
    horizon = warm_up + duration
    # given their number, Poisson arrival times are uniform order statistics
    arrivals = np.sort(rng.uniform(0.0, horizon, rng.poisson(rate * horizon)))
    handling = rng.exponential(service, len(arrivals))
    gives_up = None if patience is None else rng.exponential(patience, len(arrivals))
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=counters)
    tally = [0, 0]

    def customer(index: int) -> Generator[simpy.Event, object, None]:
        arrived = env.now
        counted = arrived >= warm_up
        tally[1] += counted
        with desk.request() as request:
            if gives_up is None:
                yield request
            else:
                outcome = yield request | env.timeout(gives_up[index])
                if request not in outcome:  # type: ignore[operator]
                    return
            tally[0] += counted and env.now - arrived <= wait
            yield env.timeout(handling[index])

    def arrive() -> Generator[simpy.Event, object, None]:
        for index, moment in enumerate(arrivals):
            yield env.timeout(moment - env.now)
            env.process(customer(index))

    env.process(arrive())
    env.run()
    return tally[0], tally[1]


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
