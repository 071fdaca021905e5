"""Erlang C against the published check figure, its stability at call-centre scale, and
Erlang A against its Erlang C limit."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bankcrm.branches import staffing
from bankcrm.core.exceptions import ValidationFailed

# 100 contacts per 30 minutes, 3-minute handling, 20-second target (pyworkforce README and
# the R ErlangC package agree)
RATE, SERVICE, WAIT = 100 / 30, 3.0, 20 / 60


def test_the_published_check_figure() -> None:
    need = staffing.counters_needed(RATE, SERVICE, WAIT, target=0.8)
    assert need.counters == 14
    assert need.service_level == pytest.approx(0.88835, abs=5e-6)
    assert need.wait_probability == pytest.approx(0.17413, abs=5e-6)
    assert staffing.service_level(13, RATE, SERVICE, WAIT) < 0.8
    assert staffing.erlang_c(14, RATE * SERVICE) == pytest.approx(0.17413, abs=5e-6)


def test_average_speed_of_answer_is_c_over_the_drain_rate() -> None:
    expected = 0.17413 / (14 / SERVICE - RATE)
    assert staffing.average_speed_of_answer(14, RATE, SERVICE) == pytest.approx(expected, 1e-4)
    assert staffing.average_speed_of_answer(10, RATE, SERVICE) == float("inf")


def test_a_call_centre_is_stable_and_monotone_in_counters() -> None:
    rate = 2000 / 60  # 2,000 an hour, 4-minute handling: a load of 133 counters
    need = staffing.counters_needed(rate, 4.0, WAIT, target=0.9)
    assert 134 <= need.counters < 160
    levels = [staffing.service_level(c, rate, 4.0, WAIT) for c in range(134, 200)]
    assert all(later >= earlier for earlier, later in pairwise(levels))
    assert 0.0 < levels[0] < levels[-1] <= 1.0
    assert staffing.service_level(need.counters - 1, rate, 4.0, WAIT) < 0.9 <= levels[-1]
    assert 0.0 < staffing.erlang_b(5000, 4000.0) < 1.0  # a^c / c! would overflow


def test_no_arrivals_need_no_counters() -> None:
    assert staffing.counters_needed(0.0, SERVICE, WAIT, target=0.8).counters == 0
    assert staffing.service_level(0, 0.0, SERVICE, WAIT) == 1.0


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    patient = staffing.erlang_a(14, RATE, SERVICE, patience=1e6, wait=WAIT)
    assert patient.service_level == pytest.approx(0.88835, abs=1e-5)
    assert patient.wait_probability == pytest.approx(0.17413, abs=1e-5)


def test_erlang_a_staffs_an_overloaded_queue() -> None:
    # with customers leaving the queue is stable even at fewer counters than the load
    below_load = staffing.erlang_a(8, RATE, SERVICE, patience=2.0, wait=WAIT)
    assert 0.0 < below_load.service_level < 0.5
    need = staffing.counters_needed_with_abandonment(RATE, SERVICE, 2.0, WAIT, target=0.8)
    assert staffing.erlang_a(need.counters - 1, RATE, SERVICE, 2.0, WAIT).service_level < 0.8
    assert need.service_level >= 0.8
    large = staffing.counters_needed_with_abandonment(2000 / 60, 4.0, 2.0, WAIT, target=0.8)
    assert 100 < large.counters < 150


@pytest.mark.parametrize("target", [0.0, 1.0, 1.2, -0.1])
def test_a_service_level_outside_zero_one_is_refused(target: float) -> None:
    with pytest.raises(ValidationFailed, match="strictly between 0 and 1"):
        staffing.counters_needed(RATE, SERVICE, WAIT, target=target)
