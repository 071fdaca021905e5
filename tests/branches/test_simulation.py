"""The simulation repeats with its seed and agrees with Erlang C and Erlang A."""

from __future__ import annotations

from bankcrm.branches import simulation, staffing

WAIT = 20 / 60

# (arrivals per minute, handling minutes, target): small branches to a call centre
SLOTS = [
    (0.3, 6.0, 0.8),
    (0.5, 8.0, 0.8),
    (0.8, 5.0, 0.9),
    (1.0, 5.0, 0.8),
    (1.2, 10.0, 0.8),
    (1.5, 4.0, 0.7),
    (2.0, 3.0, 0.85),
    (2.5, 6.0, 0.8),
    (3.3, 3.0, 0.8),
    (4.0, 5.0, 0.9),
    (5.0, 2.0, 0.8),
    (6.0, 4.0, 0.75),
    (8.0, 3.0, 0.8),
    (10.0, 4.0, 0.8),
    (15.0, 3.0, 0.9),
    (33.3, 4.0, 0.8),
]


def _simulate(
    rate: float, service: float, counters: int, seed: int, patience: float | None = None
) -> simulation.SimulatedLevel:
    return simulation.simulate_service_level(
        rate=rate,
        service=service,
        counters=counters,
        wait=WAIT,
        duration=30.0,
        warm_up=max(30.0, 10 * service),  # as the plan command: ten handling times
        replications=30,
        seed=seed,
        patience=patience,
    )


def test_a_seed_repeats_the_run() -> None:
    first = _simulate(2.0, 3.0, 8, seed=7)
    assert first == _simulate(2.0, 3.0, 8, seed=7)
    assert first != _simulate(2.0, 3.0, 8, seed=8)
    low, high = first.interval
    assert 0.0 <= low <= first.service_level <= high <= 1.0
    assert first.customers > 30 * 30


def test_erlang_c_lies_in_the_simulated_interval() -> None:
    inside = 0
    for seed, (rate, service, target) in enumerate(SLOTS):
        need = staffing.counters_needed(rate, service, WAIT, target)
        low, high = _simulate(rate, service, need.counters, seed).interval
        inside += low <= need.service_level <= high
    assert inside / len(SLOTS) >= 0.9


def test_erlang_a_lies_in_the_simulated_interval() -> None:
    cases = [(1.0, 5.0, 3.0), (3.3, 3.0, 2.0), (6.0, 4.0, 1.0), (10.0, 4.0, 5.0)]
    inside = 0
    for seed, (rate, service, patience) in enumerate(cases):
        for counters_less in (0, 2):
            need = staffing.counters_needed_with_abandonment(rate, service, patience, WAIT, 0.8)
            counters = need.counters - counters_less
            expected = staffing.erlang_a(counters, rate, service, patience, WAIT).service_level
            low, high = _simulate(rate, service, counters, seed, patience).interval
            inside += low <= expected <= high
    assert inside / (2 * len(cases)) >= 0.75


def test_no_arrivals_are_all_answered() -> None:
    level = _simulate(0.0, 3.0, 0, seed=1)
    assert (level.service_level, level.interval, level.customers) == (1.0, (1.0, 1.0), 0)
