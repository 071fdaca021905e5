from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from bankcrm.cli.main import app
from tests.branches.test_forecast import HOLIDAYS, planted_counts


def _write(path: Path, times: list[str], counts: list[int], *, delimiter: str = ",") -> Path:
    rows = (f"{time}{delimiter}{count}" for time, count in zip(times, counts, strict=True))
    lines = [f"time{delimiter}count", *rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _forecast(path: Path, *options: str) -> Any:
    result = CliRunner().invoke(
        app,
        [
            "staffing", "forecast", "--arrivals", str(path), "--time-col", "time",
            "--count-col", "count", "--slot-minutes", "30", "--holdout-days", "10", *options,
            "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refusal(path: Path, *options: str) -> str:
    result = CliRunner().invoke(
        app,
        ["staffing", "forecast", "--arrivals", str(path), "--time-col", "time",
         "--count-col", "count", "--holdout-days", "10", *options],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    return result.stderr


@pytest.fixture(scope="module")
def minute_counts() -> tuple[list[str], list[int]]:
    return planted_counts(weeks=12, step=1, seed=3)


def test_json_shape_and_offset_kept(tmp_path: Path, minute_counts: Any) -> None:
    report = _forecast(_write(tmp_path / "calls.csv", *minute_counts))
    assert set(report) == {"forecasts", "mae", "seasonal_naive_mae"}
    first = report["forecasts"][0]
    assert set(first) == {"start", "forecast"}
    assert first["start"] == "2024-03-14T09:00:00+08:00"
    assert len(report["forecasts"]) == 10 * 16
    assert all(item["start"].endswith("+08:00") for item in report["forecasts"])
    assert report["mae"] < report["seasonal_naive_mae"]


def test_minute_and_five_minute_files_give_the_same_forecast(
    tmp_path: Path, minute_counts: Any
) -> None:
    times, counts = minute_counts
    by_minute = _forecast(_write(tmp_path / "minutes.csv", times, counts))
    five_times = times[::5]
    five_counts = np.add.reduceat(np.array(counts), np.arange(0, len(counts), 5)).tolist()
    by_five = _forecast(_write(tmp_path / "five.csv", five_times, five_counts, delimiter=";"))
    assert [i["start"] for i in by_minute["forecasts"]] == [
        i["start"] for i in by_five["forecasts"]
    ]
    assert [i["forecast"] for i in by_minute["forecasts"]] == pytest.approx(
        [i["forecast"] for i in by_five["forecasts"]]
    )
    assert by_minute["mae"] == pytest.approx(by_five["mae"])
    assert by_minute["seasonal_naive_mae"] == pytest.approx(by_five["seasonal_naive_mae"])


def test_a_weekdays_only_file_without_offsets(tmp_path: Path) -> None:
    times, counts = planted_counts(weeks=12, days=(0, 1, 2, 3, 4), offset="")
    report = _forecast(_write(tmp_path / "weekdays.csv", times, counts))
    starts = [datetime.fromisoformat(item["start"]) for item in report["forecasts"]]
    assert all(start.tzinfo is None for start in starts)
    weekend = [
        item["forecast"]
        for item, start in zip(report["forecasts"], starts, strict=True)
        if start.weekday() >= 5
    ]
    assert len(weekend) == 2 * 16 and not any(weekend)
    assert report["mae"] < report["seasonal_naive_mae"]


def test_holidays_file(tmp_path: Path) -> None:
    times, counts = planted_counts(weeks=20, step=5)
    arrivals = _write(tmp_path / "branch.csv", times, counts)
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("Date\n" + "\n".join(sorted(str(day) for day in HOLIDAYS)) + "\n")
    named = _forecast(arrivals, "--holidays", str(holidays))
    unnamed = _forecast(arrivals)

    def monday_13(report: Any) -> float:
        return sum(i["forecast"] for i in report["forecasts"] if i["start"][:10] == "2024-05-13")

    assert monday_13(named) == 0
    assert monday_13(unnamed) > 100
    assert named["mae"] < unnamed["mae"] < unnamed["seasonal_naive_mae"]
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("\n".join(sorted(str(day) for day in HOLIDAYS)) + "\n")
    assert _forecast(arrivals, "--holidays", str(headerless)) == named


def test_refusals(tmp_path: Path, minute_counts: Any) -> None:
    times, counts = minute_counts
    good = _write(tmp_path / "good.csv", times, counts)
    missing = tmp_path / "missing.csv"
    missing.write_text("time,calls\n2024-01-01T09:00,3\n")
    assert "missing.csv, column 'count': no column named 'count'" in _refusal(missing)
    broken = list(times)
    broken[2] = "2024-13-45 09:00"
    message = _refusal(_write(tmp_path / "broken.csv", broken, counts))
    assert "broken.csv, row 3, column 'time'" in message
    short = _write(tmp_path / "short.csv", times[: 480 * 18], counts[: 480 * 18])
    assert "at least 14" in _refusal(short)
    assert "longer than the file" in _refusal(good, "--holdout-days", "200")
    bad_holiday = tmp_path / "bad_holidays.csv"
    bad_holiday.write_text(f"date\n{date(2024, 3, 20)}\nnot a day\n")
    assert "bad_holidays.csv, row 2, column 'date'" in _refusal(
        good, "--holidays", str(bad_holiday)
    )
