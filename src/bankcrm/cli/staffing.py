"""``bankcrm staffing``: the counters that meet a waiting-time target for any arrival file,
checked by simulation, and the forecast of the coming days' arrivals."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bankcrm.cli._errors import fail
from bankcrm.core.exceptions import BankcrmError, ImportRejected

if TYPE_CHECKING:
    from bankcrm.branches import planning, staffing

staffing_app = typer.Typer(help="Counter staffing: plans and forecasts.", no_args_is_help=True)


@staffing_app.command("plan")
def plan(
    arrivals: Path = typer.Option(
        ..., "--arrivals", exists=True, dir_okay=False, help="CSV (or .csv.gz) of arrival counts."
    ),
    time_col: str = typer.Option(..., "--time-col", help="Column with each row's ISO 8601 time."),
    count_col: str = typer.Option(..., "--count-col", help="Column with each row's arrivals."),
    slot_minutes: int = typer.Option(30, "--slot-minutes", min=1, help="Minutes per slot."),
    service_minutes: float = typer.Option(..., "--service-minutes", help="Mean handling time."),
    target_wait_seconds: float = typer.Option(
        ..., "--target-wait-seconds", help="Waiting-time target."
    ),
    service_level: float = typer.Option(
        ..., "--service-level", help="Share to answer within the target, strictly in (0, 1)."
    ),
    patience_minutes: float | None = typer.Option(
        None,
        "--patience-minutes",
        help="Mean patience of a waiting customer: plan with Erlang A and let the simulation "
        "lose customers; without it, Erlang C (nobody leaves).",
    ),
    replications: int = typer.Option(30, "--replications", min=2, help="Simulated days."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the simulation."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The fewest counters per slot of the file and per slot of its typical week (weekday
    0 = Monday, local time), each typical slot checked by simulation."""
    from bankcrm.branches import planning

    try:
        report = _plan(
            arrivals,
            time_col=time_col,
            count_col=count_col,
            slot_minutes=slot_minutes,
            targets=planning.Targets(
                service=service_minutes,
                wait=target_wait_seconds / 60,
                level=service_level,
                patience=patience_minutes,
            ),
            replications=replications,
            seed=seed,
        )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(report))
        return
    slots = report["slots"]
    typer.echo(f"{len(slots):,} slots, at most {max(slot['counters'] for slot in slots)} counters")
    for typical in report["profile"]:
        low, high = typical["simulated_ci"]
        typer.echo(
            f"{typical['weekday']} {typical['time']}: {typical['arrivals']:.1f} arrivals, "
            f"{typical['counters']} counters, service level {typical['service_level']:.3f} "
            f"(simulated {typical['simulated_service_level']:.3f}, {low:.3f}–{high:.3f})"
        )


def _plan(
    path: Path,
    *,
    time_col: str,
    count_col: str,
    slot_minutes: int,
    targets: planning.Targets,
    replications: int,
    seed: int,
) -> dict[str, list[dict[str, Any]]]:
    from bankcrm.branches import planning, staffing

    slots = _arrival_slots(path, time_col=time_col, count_col=count_col, slot_minutes=slot_minutes)
    planned = [
        {
            "start": slot.start.isoformat(),
            "arrivals": round(slot.arrivals, 6),
            "minutes_covered": round(slot.minutes_covered, 6),
            "counters": slot.counters,
            "service_level": round(slot.service_level, 6),
        }
        for slot in planning.plan_slots(slots, targets)
    ]
    checked = planning.check_profile(
        staffing.weekly_profile(slots),
        targets,
        slot_minutes=slot_minutes,
        replications=replications,
        seed=seed,
    )
    profile = [
        {
            "weekday": typical.weekday,
            "time": typical.time,
            "arrivals": round(typical.arrivals, 6),
            "counters": typical.counters,
            "service_level": round(typical.service_level, 6),
            "simulated_service_level": round(typical.simulated_service_level, 6),
            "simulated_ci": [round(bound, 6) for bound in typical.simulated_ci],
        }
        for typical in checked
    ]
    return {"slots": planned, "profile": profile}


@staffing_app.command("forecast")
def forecast_arrivals(
    arrivals: Path = typer.Option(
        ..., "--arrivals", exists=True, dir_okay=False, help="CSV (or .csv.gz) of arrival counts."
    ),
    time_col: str = typer.Option(..., "--time-col", help="Column with each row's ISO 8601 time."),
    count_col: str = typer.Option(..., "--count-col", help="Column with each row's arrivals."),
    slot_minutes: int = typer.Option(30, "--slot-minutes", min=1, help="Minutes per slot."),
    holdout_days: int = typer.Option(
        ..., "--holdout-days", min=1, help="The file's last days, forecast from those before."
    ),
    holidays: Path | None = typer.Option(
        None,
        "--holidays",
        exists=True,
        dir_okay=False,
        help="CSV of holiday dates (a column 'date', else the first): a day type of their "
        "own, or like Sundays when none comes before the holdout.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Forecast the file's last days slot by slot from the days before, against the
    seasonal-naive forecast (the same weekday and time of the last week before). Slots
    without rows are closed and forecast no arrivals when they were closed lately."""
    from bankcrm.branches import forecast

    try:
        slots = _arrival_slots(
            arrivals, time_col=time_col, count_col=count_col, slot_minutes=slot_minutes
        )
        result = forecast.backtest(
            slots,
            slot_minutes=slot_minutes,
            holdout_days=holdout_days,
            holidays=_holidays(holidays) if holidays is not None else (),
            file=arrivals.name,
            time_column=time_col,
        )
    except BankcrmError as error:
        raise fail(error) from error
    if as_json:
        report = {
            "forecasts": [
                {"start": start.isoformat(), "forecast": round(float(value), 6)}
                for start, value in zip(result.starts, result.forecast, strict=True)
            ],
            "mae": round(result.mae, 6),
            "seasonal_naive_mae": round(result.seasonal_naive_mae, 6),
        }
        typer.echo(json.dumps(report))
        return
    typer.echo(
        f"{len(result.starts):,} slots over {holdout_days} days: mean absolute error "
        f"{result.mae:.3f} (seasonal naive {result.seasonal_naive_mae:.3f}), "
        f"{result.forecast.sum():,.0f} arrivals forecast, {result.actual.sum():,.0f} came"
    )


def _arrival_slots(
    path: Path, *, time_col: str, count_col: str, slot_minutes: int
) -> list[staffing.Slot]:
    from bankcrm.branches import staffing
    from bankcrm.churn.labelled import read_table

    table = read_table(path, text_columns=(time_col,))
    for column in (time_col, count_col):
        if column not in table.column_names:
            raise ImportRejected(
                f"no column named {column!r}", file=path.name, row=None, column=column
            )
    return staffing.slot_arrivals(
        table.column(time_col).to_pylist(),
        table.column(count_col).to_pylist(),
        slot_minutes=slot_minutes,
        file=path.name,
        time_column=time_col,
        count_column=count_col,
    )


def _holidays(path: Path) -> frozenset[date]:
    """The dates of a holiday file: its column ``date`` (any case), else its first column; a
    file without a header has a date for a header, which counts too."""
    from bankcrm.churn.labelled import read_table

    table = read_table(path)
    names = {name.strip().lower(): name for name in table.column_names}
    column = names.get("date", table.column_names[0])
    header = _day(column)
    days = {header} if header is not None else set()
    for row, value in enumerate(table.column(column).to_pylist(), start=1):
        day = _day(value) if value is not None else None
        if day is None and value is not None:
            raise ImportRejected(
                f"{value!r} is not a date (YYYY-MM-DD)", file=path.name, row=row, column=column
            )
        days.update([day] if day is not None else [])
    return frozenset(days)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value).strip()).date()
    except ValueError:
        return None


def register(app: typer.Typer) -> None:
    app.add_typer(staffing_app, name="staffing")
