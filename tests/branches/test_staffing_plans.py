"""The branch staffing plan: arrival slots from tickets on the bank's clock, the roster's
integer program on hand examples, the plan service on planted tickets, and who may read
and recompute a branch's plan (the branch manager of that branch and the bank-wide roles;
another branch is 404, an account manager 403)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.branches import service
from bankcrm.branches.models import BranchStaffingPlan
from bankcrm.branches.service import Shift, cover_day
from bankcrm.core.db import make_engine
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.branches.planted import plan_next_week, plant_recent_tickets
from tests.small_bank import SmallBank, login
from tests.web.test_pages import csrf_of, log_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
FULL, SHORT = Shift("full_day", 9 * 60, 17 * 60), Shift("midday", 11 * 60, 14 * 60)
HOURLY = [hour * 60 for hour in range(9, 17)]


def test_arrivals_are_counted_per_slot_on_the_bank_clock_with_empty_slots_between() -> None:
    day = date(2026, 3, 2)
    local = [(9, 5), (9, 40), (9, 50), (11, 10)]
    arrivals = [
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)
        for hour, minute in local
    ]
    slots = service.arrival_slots(arrivals, slot_minutes=30, zone=SHANGHAI)
    assert [(slot.start.strftime("%H:%M"), slot.arrivals) for slot in slots] == [
        ("09:00", 1.0),
        ("09:30", 2.0),
        ("10:00", 0.0),
        ("10:30", 0.0),
        ("11:00", 1.0),
    ]
    assert all(slot.minutes == 30 and slot.start.tzinfo is SHANGHAI for slot in slots)


def test_the_roster_takes_a_midday_shift_rather_than_more_full_days() -> None:
    # need 1 all day and 3 from 11:00 to 14:00: one full day and two midday shifts make
    # 8 + 2 × 3 = 14 staff-hours; three full days would be 24
    needs = [1, 1, 3, 3, 3, 1, 1, 1]
    counts = cover_day(needs, HOURLY, slot_minutes=60, shifts=[FULL, SHORT], counters=4)
    assert counts == [1, 2]
    assert (
        sum(count * shift.hours for count, shift in zip(counts, [FULL, SHORT], strict=True)) == 14
    )


def test_the_roster_never_staffs_more_counters_than_the_branch_has() -> None:
    # three needed at midday but two counters: one full day and one midday shift (11 hours)
    counts = cover_day(
        [1, 1, 3, 3, 3, 1, 1, 1], HOURLY, slot_minutes=60, shifts=[FULL, SHORT], counters=2
    )
    assert counts == [1, 1]


def test_the_roster_covers_every_slot_of_random_days() -> None:
    rng = np.random.default_rng(3)
    shifts = service.shifts_from(
        [
            service.ShiftTemplate(name="full_day", start="09:00", end="17:00"),
            service.ShiftTemplate(name="morning", start="09:00", end="13:00"),
            service.ShiftTemplate(name="afternoon", start="13:00", end="17:00"),
        ]
    )
    starts = [9 * 60 + 30 * index for index in range(16)]
    for _ in range(20):
        counters = int(rng.integers(2, 9))
        needs = [int(need) for need in rng.integers(0, counters + 3, len(starts))]
        counts = cover_day(needs, starts, slot_minutes=30, shifts=shifts, counters=counters)
        for start, need in zip(starts, needs, strict=True):
            at_work = sum(
                count
                for shift, count in zip(shifts, counts, strict=True)
                if shift.start <= start and start + 30 <= shift.end
            )
            assert min(need, counters) <= at_work <= counters


def _staff(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def test_a_plan_is_forecast_staffed_checked_rostered_and_replaced(
    small_bank: SmallBank, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        planted = plant_recent_tickets(session, small_bank.branch_id)
        week = service.next_week()
        first = service.plan_week(session, small_bank.branch_id, week + timedelta(days=3))
        assert first.week_start == week and week.weekday() == 0
        plan = first.plan
        assert plan["history"]["tickets"] == planted
        branch_counters = plan["branch_counters"]
        sunday = plan["days"][6]
        # the planted branch is closed on Sundays: nothing forecast, nobody rostered
        assert sunday["slots"] == [] and sunday["shifts"] == []
        hours = 0.0
        for day in plan["days"][:6]:
            assert day["slots"], day["day"]
            for slot in day["slots"]:
                assert slot["arrivals"] > 0
                assert min(slot["counters"], branch_counters) <= slot["rostered"]
                assert slot["rostered"] <= branch_counters
                low, high = slot["simulated_ci"]
                assert 0 <= low <= high <= 1
            for shift in day["shifts"]:
                start, end = (
                    int(part[:2]) * 60 + int(part[3:]) for part in (shift["start"], shift["end"])
                )
                hours += (end - start) / 60
        assert plan["staff_hours"] == hours
        named = {shift["staff_name"] for day in plan["days"] for shift in day["shifts"]}
        branch_staff = {
            user.full_name
            for user in session.scalars(
                select(StaffUser).where(StaffUser.branch_id == small_bank.branch_id)
            )
        }
        assert named - {None} <= branch_staff and named - {None}
        session.commit()
        service.plan_week(session, small_bank.branch_id, week)
        session.commit()
        stored = session.scalar(
            select(func.count())
            .select_from(BranchStaffingPlan)
            .where(BranchStaffingPlan.branch_id == small_bank.branch_id)
        )
        assert stored == 1
    engine.dispose()


def test_who_may_read_and_recompute_a_branchs_plan(
    small_bank: SmallBank, client: TestClient, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        plant_recent_tickets(session, small_bank.branch_id)
        other = factories.branch(session, name="苏州分行")
        plan_next_week(session, other.id)
        session.commit()
        other_id = other.id
    engine.dispose()
    week = service.next_week().isoformat()
    url = f"/api/v1/branches/{small_bank.branch_id}/staffing"

    manager = login(client, small_bank.branch_manager)
    assert client.get(url, headers=manager, params={"week": week}).status_code == 404
    made = client.post(url, headers=manager, json={"week_start": week})
    assert made.status_code == 200, made.text
    assert made.json()["week_start"] == week
    read = client.get(url, headers=manager, params={"week": week})
    assert read.status_code == 200 and read.json()["plan"] == made.json()["plan"]
    assert client.get(url, headers=manager).json()["week_start"] == week

    elsewhere = f"/api/v1/branches/{other_id}/staffing"
    assert client.get(elsewhere, headers=manager).status_code == 404
    assert client.post(elsewhere, headers=manager, json={"week_start": week}).status_code == 404
    assert client.get("/api/v1/branches/999999/staffing", headers=manager).status_code == 404

    account_manager = login(client, small_bank.manager_a)
    assert client.get(url, headers=account_manager).status_code == 403
    assert client.post(url, headers=account_manager, json={"week_start": week}).status_code == 403

    admin = login(client, small_bank.admin)
    assert client.get(elsewhere, headers=admin).status_code == 200

    refused = client.post(url, headers=manager, json={"week_start": week, "extra": 1})
    assert refused.status_code == 422
    empty = client.post(
        elsewhere.replace(str(other_id), str(small_bank.branch_id)),
        headers=admin,
        json={"week_start": "2001-01-01"},
    )
    assert empty.status_code == 422 and "tickets" in empty.text


def test_the_page_shows_the_plan_and_a_branch_manager_lands_on_their_branch(
    small_bank: SmallBank, client: TestClient, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        plant_recent_tickets(session, small_bank.branch_id)
        session.commit()
    engine.dispose()
    log_in(client, small_bank.branch_manager)
    page_url = f"/branches/{small_bank.branch_id}/staffing"
    empty = client.get("/branches/staffing", follow_redirects=False)
    assert empty.status_code == 200
    assert f'action="{page_url}"' in empty.text
    assert 'data-testid="no-plan"' in empty.text and "staffing-chart-data" not in empty.text
    week = service.next_week().isoformat()
    posted = client.post(
        page_url,
        data={"week_start": week, "csrf_token": csrf_of(empty.text)},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"{page_url}?week={week}"
    shown = client.get(posted.headers["location"])
    assert 'data-testid="staffing-chart"' in shown.text
    assert '<script id="staffing-chart-data" type="application/json">' in shown.text
    assert shown.text.count('data-testid="roster-row"') >= 6
    with Session(make_engine(app_settings)) as session:
        manager = _staff(session, small_bank.manager_a)
        assert manager.full_name in shown.text
