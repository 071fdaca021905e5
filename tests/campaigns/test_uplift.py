"""Uplift model, Qini curve and coefficient, and ``bankcrm campaigns uplift``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from typer.testing import CliRunner

from bankcrm.campaigns.uplift import UpliftModel, feature_matrix, qini_curve, qini_interval
from bankcrm.cli.main import app


def test_qini_curve_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    treated = np.array([True, False, True, True, False, False])
    responded = np.array([True, False, True, False, True, False])
    curve = qini_curve(scores, treated, responded)
    # after k members: treated responders - control responders × treated / controls
    # k=1: 1 - 0 (no control yet); k=2: 1 - 0×1/1; k=3: 2 - 0; k=4: 2 - 0×3/1;
    # k=5: 2 - 1×3/2 = 0.5; k=6: 2 - 1×3/3 = 1
    assert curve.incremental.tolist() == [0, 1, 1, 2, 2, 0.5, 1]
    assert curve.taken.tolist() == [0, 1, 2, 3, 4, 5, 6]
    # x = k/6, y = incremental/3 treated; trapezoids minus the random triangle (1/3 × 1/2)
    heights = np.array([0, 1, 1, 2, 2, 0.5, 1]) / 3
    area = sum((heights[i] + heights[i + 1]) / 2 / 6 for i in range(6))
    assert curve.coefficient == pytest.approx(area - heights[-1] / 2)
    assert curve.at(np.array([0.5])).tolist() == [2.0]


def test_tied_scores_have_no_order() -> None:
    treated = np.array([True, False, True, False])
    responded = np.array([True, False, False, True])
    curve = qini_curve(np.zeros(4), treated, responded)
    assert curve.taken.tolist() == [0, 4]
    assert curve.coefficient == pytest.approx(0.0)


def _campaign(path: Path, *, effect: float, rows: int = 6000, seed: int = 3) -> np.ndarray:
    generator = np.random.default_rng(seed)
    affected = generator.random(rows) < 0.5
    treated = generator.random(rows) < 0.5
    income = generator.normal(size=rows)
    rate = 0.05 + 0.03 * (income > 0) + effect * (treated & affected)
    table = pa.table(
        {
            "customer_id": np.arange(rows),
            "arm": np.where(treated, "mail", "holdout"),
            "took_loan": np.where(generator.random(rows) < rate, "yes", "no"),
            "segment": np.where(affected, "young family", "retired"),
            "income": income,
            "age": generator.integers(20, 80, rows),
        }
    )
    pa_csv.write_csv(table, path)
    return affected


def _uplift(path: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        [
            "campaigns",
            "uplift",
            "--contacts",
            str(path),
            "--group-col",
            "arm",
            "--response-col",
            "took_loan",
            "--treatment",
            "mail",
            "--control",
            "holdout",
            "--exclude",
            "customer_id",
            "--json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output)
    return report


def test_planted_uplift_is_found_and_ranked_first(tmp_path: Path) -> None:
    path = tmp_path / "campaign.csv"
    affected = _campaign(path, effect=0.10)
    report = _uplift(path)
    low, high = report["qini_ci"]
    assert 0 < low <= report["qini"] <= high
    assert report["rows"] == 6000 and report["folds"] == 5
    curve = report["curve"]
    assert isinstance(curve, list) and 11 <= len(curve) <= 21
    assert curve[0] == {"share": 0.0, "incremental": 0.0}
    assert report["top_decile_uplift"] > 0.05

    table = pa_csv.read_csv(path)
    treated = table.column("arm").to_numpy(zero_copy_only=False) == "mail"
    responded = table.column("took_loan").to_numpy(zero_copy_only=False) == "yes"
    matrix = feature_matrix(table.drop_columns(["customer_id", "arm", "took_loan"]), path.name)
    model = UpliftModel(random_state=0)
    assert model.fit(matrix, treated, responded) is model
    assert model.feature_names_ == ("segment", "income", "age")
    uplift = model.predict(matrix)
    first_half = np.argsort(-uplift)[: len(uplift) // 2]
    assert affected[first_half].mean() > 0.9


def test_null_campaign_interval_covers_zero(tmp_path: Path) -> None:
    path = tmp_path / "null.csv"
    _campaign(path, effect=0.0, rows=4000)
    report = _uplift(path, "--folds", "3", "--seed", "1")
    low, high = report["qini_ci"]
    assert low < 0 < high


def test_bootstrap_repeats_with_its_seed() -> None:
    generator = np.random.default_rng(0)
    scores = generator.random(500)
    treated = generator.random(500) < 0.5
    responded = generator.random(500) < 0.2
    first = qini_interval(scores, treated, responded, samples=200, seed=7)
    assert first == qini_interval(scores, treated, responded, samples=200, seed=7)
    assert first[0] < first[1]


def test_too_few_responders_for_the_folds(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text(
        "arm,took_loan,age\n"
        + "".join(f"mail,{int(i < 3)},{30 + i}\n" for i in range(20))
        + "".join(f"holdout,{int(i < 4)},{30 + i}\n" for i in range(20)),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        [
            "campaigns",
            "uplift",
            "--contacts",
            str(path),
            "--group-col",
            "arm",
            "--response-col",
            "took_loan",
            "--treatment",
            "mail",
            "--control",
            "holdout",
        ],
    )
    assert result.exit_code == 1
    assert "error: tiny.csv: 5 folds need at least 5 responders" in result.output
    assert "smallest of these has 3" in result.output
