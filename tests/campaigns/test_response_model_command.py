"""``bankcrm campaigns response-model`` on the UCI Bank Marketing file and on planted files."""

from __future__ import annotations

import csv
import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from bankcrm.cli.main import app

BANK_MARKETING = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "uci-bank-marketing"
    / "bank-additional-full.csv.gz"
)
UCI_ROWS = 41_188
KEYS = {"auc_cv", "auc_rolling", "windows", "lift_top_decile", "rows", "positive_rate"}


def _run(*arguments: str) -> dict:
    result = CliRunner().invoke(app, ["campaigns", "response-model", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _bank_marketing(*arguments: str) -> dict:
    return _run("--data", str(BANK_MARKETING), "--target", "y", "--positive", "yes", *arguments)


@pytest.fixture(scope="module")
def predictions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uci") / "predictions.csv"


@pytest.fixture(scope="module")
def without_duration(predictions_file: Path) -> dict:
    return _bank_marketing("--exclude", "duration", "--predictions-out", str(predictions_file))


def test_bank_marketing_without_duration(without_duration: dict) -> None:
    report = without_duration
    assert report.keys() >= KEYS
    assert report["rows"] == UCI_ROWS
    assert report["positive_rate"] == pytest.approx(4_640 / UCI_ROWS)
    # 20,000 rows to learn from, then windows of 2,000 to the end of the file
    assert report["windows"] == math.ceil((UCI_ROWS - 20_000) / 2_000) == 11
    assert report["auc_cv"] >= 0.78
    assert report["auc_rolling"] >= 0.70
    # random folds let the model learn from later months: the rolling figure is lower
    assert report["auc_rolling"] < report["auc_cv"] - 0.03
    assert report["lift_top_decile"] >= 2.5


def test_the_predictions_file_reproduces_the_rolling_auc(
    without_duration: dict, predictions_file: Path
) -> None:
    with predictions_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["row", "score"]
    predicted = np.array([int(row["row"]) for row in rows])
    scores = np.array([float(row["score"]) for row in rows])
    assert predicted.tolist() == list(range(20_000, UCI_ROWS))
    with gzip.open(BANK_MARKETING, "rt", newline="") as handle:
        outcomes = np.array([row["y"] == "yes" for row in csv.DictReader(handle, delimiter=";")])
    auc = roc_auc_score(outcomes[predicted], scores)
    assert auc == pytest.approx(without_duration["auc_rolling"], abs=1e-9)
    top = np.argsort(-scores, kind="stable")[: round(0.1 * len(scores))]
    lift = outcomes[predicted][top].mean() / outcomes[predicted].mean()
    assert lift == pytest.approx(without_duration["lift_top_decile"], abs=1e-9)


def test_duration_leaks_the_outcome(without_duration: dict) -> None:
    # the call's length is known only once the customer has answered
    leaky = _bank_marketing()
    assert leaky["auc_cv"] > without_duration["auc_cv"] + 0.1
    assert leaky["auc_rolling"] > without_duration["auc_rolling"] + 0.1


def _planted_file(path: Path, rows: int, *, seed: int = 0) -> Path:
    """Comma-separated, a text column with gaps, a number column with a '?' code, a date,
    and a planted response to the text and the number."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Contact Date", "Tier", "Savings", "Noise", "Reply"])
        for n in range(rows):
            tier = rng.choice(["premier", "standard", "basic"])
            savings = rng.normal(0, 1)
            logit = -2.0 + 2.5 * (tier == "premier") + 1.5 * savings
            reply = "Y" if rng.random() < 1 / (1 + math.exp(-logit)) else "N"
            out.writerow(
                [
                    f"2024-{1 + n * 12 // rows:02d}-15",
                    "" if rng.random() < 0.05 else tier,
                    "?" if rng.random() < 0.05 else f"{savings:.3f}",
                    f"{rng.random():.4f}",
                    reply,
                ]
            )
    return path


def test_a_planted_signal_is_found_in_any_shape_of_file(tmp_path: Path) -> None:
    data = _planted_file(tmp_path / "replies.csv", 3_000)
    out = tmp_path / "scores.csv"
    arguments = ["--data", str(data), "--target", "Reply", "--positive", "Y", "--sep", ","]
    windows = ["--train-rows", "1000", "--test-rows", "600"]
    report = _run(*arguments, *windows, "--predictions-out", str(out))
    assert report["rows"] == 3_000 and report["windows"] == 4
    assert report["auc_cv"] > 0.8 and report["auc_rolling"] > 0.8
    assert report["lift_top_decile"] > 2
    assert out.read_text().splitlines()[0] == "row,score"
    assert len(out.read_text().splitlines()) == 1 + 2_000
    # the same file without --sep: the comma is sniffed
    sniffed = _run(*arguments[:-2], *windows)
    assert sniffed == report


def test_without_the_signal_the_auc_is_near_a_half(tmp_path: Path) -> None:
    data = _planted_file(tmp_path / "replies.csv", 3_000)
    report = _run(
        "--data", str(data), "--target", "Reply", "--positive", "Y",
        "--exclude", "Tier", "--exclude", "Savings",
        "--train-rows", "1000", "--test-rows", "1000",
    )  # fmt: skip
    assert 0.4 < report["auc_cv"] < 0.6 and 0.4 < report["auc_rolling"] < 0.6


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--target", "Answer", "--positive", "Y"], "column 'Answer': no column named 'Answer'"),
        (["--target", "Reply", "--positive", "yes"], "no row has the positive value 'yes'"),
        (
            ["--target", "Reply", "--positive", "Y", "--positive", "N"],
            "every row has the positive value 'Y' or 'N'",
        ),
        (
            ["--target", "Reply", "--positive", "Y", "--exclude", "duration"],
            "no column named 'duration'",
        ),
        (
            ["--target", "Reply", "--positive", "Y"],
            "300 rows are fewer than one rolling window of 22,000 "
            "(20,000 to train on, 2,000 to predict)",
        ),
    ],
)
def test_unusable_requests_are_refused_in_words(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    data = _planted_file(tmp_path / "replies.csv", 300)
    result = CliRunner().invoke(
        app, ["campaigns", "response-model", "--data", str(data), *arguments, "--json"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: replies.csv")
    assert message in result.output
