"""The corporate rating scorecard: the shipped file, ratings worked by hand, refused files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from bankcrm.core.enums import CreditGrade
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import REQUIRED_LANGUAGES
from bankcrm.credit.rating import (
    ChoiceFactor,
    RatingAnswer,
    RatingModelInvalid,
    RatioFactor,
    load,
    load_shipped,
    rate,
)

SHIPPED = load_shipped()

FLAWLESS: dict[str, RatingAnswer] = {
    "industry_outlook": "expanding",
    "ownership": "clear_and_stable",
    "corporate_culture": "strong",
    "management": "excellent",
    "leadership": "strong",
    "strategic_plan": "sound",
    "debt_to_assets": 0.30,
    "current_ratio": 2.5,
    "interest_coverage": 10.0,
    "return_on_assets": 0.09,
    "revenue_growth": 0.20,
}

SMALL = """
version = "bank.7"
title = { zh = "小型评分表", en = "Small scorecard" }

[[factors]]
code = "management"
kind = "choice"
weight = 40
name = { zh = "经营管理水平", en = "Management" }

[[factors.options]]
code = "good"
points = 40
text = { zh = "好", en = "Good" }

[[factors.options]]
code = "fair"
points = 25
text = { zh = "一般", en = "Fair" }

[[factors.options]]
code = "poor"
points = 0
text = { zh = "差", en = "Poor" }

[[factors]]
code = "debt_to_assets"
kind = "ratio"
weight = 60
better = "lower"
name = { zh = "资产负债率", en = "Debt to assets" }
bands = [
    { below = 0.5, points = 60 },
    { from = 0.5, below = 0.8, points = 30 },
    { from = 0.8, points = 0 },
]

[[grades]]
grade = "C"
below = 50
name = { zh = "差", en = "Weak" }

[[grades]]
grade = "B"
from = 50
below = 80
name = { zh = "中", en = "Middling" }

[[grades]]
grade = "A"
from = 80
name = { zh = "好", en = "Strong" }
"""


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank_rating.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped scorecard --------------------------------------------------------------


def test_shipped_scorecard_has_the_handbooks_factors_and_weights_adding_up_to_100() -> None:
    weights = {factor.code: factor.weight for factor in SHIPPED.factors}
    assert weights == {
        "industry_outlook": 10,
        "ownership": 6,
        "corporate_culture": 5,
        "management": 10,
        "leadership": 8,
        "strategic_plan": 6,
        "debt_to_assets": 14,
        "current_ratio": 10,
        "interest_coverage": 11,
        "return_on_assets": 10,
        "revenue_growth": 10,
    }
    assert sum(weights.values()) == 100
    assert SHIPPED.version == "2026.1"


def test_every_shipped_text_is_in_chinese_and_english() -> None:
    texts = [SHIPPED.title]
    for factor in SHIPPED.factors:
        texts.append(factor.name)
        if isinstance(factor, ChoiceFactor):
            texts.extend(option.text for option in factor.options)
    texts.extend(band.name for band in SHIPPED.grades)
    for text in texts:
        assert set(REQUIRED_LANGUAGES) <= text.translations.keys()


def test_shipped_grades_run_from_c_to_aaa_in_steps_of_ten_points() -> None:
    assert [band.grade for band in SHIPPED.grades] == list(reversed(CreditGrade))
    assert [band.scores.lower for band in SHIPPED.grades[1:]] == [20, 30, 40, 50, 60, 70, 80, 90]


def test_shipped_ratio_bands_run_the_way_each_ratio_gets_better() -> None:
    ratios = {factor.code: factor for factor in SHIPPED.factors if isinstance(factor, RatioFactor)}
    assert [band.points for band in ratios["debt_to_assets"].bands] == [14, 11, 7, 3, 0]
    assert [band.points for band in ratios["current_ratio"].bands] == [0, 3, 6, 8, 10]


# --- ratings worked by hand -------------------------------------------------------------


def test_a_middling_company_worked_by_hand() -> None:
    answers: dict[str, RatingAnswer] = {
        "industry_outlook": "stable",  # 7 of 10
        "ownership": "clear_and_stable",  # 6 of 6
        "corporate_culture": "adequate",  # 3 of 5
        "management": "good",  # 7 of 10
        "leadership": "adequate",  # 5 of 8
        "strategic_plan": "questionable",  # 3 of 6
        "debt_to_assets": 0.55,  # on the edge: the band 0.55–0.70, 7 of 14
        "current_ratio": 1.2,  # 1.0–1.5: 6 of 10
        "interest_coverage": 3.0,  # 2–4: 6 of 11
        "return_on_assets": 0.04,  # 0.02–0.05: 6 of 10
        "revenue_growth": 0.08,  # 0.05–0.15: 8 of 10
    }
    result = rate(SHIPPED, answers)
    # 7 + 6 + 3 + 7 + 5 + 3 = 31 for the company, 7 + 6 + 6 + 6 + 8 = 33 for the figures.
    assert result.total == 31 + 33 == 64
    assert result.grade is CreditGrade.BBB
    assert result.grade_name.text("en") == "Fair ability to repay"
    assert result.model_version == "2026.1"
    assert [(score.code, score.points) for score in result.factor_scores] == [
        ("industry_outlook", 7),
        ("ownership", 6),
        ("corporate_culture", 3),
        ("management", 7),
        ("leadership", 5),
        ("strategic_plan", 3),
        ("debt_to_assets", 7),
        ("current_ratio", 6),
        ("interest_coverage", 6),
        ("return_on_assets", 6),
        ("revenue_growth", 8),
    ]
    # Points lost: 14 − 7 = 7, 11 − 6 = 5, then 4 twice and 3 four times in the file's order,
    # then 2 twice; ownership lost nothing and is not listed.
    assert [(score.code, score.points_lost) for score in result.costliest_factors] == [
        ("debt_to_assets", 7),
        ("interest_coverage", 5),
        ("current_ratio", 4),
        ("return_on_assets", 4),
        ("industry_outlook", 3),
        ("management", 3),
        ("leadership", 3),
        ("strategic_plan", 3),
        ("corporate_culture", 2),
        ("revenue_growth", 2),
    ]


def test_a_flawless_company_scores_100_and_loses_nothing() -> None:
    result = rate(SHIPPED, FLAWLESS)
    assert (result.total, result.grade, result.costliest_factors) == (100, CreditGrade.AAA, ())


def test_the_weakest_answers_score_0_and_grade_c() -> None:
    weakest: dict[str, RatingAnswer] = {
        "industry_outlook": "restricted",
        "ownership": "unclear",
        "corporate_culture": "weak",
        "management": "poor",
        "leadership": "adverse_record",
        "strategic_plan": "none",
        "debt_to_assets": 0.95,
        "current_ratio": 0.5,
        "interest_coverage": -2.0,
        "return_on_assets": -0.03,
        "revenue_growth": -0.25,
    }
    result = rate(SHIPPED, weakest)
    assert (result.total, result.grade) == (0, CreditGrade.C)
    assert result.costliest_factors[0].code == "debt_to_assets"


WEAK_FIGURES: dict[str, RatingAnswer] = {
    "debt_to_assets": 0.85,  # loses 14
    "current_ratio": 0.79,  # loses 10
    "interest_coverage": 0.9,  # loses 11
}
"""Three figures in their worst bands: 14 + 10 + 11 = 35 points lost."""


@pytest.mark.parametrize(
    ("changed", "total", "grade"),
    [
        ({"industry_outlook": "restricted"}, 100 - 10, CreditGrade.AAA),
        ({"interest_coverage": 0.5}, 100 - 11, CreditGrade.AA),
        (WEAK_FIGURES | {"corporate_culture": "weak"}, 100 - 35 - 5, CreditGrade.BBB),
        (WEAK_FIGURES | {"ownership": "unclear"}, 100 - 35 - 6, CreditGrade.BB),
        (
            WEAK_FIGURES
            | {"return_on_assets": -0.01, "revenue_growth": -0.5, "industry_outlook": "restricted"}
            | {"corporate_culture": "weak"},
            100 - 35 - 10 - 10 - 10 - 5,
            CreditGrade.CCC,
        ),
        (
            WEAK_FIGURES
            | {"return_on_assets": -0.01, "revenue_growth": -0.5, "industry_outlook": "restricted"}
            | {"ownership": "unclear"},
            100 - 35 - 10 - 10 - 10 - 6,
            CreditGrade.CC,
        ),
    ],
)
def test_totals_on_the_grade_edges(
    changed: dict[str, RatingAnswer], total: int, grade: CreditGrade
) -> None:
    result = rate(SHIPPED, FLAWLESS | changed)
    assert (result.total, result.grade) == (total, grade)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (0, CreditGrade.C),
        (19, CreditGrade.C),
        (20, CreditGrade.CC),
        (29, CreditGrade.CC),
        (30, CreditGrade.CCC),
        (40, CreditGrade.B),
        (50, CreditGrade.BB),
        (59, CreditGrade.BB),
        (60, CreditGrade.BBB),
        (69, CreditGrade.BBB),
        (70, CreditGrade.A),
        (80, CreditGrade.AA),
        (89, CreditGrade.AA),
        (90, CreditGrade.AAA),
        (100, CreditGrade.AAA),
    ],
)
def test_grade_band_edges(score: int, grade: CreditGrade) -> None:
    assert SHIPPED.grade_band(score).grade is grade


@pytest.mark.parametrize(
    ("factor", "value", "points"),
    [
        ("debt_to_assets", 0.3999, 14),
        ("debt_to_assets", 0.40, 11),
        ("debt_to_assets", 0.85, 0),
        ("debt_to_assets", -1.0, 14),
        ("current_ratio", 0.9999, 3),
        ("current_ratio", 1.0, 6),
        ("current_ratio", 2.0, 10),
        ("interest_coverage", 8, 11),
        ("interest_coverage", 7.99, 9),
        ("return_on_assets", -0.0001, 0),
        ("return_on_assets", 0.0, 3),
        ("revenue_growth", -0.10, 3),
        ("revenue_growth", -0.1001, 0),
        ("revenue_growth", 1e9, 10),
    ],
)
def test_a_ratio_on_a_boundary_belongs_to_the_band_above(
    factor: str, value: float, points: int
) -> None:
    assert SHIPPED.factor(factor).score(value).points == points


# --- answers that cannot be rated ---------------------------------------------------------


def test_a_missing_answer_names_the_factor() -> None:
    answers = {code: answer for code, answer in FLAWLESS.items() if code != "leadership"}
    with pytest.raises(ValidationFailed, match="factor 'leadership' is not answered") as raised:
        rate(SHIPPED, answers)
    assert raised.value.field == "leadership"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_ratio_that_is_not_finite_is_refused(value: float) -> None:
    with pytest.raises(ValidationFailed, match="'current_ratio' needs a finite number") as raised:
        rate(SHIPPED, FLAWLESS | {"current_ratio": value})
    assert raised.value.field == "current_ratio"


def test_a_ratio_given_as_text_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="'current_ratio' is a ratio: give a number"):
        rate(SHIPPED, FLAWLESS | {"current_ratio": "1.5"})


def test_an_option_of_another_factor_is_refused_listing_the_options() -> None:
    with pytest.raises(
        ValidationFailed, match=r"'good' is not an option of factor 'leadership' \(strong, "
    ) as raised:
        rate(SHIPPED, FLAWLESS | {"leadership": "good"})
    assert raised.value.field == "leadership"


def test_an_answer_to_no_factor_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="has no factor 'brand_value'"):
        rate(SHIPPED, FLAWLESS | {"brand_value": "high"})


# --- a bank's own file ----------------------------------------------------------------------


def test_a_banks_own_scorecard_is_loaded_and_rated(tmp_path: Path) -> None:
    model = load(written(tmp_path, SMALL))
    assert model.version == "bank.7"
    # fair 25 + a ratio of 0.5 on the edge of the middle band, 30: 55, between 50 and 80.
    result = rate(model, {"management": "fair", "debt_to_assets": 0.5})
    assert (result.total, result.grade, result.model_version) == (55, CreditGrade.B, "bank.7")
    assert [score.code for score in result.costliest_factors] == ["debt_to_assets", "management"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace("weight = 40", "weight = 30").replace("points = 40", "points = 30"),
            r"factors: weights add up to 90, not 100",
        ),
        (
            SMALL.replace("{ from = 0.5, below = 0.8", "{ from = 0.55, below = 0.8"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[1\]\.from: starts at 0\.55, "
            r"but factors\[1\] \(debt_to_assets\)\.bands\[0\] ends below 0\.5",
        ),
        (
            SMALL.replace("{ from = 0.8, points = 0 }", "{ from = 0.7, points = 0 }"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[2\]\.from: starts at 0\.7, "
            r"but factors\[1\] \(debt_to_assets\)\.bands\[1\] ends below 0\.8",
        ),
        (
            SMALL.replace(', en = "Debt to assets"', ""),
            r"factors\[1\] \(debt_to_assets\)\.name: the 'en' text is missing",
        ),
        (
            SMALL.replace('text = { zh = "一般", en = "Fair" }', 'text = { zh = "一般" }'),
            r"factors\[0\] \(management\)\.options\[1\] \(fair\)\.text: the 'en' text is missing",
        ),
        (
            SMALL.replace("{ below = 0.5, points = 60 }", "{ from = 0, below = 0.5, points = 60 }"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[0\]\.from: the first band has no lower end",
        ),
        (
            SMALL.replace("{ from = 0.8, points = 0 }", "{ from = 0.8, below = 5, points = 0 }"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[2\]\.below: the last band has no upper end",
        ),
        (
            SMALL.replace(
                "{ from = 0.5, below = 0.8, points = 30 }", "{ from = 0.5, points = 30 }"
            ),
            r"factors\[1\] \(debt_to_assets\)\.bands\[1\]: 'below' is missing",
        ),
        (
            SMALL.replace("{ from = 0.5, below = 0.8", "{ from = 0.5, below = 0.4"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[1\]\.below: 0\.4 is not above 0\.5",
        ),
        (
            SMALL.replace("{ from = 0.8, points = 0 }", "{ from = 0.8, points = 45 }"),
            r"factors\[1\] \(debt_to_assets\)\.bands\[2\]\.points: 45 after 30 "
            r"in the band below, but lower values are better",
        ),
        (
            SMALL.replace("points = 40", "points = 45"),
            r"factors\[0\] \(management\)\.options\[0\] \(good\)\.points: "
            r"45 is more than the factor's weight 40",
        ),
        (
            SMALL.replace("points = 40", "points = 35"),
            r"factors\[0\] \(management\)\.options: the best answer earns 35 points, not the "
            r"weight 40",
        ),
        (
            SMALL.replace("points = 25", "points = 2.5"),
            r"factors\[0\] \(management\)\.options\[1\] \(fair\)\.points: "
            r"must be a whole number, 0 or more",
        ),
        (
            SMALL.replace('kind = "choice"', 'kind = "scale"'),
            r"factors\[0\] \(management\)\.kind: 'scale' is not one of choice, ratio",
        ),
        (
            SMALL.replace('kind = "ratio"\n', ""),
            r"factors\[1\] \(debt_to_assets\): 'kind' is missing",
        ),
        (
            SMALL.replace('better = "lower"', 'better = "lower"\noptions = []'),
            r"factors\[1\] \(debt_to_assets\): unknown key 'options'",
        ),
        (
            SMALL.replace('code = "debt_to_assets"', 'code = "management"'),
            r"factors\[1\] \(management\): factor 'management' is listed twice",
        ),
        (
            SMALL.replace('grade = "B"', 'grade = "AA"'),
            r"grades\[2\] \(A\)\.grade: grades rise with the score, so A cannot follow AA",
        ),
        (
            SMALL.replace("from = 80", "from = 101").replace("below = 80", "below = 101"),
            r"grades\[2\] \(A\): no score from 0 to 100 falls in this band",
        ),
        (SMALL.replace('version = "bank.7"\n', ""), r"the top level: 'version' is missing"),
        ("version = ", r"not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = written(tmp_path, text)
    with pytest.raises(RatingModelInvalid, match=rf"^{re.escape(str(path))}: {message}"):
        load(path)


def test_a_file_that_is_not_there_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RatingModelInvalid, match=r"missing\.toml: cannot be read"):
        load(tmp_path / "missing.toml")
