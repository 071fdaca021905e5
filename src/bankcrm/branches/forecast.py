"""The coming days' arrivals slot by slot, and how well that would have been done.

The model is a Poisson regression of each slot's arrivals on one indicator per day type
and time of day (Monday … Sunday, and named holidays as a day type of their own) and a
trend on the log scale, with the minutes the slot was open as exposure: the rate of every
Monday 09:30 is learnt from all past Mondays at 09:30, recent weeks weighing more. With
indicators, the likelihood is maximised exactly: given the trend each cell's rate is its
weighted arrivals over its weighted exposure, and only the trend is searched.

Slots the file has no rows for are *closed*, not quiet: they are left out of the fit, and
a slot is forecast open for the median of the minutes it was open on the recent days of
its type (a closed day counting as none), so a branch closed at night, on Sundays or on
holidays is forecast no arrivals then.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Self

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import mean_absolute_error

from bankcrm.branches.staffing import Slot
from bankcrm.core.exceptions import ImportRejected, ValidationFailed

DAY_MINUTES = 24 * 60
WEEK_DAYS = 7
SUNDAY = 6
HOLIDAY = 7
"""The day type of a named holiday, after Monday (0) … Sunday (6)."""
DAY_TYPES = 8
MIN_FIT_DAYS = 2 * WEEK_DAYS
"""Each weekday is seen at least twice before the holdout."""
MAX_WEEKLY_TREND = float(np.log(2.0))
"""The trend searched lies between halving and doubling a week."""


class ArrivalForecaster:
    """Arrivals per slot from the day type, the time of day and a trend.

    Parameters
    ----------
    slot_minutes
        Length of a slot; it divides a day.
    holidays
        Dates that form a day type of their own. When no holiday falls in the span fitted,
        a holiday is forecast like a Sunday.
    half_life_days
        Age at which a day weighs half as much as the newest one.
    recent_days
        How many of the latest days of a type (weeks, for a weekday) set its opening hours.

    Attributes
    ----------
    rates_
        Arrivals per open minute, by day type and slot of the day, on the day after the
        last one fitted.
    weekly_trend_
        Change of the log rate per week.
    open_minutes_
        Minutes each slot of each day type is forecast open.
    """

    def __init__(
        self,
        *,
        slot_minutes: int,
        holidays: Collection[date] = (),
        half_life_days: float = 56.0,
        recent_days: int = 5,
    ) -> None:
        self.slot_minutes = slot_minutes
        self.holidays = holidays
        self.half_life_days = half_life_days
        self.recent_days = recent_days

    def fit(self, slots: Sequence[Slot]) -> Self:
        """Learn from arrivals in slots on the local clock, as ``slot_arrivals`` gives them."""
        if self.slot_minutes <= 0 or DAY_MINUTES % self.slot_minutes:
            raise ValidationFailed(
                f"slots of {self.slot_minutes} minutes do not divide a day", field="slot_minutes"
            )
        if not slots:
            raise ValidationFailed("no arrivals to learn from", field="slots")
        per_day = DAY_MINUTES // self.slot_minutes
        self.holidays_ = frozenset(self.holidays)
        # the calendar arithmetic of _cell and _weeks, on arrays: a year of short slots
        # is tens of thousands of them
        walls = np.array([_wall(slot.start) for slot in slots], dtype="datetime64[us]")
        dates = walls.astype("datetime64[D]")
        first: date = dates.min().item()
        self.end_ = dates.max().item() + timedelta(days=1)
        days = (self.end_ - first).days
        calendar = [first + timedelta(days=offset) for offset in range(days)]
        day_types = np.array([self._day_type(day) for day in calendar])
        day_index = (dates - np.datetime64(first, "D")).astype(np.int64)
        minute_of_day = (walls - dates) // np.timedelta64(1, "m")
        cells = day_types[day_index] * per_day + minute_of_day // self.slot_minutes
        weeks = (walls - np.datetime64(_midnight(self.end_), "us")) / np.timedelta64(WEEK_DAYS, "D")
        arrivals = np.array([slot.arrivals for slot in slots], dtype=float)
        minutes = np.array([slot.minutes for slot in slots], dtype=float)
        weights = 0.5 ** (-weeks * WEEK_DAYS / self.half_life_days)
        self.weekly_trend_ = _trend(cells, weeks, weights * arrivals, weights * minutes)
        cell_arrivals = np.bincount(cells, weights * arrivals, DAY_TYPES * per_day)
        exposure = np.bincount(
            cells, weights * minutes * np.exp(self.weekly_trend_ * weeks), DAY_TYPES * per_day
        )
        rates = np.divide(cell_arrivals, exposure, out=np.zeros_like(exposure), where=exposure > 0)
        self.rates_ = rates.reshape(DAY_TYPES, per_day)

        open_by_day = np.zeros((days, per_day))
        np.add.at(open_by_day, (day_index, cells % per_day), minutes)
        self.open_minutes_ = np.zeros((DAY_TYPES, per_day))
        for day_type in np.unique(day_types):
            latest = np.flatnonzero(day_types == day_type)[-self.recent_days :]
            self.open_minutes_[day_type] = np.median(open_by_day[latest], axis=0)
        self.day_types_seen_ = frozenset(int(day_type) for day_type in day_types)
        return self

    def predict(self, starts: Sequence[datetime]) -> np.ndarray:
        """Expected arrivals in the slots starting at ``starts`` (on the local clock); none
        where the slot is forecast closed."""
        cells = np.array([self._cell(moment, forecast=True) for moment in starts], dtype=np.int64)
        weeks = np.array([self._weeks(moment) for moment in starts])
        rates, open_minutes = self.rates_.ravel()[cells], self.open_minutes_.ravel()[cells]
        return rates * np.exp(self.weekly_trend_ * weeks) * open_minutes

    def _day_type(self, day: date, *, forecast: bool = False) -> int:
        if day not in self.holidays_:
            return day.weekday()
        return SUNDAY if forecast and HOLIDAY not in self.day_types_seen_ else HOLIDAY

    def _cell(self, moment: datetime, *, forecast: bool = False) -> int:
        per_day = DAY_MINUTES // self.slot_minutes
        slot = (moment.hour * 60 + moment.minute) // self.slot_minutes
        return self._day_type(moment.date(), forecast=forecast) * per_day + slot

    def _weeks(self, moment: datetime) -> float:
        """Weeks from the end of the fit (negative before it), on the local clock."""
        since = _wall(moment) - _midnight(self.end_)
        return since / timedelta(days=WEEK_DAYS)


def _trend(
    cells: np.ndarray, weeks: np.ndarray, arrivals: np.ndarray, exposure: np.ndarray
) -> float:
    """The weekly log trend of greatest likelihood, each cell's rate profiled out:
    minimise Σ_c A_c log Σ_(i∈c) e_i exp(β t_i) − β Σ_i a_i t_i, convex in β."""
    size = int(cells.max()) + 1
    cell_arrivals = np.bincount(cells, arrivals, size)
    pull = float(arrivals @ weeks)

    def objective(trend: float) -> float:
        cell_exposure = np.bincount(cells, exposure * np.exp(trend * weeks), size)
        seen = cell_arrivals > 0
        return float(cell_arrivals[seen] @ np.log(cell_exposure[seen])) - trend * pull

    found = minimize_scalar(
        objective, bounds=(-MAX_WEEKLY_TREND, MAX_WEEKLY_TREND), method="bounded"
    )
    return float(found.x)


@dataclass(frozen=True)
class Backtest:
    """The held-out slots with their forecast and arrivals, and both mean absolute errors."""

    starts: list[datetime]
    forecast: np.ndarray
    actual: np.ndarray
    mae: float
    seasonal_naive_mae: float


def backtest(
    slots: Sequence[Slot],
    *,
    slot_minutes: int,
    holdout_days: int,
    holidays: Collection[date] = (),
    file: str,
    time_column: str,
) -> Backtest:
    """Fit on all but the last ``holdout_days`` calendar days of ``slots`` and forecast those.

    The held-out slots are every slot of those days from the earliest to the latest time of
    day the file has rows at, each in the offset of the file's last row at or before it; one
    without rows had no arrivals. The seasonal-naive baseline gives each the arrivals at the
    same weekday and time in the last week before the holdout.
    """
    if holdout_days < 1:
        raise ValidationFailed("the holdout must be at least one day", field="holdout_days")
    if not slots:
        raise ImportRejected("the file has no rows", file=file, row=None, column=time_column)
    first = min(slot.start.date() for slot in slots)
    last = max(slot.start.date() for slot in slots)
    days = (last - first).days + 1
    if holdout_days > days:
        raise ValidationFailed(
            f"a holdout of {holdout_days} days is longer than the file ({days} days, "
            f"{first} to {last})",
            field="holdout_days",
        )
    cut = last - timedelta(days=holdout_days - 1)
    if (cut - first).days < MIN_FIT_DAYS:
        raise ImportRejected(
            f"{(cut - first).days} days come before the {holdout_days}-day holdout from {cut}; "
            f"at least {MIN_FIT_DAYS} are needed to learn each weekday",
            file=file,
            row=None,
            column=time_column,
        )
    history = [slot for slot in slots if slot.start.date() < cut]
    model = ArrivalForecaster(slot_minutes=slot_minutes, holidays=holidays).fit(history)

    arrivals = {_wall(slot.start): slot.arrivals for slot in slots}
    step = timedelta(minutes=slot_minutes)
    times_of_day = [_wall(slot.start) - _midnight(slot.start.date()) for slot in slots]
    opens, closes = min(times_of_day), max(times_of_day)
    walls = [
        _midnight(cut + timedelta(days=offset)) + opens + step * index
        for offset in range(holdout_days)
        for index in range((closes - opens) // step + 1)
    ]
    zone = _zones(slots)
    starts = [wall.replace(tzinfo=zone(wall)) for wall in walls]
    actual = np.array([arrivals.get(wall, 0.0) for wall in walls])
    naive = np.array([arrivals.get(_week_before(wall, cut), 0.0) for wall in walls])
    forecast = model.predict(starts)
    return Backtest(
        starts=starts,
        forecast=forecast,
        actual=actual,
        mae=float(mean_absolute_error(actual, forecast)),
        seasonal_naive_mae=float(mean_absolute_error(actual, naive)),
    )


def _week_before(wall: datetime, cut: date) -> datetime:
    """The same weekday and time in the week that ends the day before ``cut``."""
    back = ((wall.date() - cut).days // WEEK_DAYS + 1) * WEEK_DAYS
    return wall - timedelta(days=back)


def _wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _zones(slots: Sequence[Slot]) -> Callable[[datetime], tzinfo | None]:
    """The zone of a time on the local clock: that of the last slot at or before it, so a
    change of offset in the file (summer time) carries into the forecast."""
    ordered = sorted(slots, key=lambda slot: _wall(slot.start))
    walls = [_wall(slot.start) for slot in ordered]

    def zone(wall: datetime) -> tzinfo | None:
        return ordered[max(bisect_right(walls, wall) - 1, 0)].start.tzinfo

    return zone
