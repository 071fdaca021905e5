from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from bankcrm.branches.forecast import ArrivalForecaster, backtest
from bankcrm.branches.staffing import Slot, slot_arrivals
from bankcrm.core.exceptions import ImportRejected, ValidationFailed

FIRST_DAY = date(2024, 1, 1)  # a Monday
WEEKDAY_LEVEL = (1.3, 1.0, 0.95, 1.0, 1.2, 0.7, 0.5)
HOLIDAYS = frozenset(
    {date(2024, 2, 12), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 1), date(2024, 5, 13)}
)
"""Four before the holdout of the twenty-week series and one, a Monday, inside it."""


def planted_counts(
    *,
    weeks: int = 20,
    step: int = 5,
    hours: tuple[int, int] = (9, 17),
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5),
    holidays: frozenset[date] = HOLIDAYS,
    holiday_share: float = 0.0,
    weekly_growth: float = 0.015,
    offset: str = "+08:00",
    seed: int = 0,
) -> tuple[list[str], list[int]]:
    """Counts every ``step`` minutes within ``hours`` on ``days`` (0 = Monday): two peaks a
    day, a level per weekday, a trend, Poisson noise; a holiday has ``holiday_share`` of an
    ordinary day's arrivals, and no rows at all (closed) when that share is nought."""
    generator = np.random.default_rng(seed)
    times: list[str] = []
    counts: list[int] = []
    for offset_days in range(weeks * 7):
        day = FIRST_DAY + timedelta(days=offset_days)
        holiday = day in holidays
        if day.weekday() not in days or (holiday and holiday_share == 0):
            continue
        for minute in range(hours[0] * 60, hours[1] * 60, step):
            mean = planted_mean(day, minute, step, weekly_growth)
            mean *= holiday_share if holiday else 1.0
            times.append(f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00{offset}")
            counts.append(int(generator.poisson(mean)))
    return times, counts


def planted_mean(day: date, minute: int, step: int, weekly_growth: float = 0.015) -> float:
    """Expected arrivals in the ``step`` minutes from ``minute`` of an ordinary ``day``."""
    hour = minute / 60
    shape = 1 + 0.8 * math.exp(-(((hour - 10.5) / 1.0) ** 2))
    shape += 0.6 * math.exp(-(((hour - 14.5) / 1.2) ** 2))
    growth = math.exp(weekly_growth * (day - FIRST_DAY).days / 7)
    return 0.25 * step * shape * WEEKDAY_LEVEL[day.weekday()] * growth


def planted_slots(slot_minutes: int = 30, **planting: object) -> list[Slot]:
    times, counts = planted_counts(**planting)  # type: ignore[arg-type]
    return slot_arrivals(
        times,
        counts,
        slot_minutes=slot_minutes,
        file="planted.csv",
        time_column="time",
        count_column="count",
    )


def _day(result_starts: list[datetime], values: np.ndarray, day: date) -> np.ndarray:
    return np.array([v for s, v in zip(result_starts, values, strict=True) if s.date() == day])


@pytest.mark.parametrize("slot_minutes", [5, 30])
def test_beats_seasonal_naive_on_the_last_ten_days(slot_minutes: int) -> None:
    slots = planted_slots(slot_minutes)
    result = backtest(
        slots,
        slot_minutes=slot_minutes,
        holdout_days=10,
        holidays=HOLIDAYS,
        file="planted.csv",
        time_column="time",
    )
    assert result.starts[0] == datetime.fromisoformat("2024-05-09T09:00:00+08:00")
    assert len(result.starts) == 10 * 8 * 60 // slot_minutes
    assert result.mae < 0.8 * result.seasonal_naive_mae


def test_a_named_holiday_is_not_forecast_as_an_ordinary_day() -> None:
    slots = planted_slots()
    named = backtest(
        slots,
        slot_minutes=30,
        holdout_days=10,
        holidays=HOLIDAYS,
        file="planted.csv",
        time_column="time",
    )
    unnamed = backtest(
        slots, slot_minutes=30, holdout_days=10, file="planted.csv", time_column="time"
    )
    holiday = date(2024, 5, 13)
    # the planted branch closes on holidays: four closed holidays before the holdout
    assert _day(named.starts, named.forecast, holiday).sum() == 0
    assert _day(unnamed.starts, unnamed.forecast, holiday).sum() > 100
    assert named.mae < unnamed.mae


def test_a_busy_holiday_keeps_its_own_lower_level() -> None:
    slots = planted_slots(days=tuple(range(7)), hours=(0, 24), holiday_share=0.3)
    result = backtest(
        slots,
        slot_minutes=30,
        holdout_days=10,
        holidays=HOLIDAYS,
        file="planted.csv",
        time_column="time",
    )
    holiday = date(2024, 5, 13)
    planted = 0.3 * sum(planted_mean(holiday, minute, 5) for minute in range(0, 24 * 60, 5))
    assert _day(result.starts, result.forecast, holiday).sum() == pytest.approx(planted, rel=0.2)
    assert result.mae < result.seasonal_naive_mae


def test_closed_hours_and_sundays_are_forecast_empty() -> None:
    slots = planted_slots()
    result = backtest(
        slots,
        slot_minutes=30,
        holdout_days=10,
        holidays=HOLIDAYS,
        file="planted.csv",
        time_column="time",
    )
    assert _day(result.starts, result.forecast, date(2024, 5, 12)).sum() == 0  # a Sunday
    assert all(start.hour in range(9, 17) for start in result.starts)
    saturday = _day(result.starts, result.forecast, date(2024, 5, 11))
    assert (saturday > 0).all()


def test_the_trend_is_recovered() -> None:
    slots = planted_slots(days=tuple(range(7)), hours=(0, 24), weekly_growth=0.02)
    model = ArrivalForecaster(slot_minutes=30, holidays=HOLIDAYS).fit(slots)
    assert model.weekly_trend_ == pytest.approx(0.02, abs=0.004)


def test_new_opening_hours_are_followed() -> None:
    early = planted_slots(weeks=12)
    later = planted_slots(weeks=16, hours=(9, 19), seed=1)
    cut = datetime.fromisoformat("2024-03-25T00:00:00+08:00")
    slots = [s for s in early if s.start < cut] + [s for s in later if s.start >= cut]
    model = ArrivalForecaster(slot_minutes=30).fit(slots)
    evening = datetime.fromisoformat("2024-04-23T18:00:00+08:00")
    assert model.predict([evening])[0] > 1


def test_refusals() -> None:
    slots = planted_slots(weeks=3)
    with pytest.raises(ValidationFailed, match="longer than the file"):
        backtest(slots, slot_minutes=30, holdout_days=30, file="f.csv", time_column="time")
    with pytest.raises(ImportRejected, match="at least 14") as refused:
        backtest(slots, slot_minutes=30, holdout_days=10, file="f.csv", time_column="time")
    assert refused.value.file == "f.csv"
    with pytest.raises(ValidationFailed, match="divide a day"):
        ArrivalForecaster(slot_minutes=7).fit(slots)
