"""A branch's counter plan for a coming week: arrivals per slot forecast from the branch's
own tickets, the counters each slot needs for the waiting-time target (Erlang C), each slot
checked by simulation with those counters, and a roster of shifts that covers them with the
fewest staff-hours, names from the branch's staff."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.branches import planning, repository, staffing
from bankcrm.branches.forecast import MIN_FIT_DAYS, ArrivalForecaster
from bankcrm.branches.holidays import public_holidays
from bankcrm.branches.models import Branch, BranchStaffingPlan
from bankcrm.branches.schemas import StaffingPlanRead
from bankcrm.core.clock import bank_day_start, bank_today, utcnow
from bankcrm.core.config import ShiftTemplate, StaffingSettings, get_settings
from bankcrm.core.exceptions import Conflict, NotFound, ValidationFailed
from bankcrm.scope import sees_branch
from bankcrm.staff.models import StaffUser

WEEK_DAYS = 7
DAY_MINUTES = 24 * 60


def list_branches(session: Session) -> list[Branch]:
    return repository.list_branches(session)


def visible_branches(session: Session, *, user: StaffUser) -> list[Branch]:
    """The branches whose plans ``user`` may open: their own, or all for a bank-wide role."""
    return [branch for branch in repository.list_branches(session) if sees_branch(user, branch.id)]


def week_of(day: date) -> date:
    """The Monday of ``day``'s week: plans run Monday to Sunday."""
    return day - timedelta(days=day.weekday())


def next_week() -> date:
    return week_of(bank_today()) + timedelta(days=WEEK_DAYS)


# --- arrivals per slot ----------------------------------------------------------------------


def arrival_slots(
    arrivals: Sequence[datetime], *, slot_minutes: int, zone: tzinfo
) -> list[staffing.Slot]:
    """Tickets counted per slot of ``slot_minutes`` on the bank's clock. A day is open from
    the slot of its first ticket to that of its last, every slot in between counted (none
    where nobody came); a day without tickets was closed and has no slots."""
    if slot_minutes <= 0 or DAY_MINUTES % slot_minutes:
        raise ValidationFailed(
            f"slots of {slot_minutes} minutes do not divide a day", field="slot_minutes"
        )
    counts: Counter[tuple[date, int]] = Counter()
    for moment in arrivals:
        local = moment.astimezone(zone)
        counts[local.date(), (local.hour * 60 + local.minute) // slot_minutes] += 1
    span: dict[date, tuple[int, int]] = {}
    for day, index in counts:
        low, high = span.get(day, (index, index))
        span[day] = (min(low, index), max(high, index))
    step = timedelta(minutes=slot_minutes)
    return [
        staffing.Slot(
            (datetime.combine(day, time()) + step * index).replace(tzinfo=zone),
            float(counts.get((day, index), 0)),
            float(slot_minutes),
        )
        for day in sorted(span)
        for index in range(span[day][0], span[day][1] + 1)
    ]


# --- the roster -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    name: str
    start: int
    """Minutes after midnight on the bank's clock."""
    end: int

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 60

    @property
    def label(self) -> str:
        return f"{_clock(self.start)}–{_clock(self.end)}"


def shifts_from(templates: Sequence[ShiftTemplate]) -> list[Shift]:
    return [
        Shift(template.name, _minutes(template.start), _minutes(template.end))
        for template in templates
    ]


def cover_day(
    needs: Sequence[int],
    starts: Sequence[int],
    *,
    slot_minutes: int,
    shifts: Sequence[Shift],
    counters: int,
) -> list[int]:
    """How many of each shift to staff: the fewest staff-hours such that every slot (its
    start in minutes after midnight, ``needs`` counters) has at least its need at work,
    capped at the branch's ``counters``, and no slot more than ``counters``.

    A slot that no shift covers whole cannot be staffed and is left out of the coverage."""
    if not any(needs):
        return [0] * len(shifts)
    covers = np.array(
        [
            [shift.start <= start and start + slot_minutes <= shift.end for shift in shifts]
            for start in starts
        ],
        dtype=float,
    )
    wanted = np.minimum(np.asarray(needs, dtype=float), counters)
    coverable = covers.any(axis=1)
    lower = np.where(coverable, wanted, 0.0)
    found = milp(
        c=np.array([shift.hours for shift in shifts]),
        constraints=[LinearConstraint(covers, lower, np.full(len(starts), float(counters)))],
        integrality=np.ones(len(shifts)),
        bounds=Bounds(0, counters),
    )
    if found.x is None:
        raise ValidationFailed(
            "the configured shifts cannot cover the counters needed without exceeding the "
            "branch's counters",
            field="shifts",
        )
    return [round(value) for value in found.x]


def assign_staff(
    days: Sequence[Sequence[tuple[Shift, int]]], staff: Sequence[StaffUser]
) -> list[list[dict[str, Any]]]:
    """Names for the shifts of each day: the longest shifts first, each to the member of
    staff with the fewest hours so far that week who has no shift that day yet; a shift
    beyond the staff there are is left without a name."""
    hours = {member.id: 0.0 for member in staff}
    roster = []
    for day in days:
        on_duty: set[int] = set()
        entries = []
        for shift, count in sorted(day, key=lambda item: (-item[0].hours, item[0].start)):
            for _ in range(count):
                free = [member for member in staff if member.id not in on_duty]
                member = min(free, key=lambda m: (hours[m.id], m.username), default=None)
                if member is not None:
                    on_duty.add(member.id)
                    hours[member.id] += shift.hours
                entries.append(
                    {
                        "shift": shift.name,
                        "start": _clock(shift.start),
                        "end": _clock(shift.end),
                        "staff_id": member.id if member else None,
                        "staff_name": member.full_name if member else None,
                    }
                )
        roster.append(entries)
    return roster


# --- the plan -------------------------------------------------------------------------------


def targets_for(settings: StaffingSettings, branch: Branch) -> planning.Targets:
    own = settings.branches.get(branch.external_id)
    return planning.Targets(
        service=(own and own.service_minutes) or settings.service_minutes,
        wait=(
            own.target_wait_seconds
            if own and own.target_wait_seconds is not None
            else settings.target_wait_seconds
        )
        / 60,
        level=(own and own.service_level) or settings.service_level,
    )


def plan_week(
    session: Session, branch_id: int, week_start: date, *, viewer: StaffUser | None = None
) -> BranchStaffingPlan:
    """Forecast, staff, check and roster the week of ``week_start`` at the branch and keep it
    (replacing an earlier plan of that week). Tickets are read as ``viewer`` sees them, or
    for the whole bank by the planning job when there is none."""
    branch = repository.get_branch(session, branch_id)
    if branch is None:
        raise NotFound(f"no branch {branch_id}")
    settings = get_settings().staffing
    zone = ZoneInfo(get_settings().timezone)
    week_start = week_of(week_start)
    slot_minutes = settings.slot_minutes
    first_day = week_start - timedelta(days=settings.history_days)
    tickets: repository.BranchTicketRepository | repository.BranchTicketSystemRepository = (
        repository.BranchTicketRepository(session, viewer)
        if viewer is not None
        else repository.BranchTicketSystemRepository(session)
    )
    arrivals = tickets.arrival_times(
        branch_id=branch_id, since=bank_day_start(first_day), until=bank_day_start(week_start)
    )
    history = arrival_slots(arrivals, slot_minutes=slot_minutes, zone=zone)
    days_seen = len({slot.start.date() for slot in history})
    if days_seen < MIN_FIT_DAYS:
        raise ValidationFailed(
            f"the branch has tickets on {days_seen} days before {week_start}; at least "
            f"{MIN_FIT_DAYS} are needed to forecast each weekday",
            field="week_start",
        )
    holidays = public_holidays()
    model = ArrivalForecaster(slot_minutes=slot_minutes, holidays=holidays).fit(history)
    minutes_of_day = sorted({slot.start.hour * 60 + slot.start.minute for slot in history})
    days = [week_start + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    starts = [
        (datetime.combine(day, time()) + timedelta(minutes=minute)).replace(tzinfo=zone)
        for day in days
        for minute in minutes_of_day
    ]
    forecast = model.predict(starts)
    targets = targets_for(settings, branch)
    open_slots = [
        staffing.Slot(start, float(arrivals), float(slot_minutes))
        for start, arrivals in zip(starts, forecast, strict=True)
        if arrivals > 0
    ]
    planned = {slot.start: slot for slot in planning.plan_slots(open_slots, targets)}
    checked = {
        (slot.weekday, slot.minute_of_day): slot
        for slot in planning.check_profile(
            [
                staffing.TypicalSlot(slot.start.weekday(), _minute(slot.start), slot.rate)
                for slot in open_slots
            ],
            targets,
            slot_minutes=slot_minutes,
            replications=settings.replications,
            seed=branch_id,
        )
    }
    shifts = shifts_from(settings.shifts)
    day_slots: list[list[dict[str, Any]]] = []
    day_shifts: list[list[tuple[Shift, int]]] = []
    for day in days:
        opened = [planned[start] for start in starts if start.date() == day and start in planned]
        needs = [slot.counters for slot in opened]
        counts = cover_day(
            needs,
            [_minute(slot.start) for slot in opened],
            slot_minutes=slot_minutes,
            shifts=shifts,
            counters=branch.counters,
        )
        staffed = list(zip(shifts, counts, strict=True))
        day_shifts.append([(shift, count) for shift, count in staffed if count])
        day_slots.append([_slot_entry(slot, checked, staffed, slot_minutes) for slot in opened])
    roster = assign_staff(day_shifts, repository.roster_staff(session, branch_id))
    plan = {
        "branch_counters": branch.counters,
        "targets": {
            "service_minutes": targets.service,
            "target_wait_seconds": round(targets.wait * 60, 3),
            "service_level": targets.level,
        },
        "history": {
            "first": first_day.isoformat(),
            "last": (week_start - timedelta(days=1)).isoformat(),
            "tickets": len(arrivals),
            "open_days": days_seen,
        },
        "days": [
            {"day": day.isoformat(), "weekday": day.weekday(), "slots": slots, "shifts": shifts_of}
            for day, slots, shifts_of in zip(days, day_slots, roster, strict=True)
        ],
        "staff_hours": sum(shift.hours * count for day in day_shifts for shift, count in day),
        "short_slots": sum(
            1 for slots in day_slots for slot in slots if slot["counters"] > branch.counters
        ),
    }
    return _store(session, branch_id, week_start, slot_minutes, plan)


def _slot_entry(
    slot: planning.PlannedSlot,
    checked: dict[tuple[int, int], planning.CheckedSlot],
    staffed: Sequence[tuple[Shift, int]],
    slot_minutes: int,
) -> dict[str, Any]:
    minute = _minute(slot.start)
    check = checked[slot.start.weekday(), minute]
    return {
        "time": _clock(minute),
        "arrivals": round(slot.arrivals, 3),
        "counters": slot.counters,
        "service_level": round(slot.service_level, 4),
        "simulated_service_level": round(check.simulated_service_level, 4),
        "simulated_ci": [round(bound, 4) for bound in check.simulated_ci],
        "rostered": sum(
            count
            for shift, count in staffed
            if shift.start <= minute and minute + slot_minutes <= shift.end
        ),
    }


def _store(
    session: Session, branch_id: int, week_start: date, slot_minutes: int, plan: dict[str, Any]
) -> BranchStaffingPlan:
    row = repository.get_plan(session, branch_id, week_start)
    if row is not None:
        row.slot_minutes, row.plan, row.computed_at = slot_minutes, plan, utcnow()
        session.flush()
        return row
    row = BranchStaffingPlan(
        branch_id=branch_id,
        week_start=week_start,
        slot_minutes=slot_minutes,
        plan=plan,
        computed_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"the plan of branch {branch_id} for the week of {week_start} was being computed "
            "at the same time; it is stored now"
        ) from None
    return row


# --- what the endpoints and pages call ------------------------------------------------------


def _branch_seen(session: Session, user: StaffUser, branch_id: int) -> Branch:
    """The branch, if ``user`` sees it whole; another branch is as unknown as a missing one."""
    branch = repository.get_branch(session, branch_id)
    if branch is None or not sees_branch(user, branch_id):
        raise NotFound(f"no branch {branch_id} you may plan")
    return branch


def get_branch(session: Session, *, user: StaffUser, branch_id: int) -> Branch:
    return _branch_seen(session, user, branch_id)


def find_plan(
    session: Session, *, user: StaffUser, branch_id: int, week_start: date
) -> BranchStaffingPlan | None:
    _branch_seen(session, user, branch_id)
    return repository.get_plan(session, branch_id, week_of(week_start))


def get_plan(
    session: Session, *, user: StaffUser, branch_id: int, week_start: date
) -> StaffingPlanRead:
    row = find_plan(session, user=user, branch_id=branch_id, week_start=week_start)
    if row is None:
        raise NotFound(f"no staffing plan of branch {branch_id} for the week of {week_start}")
    return StaffingPlanRead.model_validate(row, from_attributes=True)


def recompute_plan(
    session: Session, *, user: StaffUser, branch_id: int, week_start: date
) -> StaffingPlanRead:
    _branch_seen(session, user, branch_id)
    row = plan_week(session, branch_id, week_start, viewer=user)
    return StaffingPlanRead.model_validate(row, from_attributes=True)


def _minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
