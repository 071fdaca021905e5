"""Treatment against control: exact uplift, Newcombe's interval, the z-test, the money."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from bankcrm.campaigns.evaluation import (
    Group,
    compare,
    evaluate_file,
    newcombe_interval,
    tally,
    two_proportion_p_value,
    wilson_interval,
)
from bankcrm.core.exceptions import ValidationFailed


def test_planted_uplift_is_exact() -> None:
    treatment = tally(np.arange(1000) < 120)
    control = tally(np.arange(1000) < 80)
    evaluation = compare(treatment, control)
    assert evaluation.uplift == 0.04
    assert evaluation.as_dict()["treatment"] == {"n": 1000, "responses": 120, "rate": 0.12}
    assert evaluation.ci_low < 0.04 < evaluation.ci_high


def test_newcombe_worked_example() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 against 48/80
    evaluation = compare(Group(70, 56), Group(80, 48))
    assert round(evaluation.uplift, 4) == 0.2
    assert round(evaluation.ci_low, 4) == 0.0524
    assert round(evaluation.ci_high, 4) == 0.3339


def test_interval_against_hand_computation() -> None:
    z = 1.959963984540054  # the normal quantile for 95 %

    def wilson(k: int, n: int) -> tuple[float, float]:
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        return centre - half, centre + half

    low1, high1 = wilson(9, 20)
    low2, high2 = wilson(4, 25)
    assert wilson_interval(9, 20) == pytest.approx((low1, high1), abs=1e-12)
    assert wilson_interval(4, 25) == pytest.approx((low2, high2), abs=1e-12)
    p1, p2 = 9 / 20, 4 / 25
    expected_low = (p1 - p2) - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    expected_high = (p1 - p2) + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    interval = newcombe_interval(Group(20, 9), Group(25, 4))
    assert interval == pytest.approx((expected_low, expected_high), abs=1e-12)


@pytest.mark.parametrize(
    ("treatment", "control"),
    [
        (Group(1000, 120), Group(1000, 80)),
        (Group(70, 56), Group(80, 48)),
        (Group(40, 3), Group(9, 1)),
    ],
)
def test_p_value_is_the_chi_square_test(treatment: Group, control: Group) -> None:
    table = [
        [treatment.responses, treatment.n - treatment.responses],
        [control.responses, control.n - control.responses],
    ]
    chi_square = stats.chi2_contingency(table, correction=False)
    assert two_proportion_p_value(treatment, control) == pytest.approx(chi_square.pvalue, rel=1e-9)


def test_null_campaigns_cover_zero_about_95_percent() -> None:
    generator = np.random.default_rng(2026)
    treated = generator.binomial(2000, 0.05, size=1000)
    controls = generator.binomial(500, 0.05, size=1000)
    covered = sum(
        evaluation.ci_low <= 0 <= evaluation.ci_high
        for evaluation in (
            compare(Group(2000, int(k1)), Group(500, int(k2)))
            for k1, k2 in zip(treated, controls, strict=True)
        )
    )
    assert 930 <= covered <= 970


def test_narrower_interval_at_lower_confidence() -> None:
    wide = compare(Group(300, 45), Group(300, 30))
    narrow = compare(Group(300, 45), Group(300, 30), confidence=0.8)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high
    assert narrow.as_dict()["confidence"] == 0.8


def test_an_empty_group_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="control group has no members"):
        compare(Group(10, 2), Group(0, 0))
    with pytest.raises(ValidationFailed, match="confidence"):
        compare(Group(10, 2), Group(10, 1), confidence=1.0)


def test_no_responses_anywhere_gives_finite_figures() -> None:
    report = compare(Group(50, 0), Group(20, 0)).as_dict()
    assert report["p_value"] == 1.0
    assert report["uplift"] == 0.0
    assert all(math.isfinite(report[key]) for key in ("ci_low", "ci_high", "p_value"))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_roi_and_cost_per_acquisition_by_hand(tmp_path: Path) -> None:
    contacts = _write(
        tmp_path / "contacts.csv",
        [
            "id,grp,resp,cost,revenue",
            "1,treatment,1,2,40",
            "2,treatment,1,2,20",
            "3,treatment,1,2,20",
            "4,treatment,0,2,",
            "5,treatment,0,2,0",
            "6,control,1,0,16",
            "7,control,0,0,0",
            "8,control,0,0,0",
            "9,control,0,0,0",
        ],
    )
    report = evaluate_file(
        contacts,
        group_column="grp",
        response_column="resp",
        cost_column="cost",
        revenue_column="revenue",
    )
    treatment = {"n": 5, "responses": 3, "rate": 0.6, "cost": 10.0, "revenue": 80.0}
    assert report["treatment"] == treatment
    assert report["control"]["revenue"] == 16.0
    # uplift 3/5 - 1/4 = 0.35, × 5 treated = 1.75 responses
    assert report["uplift"] == 0.35
    assert report["incremental_responses"] == pytest.approx(1.75)
    # (80/5 - 16/4) × 5 = 60; (60 - 10) / 10 = 5; 10 / 1.75
    assert report["incremental_revenue"] == pytest.approx(60.0)
    assert report["roi"] == pytest.approx(5.0)
    assert report["cost_per_acquisition"] == pytest.approx(10 / 1.75)


def test_no_cost_per_acquisition_without_incremental_responses(tmp_path: Path) -> None:
    contacts = _write(
        tmp_path / "flat.csv",
        [
            "grp,resp,cost,revenue",
            "treatment,1,5,10",
            "treatment,0,5,0",
            "control,1,0,10",
            "control,0,0,0",
        ],
    )
    report = evaluate_file(
        contacts,
        group_column="grp",
        response_column="resp",
        cost_column="cost",
        revenue_column="revenue",
    )
    assert report["incremental_responses"] == 0.0
    assert report["cost_per_acquisition"] is None
    assert report["roi"] == pytest.approx(-1.0)


def test_grouped_evaluation(tmp_path: Path) -> None:
    lines = ["grp,resp,channel"]
    lines += ["treatment,1,sms"] * 3 + ["treatment,0,sms"] * 7 + ["control,1,sms"] * 1
    lines += ["control,0,sms"] * 9 + ["treatment,1,app"] * 5 + ["treatment,0,app"] * 5
    lines += ["control,1,app"] * 5 + ["control,0,app"] * 5
    report = evaluate_file(
        _write(tmp_path / "by.csv", lines),
        group_column="grp",
        response_column="resp",
        by_column="channel",
    )
    assert [row["value"] for row in report["by"]] == ["app", "sms"]
    assert report["by"][0]["uplift"] == 0.0
    assert report["by"][1]["uplift"] == pytest.approx(0.2)
    assert report["treatment"]["n"] == 20


def test_grouped_evaluation_refuses_a_value_without_controls(tmp_path: Path) -> None:
    lines = ["grp,resp,branch", "treatment,1,north", "control,0,north", "treatment,0,south"]
    with pytest.raises(ValidationFailed, match=r"'south'.*control group has no members"):
        evaluate_file(
            _write(tmp_path / "gap.csv", lines),
            group_column="grp",
            response_column="resp",
            by_column="branch",
        )
