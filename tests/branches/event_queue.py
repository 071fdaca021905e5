"""The slot simulation as SimPy events, the reference the product's simulator is held to.

SimPy's ``Resource`` is a first-come first-served bank of counters and ``request | timeout``
is exactly "served or gone, whichever comes first", so the model reads like the queue. It
draws from the same streams as ``simulation.simulate_service_level`` in the same order, so
both see the same customers.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np
import simpy

from bankcrm.branches import simulation


def simulate_with_events(
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
) -> simulation.SimulatedLevel:
    if rate == 0:
        return simulation.SimulatedLevel(1.0, (1.0, 1.0), 0)
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
            for stream in np.random.SeedSequence(seed).spawn(replications)
        ],
        dtype=float,
    )
    return simulation.pooled_level(tallies[:, 0], tallies[:, 1])


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
