"""``bankcrm credit``: fit on the Berka loans and on any file, save, score, stability."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bankcrm.cli.main import app

BERKA = Path(__file__).resolve().parents[2] / "data" / "berka-pkdd99-financial"
KEYS = {"auc", "ks", "gini", "folds", "rows", "bad_rate", "features"}


@pytest.fixture(scope="module")
def berka_loans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("berka") / "loans.csv"
    result = CliRunner().invoke(
        app, ["credit", "berka-loans", "--folder", str(BERKA), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _fit(*arguments: str) -> dict:
    result = CliRunner().invoke(app, ["credit", "fit", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_berka_loans_beat_the_one_hot_regression(berka_loans: Path, tmp_path: Path) -> None:
    card_file = tmp_path / "card.json"
    report = _fit(
        "--data", str(berka_loans), "--target", "status", "--bad", "B", "--bad", "D",
        "--exclude", "loan_id", "--baseline", "--save", str(card_file),
    )  # fmt: skip
    assert report.keys() >= KEYS
    assert report["folds"] == 5 and report["rows"] == 682
    assert report["bad_rate"] == pytest.approx(76 / 682, abs=1e-4)
    assert report["gini"] == pytest.approx(2 * report["auc"] - 1, abs=2e-4)
    assert report["auc"] >= report["baseline"]["auc"]
    assert report["auc"] > 0.7
    names = {feature["name"]: feature for feature in report["features"]}
    assert "loan_id" not in names and "status" not in names
    # none of the 145 loans with a second account holder went bad
    holders = names["disponents"]
    assert holders["selected"] and [b["bads"] for b in holders["bins"]] == [76, 0]
    assert all({"bin", "count", "bads", "woe", "points"} <= b.keys() for b in holders["bins"])
    document = json.loads(card_file.read_text())
    assert document["format"] == "bankcrm-scorecard"

    scored = tmp_path / "scored.csv"
    result = CliRunner().invoke(
        app,
        ["credit", "score", "--scorecard", str(card_file), "--data", str(berka_loans),
         "--out", str(scored), "--id-col", "loan_id"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(scored.open()))
    assert len(rows) == 682
    assert {"loan_id", "score", "pd", "grade", "reason_1"} <= rows[0].keys()
    bad = [row for row, status in zip(rows, _statuses(berka_loans), strict=True) if status in "BD"]
    good = [row for row, status in zip(rows, _statuses(berka_loans), strict=True) if status in "AC"]
    assert np.mean([float(row["pd"]) for row in bad]) > np.mean([float(row["pd"]) for row in good])

    stability = CliRunner().invoke(
        app, ["credit", "stability", "--scorecard", str(card_file), "--data", str(berka_loans)]
    )
    assert stability.exit_code == 0, stability.output
    assert all(item["psi"] < 0.01 for item in json.loads(stability.stdout)["features"])


def _statuses(path: Path) -> list[str]:
    return [row["status"] for row in csv.DictReader(path.open())]


def test_any_file_with_text_missing_values_and_sentinels(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    rows = 3_000
    months_since_late = np.where(rng.random(rows) < 0.6, 999, rng.integers(0, 48, rows))
    income = np.round(rng.lognormal(8.5, 0.5, rows), 2)
    purpose = rng.choice(["car", "home", "education", "other"], rows)
    risk = -2.2 + np.where(months_since_late == 999, -0.6, 1.0 - months_since_late / 48)
    risk += np.where(purpose == "education", 0.8, 0) - (income - 5_000) / 5_000
    bad = rng.random(rows) < 1 / (1 + np.exp(-risk))
    path = tmp_path / "applications.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "months_since_late", "income", "purpose", "outcome"])
        for index in range(rows):
            shown_income = "" if index % 17 == 0 else income[index]
            writer.writerow(
                [f"A{index:05d}", months_since_late[index], shown_income, purpose[index],
                 "default" if bad[index] else "paid"]
            )  # fmt: skip
    report = _fit(
        "--data", str(path), "--target", "outcome", "--bad", "default", "--baseline",
        "--folds", "4",
    )  # fmt: skip
    assert report["folds"] == 4 and report["rows"] == rows
    assert report["special_codes"] == [999.0]
    assert report["left_out"] == ["id"]
    features = {feature["name"]: feature for feature in report["features"]}
    kinds = {b["kind"] for b in features["months_since_late"]["bins"]}
    assert {"special", "interval"} <= kinds
    assert "missing" in {b["kind"] for b in features["income"]["bins"]}
    assert report["auc"] >= report["baseline"]["auc"] - 0.01


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--target", "state"], "no column named 'state'"),
        (["--target", "status", "--bad", "X"], "no row has the bad label 'X'"),
    ],
)
def test_bad_requests_are_refused_in_words(
    berka_loans: Path, arguments: list[str], message: str
) -> None:
    if "--bad" not in arguments:
        arguments = [*arguments, "--bad", "B"]
    result = CliRunner().invoke(app, ["credit", "fit", "--data", str(berka_loans), *arguments])
    assert result.exit_code == 1
    assert message in result.output


def test_too_few_bad_loans_for_the_folds(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text(
        "amount,outcome\n" + "".join(f"{n},{'bad' if n < 3 else 'good'}\n" for n in range(40))
    )
    result = CliRunner().invoke(
        app, ["credit", "fit", "--data", str(path), "--target", "outcome", "--bad", "bad"]
    )
    assert result.exit_code == 1
    assert "5 folds need at least 5 good and 5 bad rows; there are 3 bad of 40" in result.output
