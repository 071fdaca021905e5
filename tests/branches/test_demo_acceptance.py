"""The demo's branch queues meet the staffing model's two acceptance checks, branch by
branch, on a year of tickets planted the way the demo plants them: the Erlang service level
of the typical week lies inside the simulation's interval in at least 90 % of its slots, and
the forecast of the last ten days beats the seasonal-naive forecast."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy.orm import Session

from bankcrm.branches import forecast, planning, service, staffing
from bankcrm.branches.holidays import public_holidays
from bankcrm.branches.repository import BranchTicketSystemRepository
from bankcrm.core.clock import bank_day_start, bank_today
from bankcrm.core.config import get_settings
from bankcrm.core.enums import Role
from bankcrm.demo.branch_desk import plant_queue_history
from tests import factories
from tests.timing import move_to_bank_day

PLANTED_ON = date(2026, 12, 2)
COUNTERS = (3, 5, 8)
REPLICATIONS = 300
"""Simulated days per slot: with fewer, a quiet slot's days often answer everyone and its
interval shrinks to [1, 1]."""


@pytest.fixture
def history(session: Session, time_machine: time_machine.TimeMachineFixture) -> dict[int, list]:
    """A year of tickets at three branches of different sizes, as arrival slots."""
    move_to_bank_day(time_machine, PLANTED_ON)
    branches = []
    for counters in COUNTERS:
        branch = factories.branch(session)
        branch.counters = counters
        for _ in range(2):
            factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
        branches.append(branch.id)
    session.flush()
    planted = plant_queue_history(session, today=bank_today(), seed=11)
    assert planted > 0
    tickets = BranchTicketSystemRepository(session)
    zone = ZoneInfo(get_settings().timezone)
    slot_minutes = get_settings().staffing.slot_minutes
    return {
        branch_id: service.arrival_slots(
            tickets.arrival_times(
                branch_id=branch_id,
                since=bank_day_start(bank_today() - timedelta(days=366)),
                until=bank_day_start(bank_today()),
            ),
            slot_minutes=slot_minutes,
            zone=zone,
        )
        for branch_id in branches
    }


def test_the_erlang_level_lies_inside_the_simulated_interval_in_nine_slots_of_ten(
    history: dict[int, list],
) -> None:
    settings = get_settings().staffing
    targets = planning.Targets(
        service=settings.service_minutes,
        wait=settings.target_wait_seconds / 60,
        level=settings.service_level,
    )
    inside, total = 0, 0
    for branch_id, slots in history.items():
        checked = planning.check_profile(
            staffing.weekly_profile(slots),
            targets,
            slot_minutes=settings.slot_minutes,
            replications=REPLICATIONS,
            seed=branch_id,
        )
        within = [
            slot.simulated_ci[0] <= slot.service_level <= slot.simulated_ci[1] for slot in checked
        ]
        share = sum(within) / len(within)
        print(f"branch {branch_id}: {sum(within)}/{len(within)} inside ({share:.3f})")
        assert share >= 0.9
        inside, total = inside + sum(within), total + len(within)
    print(f"pooled: {inside}/{total} inside ({inside / total:.3f})")


def test_the_forecast_beats_seasonal_naive_on_the_last_ten_days(
    history: dict[int, list],
) -> None:
    for branch_id, slots in history.items():
        result = forecast.backtest(
            slots,
            slot_minutes=get_settings().staffing.slot_minutes,
            holdout_days=10,
            holidays=public_holidays(),
            file="queue_tickets",
            time_column="arrived_at",
        )
        print(
            f"branch {branch_id}: MAE {result.mae:.3f}, "
            f"seasonal naive {result.seasonal_naive_mae:.3f}"
        )
        assert result.mae < result.seasonal_naive_mae
