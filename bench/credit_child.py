"""Child process for the credit benchmark; each mode prints one JSON object last.

``data ROWS PATH``: write an application file of ``ROWS`` loans × 20 features (14 numbers,
one with the special code 999 and two with missing values, 6 text columns) and an outcome.
``fit PATH FOLDS``: ``bankcrm credit fit`` as the command runs it (cross-validation and the
final card), the card saved beside the file.
``baseline PATH FOLDS``: the one-hot logistic regression under the same cross-validation.
``score CARD PATH OUT``: ``bankcrm credit score`` of every row (score, PD, grade, reasons)
written to ``OUT``.
``read PATH``: only reading the file into Arrow, the floor under scoring.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.credit.validation import (
    baseline_predictions,
    discrimination,
    out_of_fold,
    read_applications,
)

NUMBERS = 14
TEXTS = 6
SEED = 5


def _data(rows: int, path: Path) -> None:
    rng = np.random.default_rng(SEED)
    columns: dict[str, np.ndarray] = {}
    risk = np.full(rows, -2.6)
    for index in range(NUMBERS):
        values = rng.lognormal(3 + index % 4, 0.7, rows)
        weight = (index % 5 - 2) * 0.25
        risk += weight * (np.log(values) - (3 + index % 4)) / 0.7
        columns[f"n{index:02d}"] = np.round(values, 2)
    columns["n00"][rng.random(rows) < 0.3] = 999.0
    for index in (1, 2):
        columns[f"n{index:02d}"][rng.random(rows) < 0.08] = np.nan
    for index in range(TEXTS):
        levels = np.array([f"t{index}_{level}" for level in range(3 + index * 2)])
        picked = rng.integers(0, len(levels), rows)
        risk += (picked % 3 - 1) * 0.2 * (index % 2)
        columns[f"t{index}"] = levels[picked]
    bad = rng.random(rows) < 1 / (1 + np.exp(-risk))
    table = pa.table(
        {
            **{name: pa.array(values, from_pandas=True) for name, values in columns.items()},
            "outcome": np.where(bad, "bad", "good"),
        }
    )
    pa_csv.write_csv(table, path)
    print(json.dumps({"rows": rows, "bad_rate": float(bad.mean())}))


def _invoke(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments))
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return result.stdout


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "data":
        _data(int(args[0]), Path(args[1]))
        return
    started = time.perf_counter()
    if mode == "fit":
        path, folds = Path(args[0]), args[1]
        report = json.loads(
            _invoke(
                "credit",
                "fit",
                "--data",
                str(path),
                "--target",
                "outcome",
                "--bad",
                "bad",
                "--folds",
                folds,
                "--save",
                str(path.with_suffix(".card.json")),
                "--json",
            )
        )
        figures = {"auc": report["auc"], "ks": report["ks"]}
    elif mode == "baseline":
        path, folds = Path(args[0]), int(args[1])
        loans = read_applications(path, target="outcome", bad_values=("bad",))
        pooled = out_of_fold(
            loans.applications, loans.bad, baseline_predictions, folds=folds, seed=0
        )

        figures = {"auc": discrimination(loans.bad, pooled).auc}
    elif mode == "score":
        card, path, out = args
        _invoke("credit", "score", "--scorecard", card, "--data", path, "--out", out)
        figures = {}
    elif mode == "read":
        rows = pa_csv.read_csv(args[0]).num_rows
        figures = {"rows": rows}
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps({"seconds": time.perf_counter() - started, **figures}))


if __name__ == "__main__":
    main()
