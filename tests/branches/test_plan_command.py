"""``bankcrm staffing plan`` on planted arrival files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from bankcrm.cli.staffing import register

START = datetime.fromisoformat("2024-03-04T09:00:00+08:00")  # a Monday


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _write(path: Path, rows: Sequence[tuple[str, object]], delimiter: str = ",") -> Path:
    lines = [f"time{delimiter}count", *(f"{t}{delimiter}{n}" for t, n in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plan(path: Path, *extra: str) -> dict:
    answer = CliRunner().invoke(_app(), ["staffing", "plan", *_options(path), *extra])
    assert answer.exit_code == 0, answer.output
    return json.loads(answer.stdout)


def _options(path: Path) -> list[str]:
    return [
        *("--arrivals", str(path), "--time-col", "time", "--count-col", "count"),
        *("--slot-minutes", "30", "--service-minutes", "3", "--target-wait-seconds", "20"),
        *("--service-level", "0.8", "--replications", "5", "--json"),
    ]


def _minute_counts(minutes: int) -> list[tuple[datetime, int]]:
    counts = np.random.default_rng(3).poisson(3.0, minutes)
    return [(START + timedelta(minutes=i), int(n)) for i, n in enumerate(counts)]


def test_minute_and_five_minute_counts_give_the_same_slots(tmp_path: Path) -> None:
    minutes = _minute_counts(105)  # 09:00 to 10:44: the last slot holds 15 minutes
    by_minute = _write(tmp_path / "minutes.csv", [(t.isoformat(), n) for t, n in minutes])
    fives = [
        (minutes[i][0].isoformat(), sum(n for _, n in minutes[i : i + 5])) for i in range(0, 105, 5)
    ]
    by_five = _write(tmp_path / "fives.csv", fives)
    one, five = _plan(by_minute)["slots"], _plan(by_five)["slots"]
    assert [slot["arrivals"] for slot in one] == [slot["arrivals"] for slot in five]
    assert [slot["minutes_covered"] for slot in one] == [30, 30, 30, 15]
    assert sum(slot["arrivals"] for slot in one) == sum(n for _, n in minutes)
    assert one[0]["start"] == "2024-03-04T09:00:00+08:00"
    assert one == five


def test_a_partial_slot_is_staffed_for_its_rate(tmp_path: Path) -> None:
    steady = [((START + timedelta(minutes=i)).isoformat(), 3) for i in range(40)]
    slots = _plan(_write(tmp_path / "steady.csv", steady))["slots"]
    full, partial = slots
    assert partial["minutes_covered"] == 10 < full["minutes_covered"] == 30
    assert partial["arrivals"] == 30 and full["arrivals"] == 90
    assert partial["counters"] == full["counters"] == 12
    assert partial["service_level"] == full["service_level"] >= 0.8


def test_times_without_an_offset_stay_without_one(tmp_path: Path) -> None:
    naive = [(f"2024-03-04 09:{i:02d}", 2) for i in range(0, 60)]
    plan = _plan(_write(tmp_path / "naive.csv", naive, delimiter=";"))
    assert [slot["start"] for slot in plan["slots"]] == [
        "2024-03-04T09:00:00",
        "2024-03-04T09:30:00",
    ]


def test_a_weekdays_only_file_has_a_weekday_profile(tmp_path: Path) -> None:
    rows = []
    for day in range(14):
        opening = START + timedelta(days=day)
        if opening.weekday() < 5:
            rows += [((opening + timedelta(minutes=5 * i)).isoformat(), 4) for i in range(12)]
    plan = _plan(_write(tmp_path / "weekdays.csv", rows))
    profile = plan["profile"]
    assert {entry["weekday"] for entry in profile} == {0, 1, 2, 3, 4}
    assert {entry["time"] for entry in profile} == {"09:00", "09:30"}
    for entry in profile:
        assert entry["arrivals"] == pytest.approx(24.0)
        low, high = entry["simulated_ci"]
        assert 0.0 <= low <= entry["simulated_service_level"] <= high <= 1.0
        assert set(entry) == {
            "weekday",
            "time",
            "arrivals",
            "counters",
            "service_level",
            "simulated_service_level",
            "simulated_ci",
        }
    assert len(plan["slots"]) == 20


def test_a_quiet_slot_needs_no_counter(tmp_path: Path) -> None:
    rows = [((START + timedelta(minutes=i)).isoformat(), 0 if i < 30 else 1) for i in range(60)]
    quiet, busy = _plan(_write(tmp_path / "quiet.csv", rows))["slots"]
    assert (quiet["arrivals"], quiet["counters"], quiet["service_level"]) == (0, 0, 1.0)
    assert busy["counters"] > 0


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ([("2024-03-04T09:00", 1), ("2024-03-04T09:01", 1)], ["--count-col", "n"], "'n'"),
        (
            [("2024-03-04T09:00", 1), ("4 March", 1)],
            [],
            "row 2, column 'time': '4 March' is not a date and time",
        ),
        (
            [("2024-03-04T09:00", 1), ("2024-03-04T09:01", -2)],
            [],
            "row 2, column 'count': the count must be a number ≥ 0",
        ),
        (
            [("2024-03-04T09:00", 1), ("2024-03-04T09:01", 2)],
            ["--service-level", "1.5"],
            "strictly between 0 and 1",
        ),
    ],
)
def test_refusals_name_what_is_wrong(
    tmp_path: Path, rows: list[tuple[str, object]], extra: list[str], message: str
) -> None:
    path = _write(tmp_path / "bad.csv", rows)
    answer = CliRunner().invoke(_app(), ["staffing", "plan", *_options(path), *extra])
    assert answer.exit_code == 1
    assert answer.stderr.startswith("error: ")
    assert message in answer.stderr
