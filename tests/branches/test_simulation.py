"""The simulation repeats with its seed, sees what the SimPy event model sees, and agrees
with Erlang C and Erlang A."""

from __future__ import annotations

import pytest

from bankcrm.branches import simulation, staffing
from tests.branches.event_queue import simulate_with_events

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


def test_the_published_check_figure_lies_in_the_simulated_interval() -> None:
    # 100 contacts per 30 minutes, 3-minute handling, 14 counters: Erlang C answers 0.888
    # within 20 s and keeps 0.174 waiting at all, so 0.826 are answered at once (wait 0)
    rate, service = 100 / 30, 3.0
    for wait, expected in ((WAIT, 0.88835), (0.0, 1 - 0.17413)):
        level = simulation.simulate_service_level(
            rate=rate,
            service=service,
            counters=14,
            wait=wait,
            duration=30.0,
            warm_up=30.0,
            replications=200,
            seed=14,
        )
        low, high = level.interval
        assert low <= expected <= high
        assert high - low < 0.05
    assert staffing.service_level(14, rate, service, WAIT) == pytest.approx(0.88835, abs=5e-6)


# (arrivals per minute, counters, mean patience or nobody leaving): from a queue that
# drains at once to one that only abandonment keeps finite
GRID = [
    (rate, counters, patience)
    for rate in (0.3, 1.0, 3.3, 8.0)
    for counters in (1, 2, 4, 12, 30)
    for patience in (None, 1.0, 5.0)
    if patience is not None or counters > rate * 3.0
]


@pytest.mark.parametrize(("rate", "counters", "patience"), GRID)
def test_the_simulator_sees_what_the_event_model_sees(
    rate: float, counters: int, patience: float | None
) -> None:
    options = {
        "rate": rate,
        "service": 3.0,
        "counters": counters,
        "wait": WAIT,
        "duration": 30.0,
        "warm_up": 30.0,
        "replications": 10,
        "seed": (5, counters),
        "patience": patience,
    }
    ours = simulation.simulate_service_level(**options)  # type: ignore[arg-type]
    events = simulate_with_events(**options)  # type: ignore[arg-type]
    assert ours.customers == events.customers > 0
    assert ours.service_level == pytest.approx(events.service_level, abs=1e-12)
    assert ours.interval == pytest.approx(events.interval, abs=1e-12)


def test_slots_simulated_together_get_what_each_gets_alone() -> None:
    queues = [
        simulation.SlotQueue(rate=0.4, counters=2, duration=5.0, warm_up=60.0, seed=(1, 0, 540)),
        simulation.SlotQueue(rate=0.0, counters=0, duration=5.0, warm_up=60.0, seed=(1, 0, 545)),
        simulation.SlotQueue(rate=2.5, counters=9, duration=5.0, warm_up=60.0, seed=(1, 0, 550)),
        simulation.SlotQueue(rate=9.0, counters=40, duration=5.0, warm_up=60.0, seed=(1, 0, 555)),
    ]
    together = simulation.simulate_service_levels(
        queues, service=6.0, wait=5.0, replications=12, patience=15.0
    )
    alone = [
        simulation.simulate_service_level(
            rate=queue.rate,
            service=6.0,
            counters=queue.counters,
            wait=5.0,
            duration=queue.duration,
            warm_up=queue.warm_up,
            replications=12,
            seed=queue.seed,
            patience=15.0,
        )
        for queue in queues
    ]
    assert together == alone
    assert together[1] == simulation.SimulatedLevel(1.0, (1.0, 1.0), 0)
    assert len({level.service_level for level in together}) == len(queues)
