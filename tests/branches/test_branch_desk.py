"""The demo's queue history: tickets only on open days and hours of the bank's clock, each
counter serving one customer at a time, customers called in the order they came."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np

from bankcrm.demo.branch_desk import QueueBranch, queue_history

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY = date(2026, 5, 1)


def _history(sunday_open: bool) -> dict:
    branch = QueueBranch(
        branch_id=7,
        counters=3,
        staff_ids=(11, 12),
        daily_mean=80.0,
        yearly_growth=0.0,
        sunday_open=sunday_open,
    )
    (tickets,) = queue_history(
        [branch],
        first=date(2026, 4, 20),
        last=date(2026, 5, 10),
        holidays={HOLIDAY},
        seed=3,
        zone=SHANGHAI,
    )
    return tickets.columns


def _local(moment: np.datetime64) -> datetime:
    return moment.astype("datetime64[us]").item().replace(tzinfo=UTC).astimezone(SHANGHAI)


def test_tickets_fall_on_open_days_within_opening_hours() -> None:
    columns = _history(sunday_open=False)
    days = set(columns["issued_on"])
    assert HOLIDAY not in days
    assert all(day.weekday() != 6 for day in days)
    assert date(2026, 4, 30) in days and date(2026, 5, 2) in days
    for arrived, day in zip(columns["arrived_at"], columns["issued_on"], strict=True):
        local = _local(arrived)
        assert local.date() == day and 9 <= local.hour < 17
    assert any(day.weekday() == 6 for day in _history(sunday_open=True)["issued_on"])


def test_counters_serve_one_at_a_time_and_call_in_arrival_order() -> None:
    columns = _history(sunday_open=False)
    by_counter: dict[tuple[date, str], list[tuple[np.datetime64, np.datetime64]]] = {}
    last_called: dict[date, np.datetime64] = {}
    for index, day in enumerate(columns["issued_on"]):
        called = columns["called_at"][index]
        assert called >= columns["arrived_at"][index]
        assert day not in last_called or called >= last_called[day]
        last_called[day] = called
        started, ended = columns["started_at"][index], columns["ended_at"][index]
        if columns["status"][index] == "no_show":
            assert np.isnat(started) and np.isnat(ended)
            continue
        assert called < started < ended
        by_counter.setdefault((day, columns["counter"][index]), []).append((called, ended))
        assert columns["staff_id"][index] in (11, 12)
    for spells in by_counter.values():
        for (_, ended), (called, _) in pairwise(spells):
            assert called >= ended
    assert {counter for _, counter in by_counter} == {"01", "02", "03"}
