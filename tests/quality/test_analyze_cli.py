"""``bankcrm quality analyze`` end to end: the real kiosk survey, and bad input files.

The kiosk figures are recomputed here with pandas straight from the survey, without the
product's code: dimension scores are each respondent's mean over the dimension's items,
respondents with any blank in the dimension are dropped, and α is the variance formula.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from bankcrm.cli.quality import register
from tests.quality.test_servqual import kiosk_frame

# The K-SERVQUAL design: eight dimensions of three consecutive items (analysis/cfa_v1.R).
KIOSK_DIMENSIONS = {
    "usefulness": [1, 2, 3],
    "enjoyment": [4, 5, 6],
    "control": [7, 8, 9],
    "economy": [10, 11, 12],
    "personalisation": [13, 14, 15],
    "convenience": [16, 17, 18],
    "security": [19, 20, 21],
    "tangibles": [22, 23, 24],
}


def quality_app() -> typer.Typer:
    # The group alone: importing every command module of `bankcrm` costs seconds here.
    app = typer.Typer()
    register(app)
    return app


def analyze(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(quality_app(), ["quality", "analyze", *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def kiosk_csv(tmp_path_factory: pytest.TempPathFactory, project_data: Path) -> Path:
    """The converted survey, gzipped as the command accepts it (pandas compresses by the
    name)."""
    path = tmp_path_factory.mktemp("kiosk") / "kiosk.csv.gz"
    kiosk_frame(project_data).to_csv(path, index=False)
    return path


def _alpha(block: pd.DataFrame) -> float:
    complete = block.dropna()
    k = complete.shape[1]
    return k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def test_the_kiosk_survey_through_the_command(kiosk_csv: Path) -> None:
    code, stdout, stderr = analyze(
        "--responses", str(kiosk_csv), "--instrument", "kiosk_kservqual", "--json"
    )
    assert code == 0, stderr
    report = json.loads(stdout)
    frame = pd.read_csv(kiosk_csv)
    assert report["respondents"] == 211
    assert report["respondents_answering"] == 207  # four rows are blank throughout
    gaps = {}
    for code_, items in KIOSK_DIMENSIONS.items():
        expectations = frame[[f"E{n}" for n in items]]
        perceptions = frame[[f"P{n}" for n in items]]
        complete = expectations.notna().all(axis=1) & perceptions.notna().all(axis=1)
        e_scores = expectations[complete].mean(axis=1)
        p_scores = perceptions[complete].mean(axis=1)
        gaps[code_] = (p_scores - e_scores).mean()
        found = report["dimensions"][code_]
        assert found["respondents"] == int(complete.sum()) == 207
        assert found["expectation"] == pytest.approx(e_scores.mean(), abs=1e-9)
        assert found["perception"] == pytest.approx(p_scores.mean(), abs=1e-9)
        assert found["gap"] == pytest.approx(gaps[code_], abs=1e-9)
        assert found["alpha_expectation"] == pytest.approx(_alpha(expectations), abs=1e-9)
        assert found["alpha_perception"] == pytest.approx(_alpha(perceptions), abs=1e-9)
    assert report["servqual_unweighted"] == pytest.approx(np.mean(list(gaps.values())))
    # equal weights of 12.5: the weighted score is the unweighted one
    assert report["servqual_weighted"] == pytest.approx(report["servqual_unweighted"])
    for item in report["items"]:
        number = item["number"]
        assert item["gap"] == pytest.approx(
            (frame[f"P{number}"] - frame[f"E{number}"]).mean(), abs=1e-9
        )


def test_the_figures_quoted_in_the_docs(kiosk_csv: Path) -> None:
    # docs/quality.md quotes these, rounded to two decimals
    code, stdout, _ = analyze("--responses", str(kiosk_csv), "--instrument", "kiosk_kservqual")
    assert code == 0
    assert "211 respondents, 207 with answers" in stdout
    assert "unweighted -1.10, weighted -1.10" in stdout
    security = next(line for line in stdout.splitlines() if line.startswith("security"))
    assert security.split()[1:6] == ["207", "6.67", "4.95", "-1.71", "[-1.90,"]


def test_breakdown_and_baseline_options(kiosk_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(kiosk_csv)
    earlier = tmp_path / "earlier.csv"
    frame.iloc[:100].to_csv(earlier, index=False)
    later = tmp_path / "later.csv"
    frame.iloc[100:].to_csv(later, index=False)
    code, stdout, stderr = analyze(
        "--responses", str(later), "--instrument", "kiosk_kservqual",
        "--baseline", str(earlier), "--by", "frequency", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    report = json.loads(stdout)
    assert sum(group["respondents"] for group in report["breakdown"].values()) == 111
    change = report["change"]["security"]
    assert change["respondents_earlier"] + change["respondents_later"] == 207
    assert change["difference"] == pytest.approx(change["gap_later"] - change["gap_earlier"])
    assert 0 <= change["p_value"] <= 1


def test_the_bank_instrument_is_the_default_and_respondent_weights_are_used(
    tmp_path: Path,
) -> None:
    header = [f"{scale}{n}" for n in range(1, 23) for scale in "EP"]
    weights = ["W_tangibles", "W_reliability", "W_responsiveness", "W_assurance", "W_empathy"]
    rows = [
        [7, 5] * 22 + [20, 20, 20, 20, 20],  # every gap −2
        [6, 6] * 22 + [10, 40, 20, 20, 10],  # every gap 0
    ]
    path = tmp_path / "bank.csv"
    pd.DataFrame(rows, columns=header + weights).to_csv(path, index=False)
    code, stdout, stderr = analyze("--responses", str(path), "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["instrument"] == "servqual_bank"
    assert report["weights_source"] == "respondents"
    assert report["servqual_unweighted"] == pytest.approx(-1)
    assert report["servqual_weighted"] == pytest.approx(-1)
    assert report["dimensions"]["reliability"]["importance"] == pytest.approx(30)


def _bad_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "responses.csv"
    path.write_text(body, encoding="utf-8")
    return path


TINY_HEADER = ",".join(f"{scale}{n}" for n in range(1, 25) for scale in "EP")
GOOD_ROW = ",".join(["7,6"] * 24)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            TINY_HEADER.replace(",P24", "") + "\n" + GOOD_ROW.rsplit(",", 1)[0] + "\n",
            "responses.csv, column 'P24': the column is missing",
        ),
        (
            TINY_HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW.replace("7,6", "7,9", 1) + "\n",
            "responses.csv, row 2, column 'P1': 9 is not a point on the 1–7 scale",
        ),
        (
            TINY_HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW[:-1] + "six\n",
            "responses.csv, row 2, column 'P24': 'six' is not a number",
        ),
    ],
)
def test_bad_input_exits_2_naming_row_and_column(tmp_path: Path, body: str, message: str) -> None:
    code, stdout, stderr = analyze(
        "--responses", str(_bad_file(tmp_path, body)), "--instrument", "kiosk_kservqual"
    )
    assert code == 2
    assert message in stderr
    assert stdout == ""  # nothing partial


def test_a_file_named_gz_that_is_not_gzip_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv.gz"
    path.write_text(TINY_HEADER + "\n" + GOOD_ROW + "\n", encoding="utf-8")
    code, stdout, stderr = analyze("--responses", str(path), "--instrument", "kiosk_kservqual")
    assert code == 2
    assert "responses.csv.gz: cannot be read: Not a gzipped file" in stderr
    assert stdout == ""


def test_a_broken_instrument_file_exits_2(tmp_path: Path) -> None:
    instrument = tmp_path / "mine.toml"
    instrument.write_text('id = "mine"\n', encoding="utf-8")
    responses = _bad_file(tmp_path, TINY_HEADER + "\n" + GOOD_ROW + "\n")
    code, stdout, stderr = analyze("--responses", str(responses), "--instrument", str(instrument))
    assert code == 2
    assert "mine.toml: the top level: 'dimensions' is missing" in stderr
    assert stdout == ""
