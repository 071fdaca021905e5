"""Wait, service and idle minutes worked out by hand on a few visits of one morning."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bankcrm.branches.queue import times
from bankcrm.branches.queue.times import OpeningHours, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OpeningHours(opens=time(9), closes=time(17), zone=SHANGHAI)


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    """A moment of December 2026 on the branch's wall clock, as the UTC moment it is."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def visit(
    counter: str | None,
    staff: int | None,
    arrived: datetime,
    called: datetime | None = None,
    started: datetime | None = None,
    ended: datetime | None = None,
) -> Visit:
    return Visit(
        branch_id=1,
        counter=counter,
        staff_id=staff,
        arrived_at=arrived,
        called_at=called,
        started_at=started,
        ended_at=ended,
    )


# Counter 1, staff 7: three customers; counter 2, staff 8: one; one still waiting.
MORNING = [
    # waits 10, service 8 (09:10–09:18)
    visit("1", 7, at(9, 0), at(9, 10), at(9, 10), at(9, 18)),
    # waits 20, service 12 (09:25–09:37): idle 09:18–09:25 = 7
    visit("1", 7, at(9, 5), at(9, 25), at(9, 25), at(9, 37)),
    # waits 5, service 4 (09:45–09:49): idle 09:37–09:45 = 8
    visit("1", 7, at(9, 40), at(9, 45), at(9, 45), at(9, 49)),
    # waits 0, service 6
    visit("2", 8, at(9, 30), at(9, 30), at(9, 31), at(9, 37)),
    visit(None, None, at(9, 50)),
]


def test_wait_and_service_of_a_visit() -> None:
    first = MORNING[0]
    assert times.wait_minutes(first) == 10
    assert times.service_minutes(first) == 8
    assert times.wait_minutes(MORNING[-1]) is None
    assert times.service_minutes(MORNING[-1]) is None


def test_percentiles_interpolate_between_ranks() -> None:
    # ranks 0..3 of [0, 5, 10, 20]: the median sits halfway between 5 and 10, the 90th
    # percentile at rank 2.7, 10 + 0.7 × (20 − 10)
    assert times.percentile([10, 20, 5, 0], 50) == 7.5
    assert times.percentile([10, 20, 5, 0], 90) == pytest.approx(17.0)
    assert times.percentile([4], 90) == 4
    with pytest.raises(ValueError, match="no values"):
        times.percentile([], 50)


def test_the_summary_leaves_out_what_did_not_happen() -> None:
    summary = times.summarise(map(times.wait_minutes, MORNING))
    assert summary.count == 4
    assert summary.mean == pytest.approx((10 + 20 + 5 + 0) / 4)
    assert summary.p50 == 7.5
    assert summary.longest == 20
    empty = times.summarise([None])
    assert empty.count == 0 and empty.mean is None and empty.p90 is None


def test_per_counter_and_per_staff() -> None:
    counters = {load.key: load for load in times.by_counter(MORNING, HOURS)}
    assert set(counters) == {(1, "1"), (1, "2")}
    first = counters[(1, "1")]
    assert first.served == 3
    assert first.busy_minutes == pytest.approx(8 + 12 + 4)
    assert first.idle_minutes == pytest.approx(7 + 8)
    assert first.busy_share == pytest.approx(24 / 39)
    assert first.wait.mean == pytest.approx(35 / 3)
    assert first.service.p50 == 8
    second = counters[(1, "2")]
    assert (second.served, second.busy_minutes, second.idle_minutes) == (1, 6, 0)
    staff = {load.key: load for load in times.by_staff(MORNING, HOURS)}
    assert set(staff) == {7, 8}
    assert staff[7].idle_minutes == pytest.approx(15)


def test_idle_time_counts_only_within_opening_hours_of_the_same_day() -> None:
    services = [
        # ends 08:50, before opening; the next starts 09:20: idle 09:00–09:20 = 20
        visit("1", 7, at(8, 30), at(8, 40), at(8, 40), at(8, 50)),
        visit("1", 7, at(9, 0), at(9, 20), at(9, 20), at(9, 30)),
        # ends 16:50; the next starts 17:30 after closing: idle 16:50–17:00 = 10
        visit("1", 7, at(16, 0), at(16, 40), at(16, 40), at(16, 50)),
        visit("1", 7, at(16, 55), at(17, 30), at(17, 30), at(17, 40)),
        # the next day: the overnight gap is nobody's idle time
        visit("1", 7, at(9, 0, day=8), at(9, 5, day=8), at(9, 5, day=8), at(9, 15, day=8)),
    ]
    # between 09:30 and 16:40: 7 h 10 min = 430 minutes idle, plus 20 and 10
    assert times.idle_minutes(services, HOURS) == pytest.approx(20 + 430 + 10)


def test_overlapping_services_add_no_idle_time() -> None:
    start = at(10)
    overlapping = [
        visit("1", 7, start, start, start, start + timedelta(minutes=20)),
        visit("1", 7, start, start, start + timedelta(minutes=10), start + timedelta(minutes=30)),
    ]
    assert times.idle_minutes(overlapping, HOURS) == 0
