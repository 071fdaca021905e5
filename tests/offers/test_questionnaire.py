"""The risk questionnaire: the shipped file, scoring into C1–C5, bad files, validity dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bankcrm.core.enums import InvestmentGoal, RiskLevel
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import REQUIRED_LANGUAGES
from bankcrm.offers.questionnaire import (
    LEVEL_ORDER,
    Band,
    QuestionDimension,
    Questionnaire,
    QuestionnaireInvalid,
    is_valid,
    load_shipped,
    parse_questionnaire,
    score,
    valid_until,
)

SHIPPED = load_shipped()

SMALL = """
version = "test.1"
title = { zh = "测试问卷", en = "Test questionnaire" }

[[questions]]
code = "experience"
dimension = "knowledge_experience"
text = { zh = "投资经验", en = "Experience" }
options = [
    { code = "none", points = 0, text = { zh = "无", en = "None" } },
    { code = "some", points = 2, text = { zh = "有", en = "Some" } },
]

[[questions]]
code = "horizon"
dimension = "horizon"
text = { zh = "投资期限", en = "Horizon" }
options = [
    { code = "short", points = 0, horizon_months = 12, text = { zh = "短", en = "Short" } },
    { code = "long", points = 2, horizon_months = 60, text = { zh = "长", en = "Long" } },
]

[[questions]]
code = "goal"
dimension = "goal"
text = { zh = "投资目的", en = "Goal" }
options = [
    { code = "keep", points = 0, goal = "preservation", text = { zh = "保本", en = "Keep" } },
    { code = "grow", points = 2, goal = "growth", text = { zh = "增长", en = "Grow" } },
]

[[questions]]
code = "loss"
dimension = "loss_tolerance"
text = { zh = "可承受损失", en = "Loss" }
options = [
    { code = "none", points = 0, caps_level = "C1", text = { zh = "不能亏损", en = "None" } },
    { code = "some", points = 4, text = { zh = "可以亏损", en = "Some" } },
]

[[bands]]
level = "C1"
min_score = 0
max_score = 1
name = { zh = "保守型", en = "Conservative" }

[[bands]]
level = "C2"
min_score = 2
max_score = 3
name = { zh = "稳健型", en = "Moderately conservative" }

[[bands]]
level = "C3"
min_score = 4
max_score = 5
name = { zh = "平衡型", en = "Balanced" }

[[bands]]
level = "C4"
min_score = 6
max_score = 7
name = { zh = "成长型", en = "Growth" }

[[bands]]
level = "C5"
min_score = 8
max_score = 10
name = { zh = "激进型", en = "Aggressive" }
"""

SECOND_GOAL_QUESTION = """
[[questions]]
code = "goal_again"
dimension = "goal"
text = { zh = "投资目的", en = "Goal" }
options = [
    { code = "keep", points = 0, goal = "preservation", text = { zh = "保本", en = "Keep" } },
    { code = "grow", points = 2, goal = "growth", text = { zh = "增长", en = "Grow" } },
]
"""


def rank(level: RiskLevel) -> int:
    return LEVEL_ORDER.index(level)


def uncapped_answers_by_total(questionnaire: Questionnaire) -> dict[int, dict[str, str]]:
    """One answer set for every total reachable without a capping answer."""
    reachable: dict[int, dict[str, str]] = {0: {}}
    for question in questionnaire.questions:
        extended: dict[int, dict[str, str]] = {}
        for total, answers in reachable.items():
            for option in question.options:
                if option.caps_level is None:
                    extended.setdefault(
                        total + option.points, {**answers, question.code: option.code}
                    )
        reachable = extended
    return reachable


def highest_answers(questionnaire: Questionnaire) -> dict[str, str]:
    return {
        question.code: max(question.options, key=lambda option: option.points).code
        for question in questionnaire.questions
    }


answer_sets = st.fixed_dictionaries(
    {
        question.code: st.sampled_from([option.code for option in question.options])
        for question in SHIPPED.questions
    }
)


# --- the shipped questionnaire ---------------------------------------------------------


def test_shipped_questionnaire_loads_with_every_dimension_and_both_languages() -> None:
    assert SHIPPED.version == "2026.1"
    assert len(SHIPPED.questions) == 10
    assert set(SHIPPED.dimensions) == set(QuestionDimension)
    assert (SHIPPED.min_score, SHIPPED.max_score) == (0, 100)
    assert [band.level for band in SHIPPED.bands] == list(RiskLevel)
    texts = [SHIPPED.title, *(band.name for band in SHIPPED.bands)]
    for question in SHIPPED.questions:
        texts += [question.text, *(option.text for option in question.options)]
    for text in texts:
        assert set(REQUIRED_LANGUAGES) <= text.translations.keys()
    assert SHIPPED.bands[0].name.text("zh-CN") == "保守型"


def test_shipped_horizon_and_goal_answers_earn_more_points_as_they_take_more_risk() -> None:
    horizon = SHIPPED.dimension_question(QuestionDimension.HORIZON)
    by_points = sorted(horizon.options, key=lambda option: option.points)
    assert [option.horizon_months for option in by_points] == [12, 36, 60, 120]
    goal = SHIPPED.dimension_question(QuestionDimension.GOAL)
    by_points = sorted(goal.options, key=lambda option: option.points)
    assert [option.goal for option in by_points] == list(InvestmentGoal)


@pytest.mark.parametrize("band", SHIPPED.bands, ids=lambda band: band.level)
def test_every_band_is_reachable(band: Band) -> None:
    answers_by_total = uncapped_answers_by_total(SHIPPED)
    total = next(t for t in range(band.min_score, band.max_score + 1) if t in answers_by_total)
    profile = score(SHIPPED, answers_by_total[total])
    assert profile.total_score == total
    assert profile.level == profile.score_level == band.level
    assert profile.capped_by == ()


def test_cannot_bear_any_loss_caps_the_level_at_c1() -> None:
    answers = {**highest_answers(SHIPPED), "maximum_loss": "no_loss"}
    profile = score(SHIPPED, answers)
    assert profile.total_score == 84
    assert profile.score_level == RiskLevel.C5
    assert profile.level == RiskLevel.C1
    assert profile.capped_by == ("maximum_loss",)


def test_a_profile_keeps_version_goal_horizon_subtotals_and_answers() -> None:
    answers = highest_answers(SHIPPED)
    profile = score(SHIPPED, answers)
    assert profile.questionnaire_version == "2026.1"
    assert (profile.total_score, profile.level) == (100, RiskLevel.C5)
    assert profile.goal == InvestmentGoal.GROWTH
    assert profile.horizon_months == 120
    assert profile.dimension_scores == {
        QuestionDimension.FINANCIAL_SITUATION: 26,
        QuestionDimension.KNOWLEDGE_EXPERIENCE: 28,
        QuestionDimension.HORIZON: 10,
        QuestionDimension.GOAL: 10,
        QuestionDimension.LOSS_TOLERANCE: 26,
    }
    assert profile.answers == answers


@given(answer_sets)
def test_any_complete_answer_set_scores_within_the_bands(answers: dict[str, str]) -> None:
    profile = score(SHIPPED, answers)
    assert SHIPPED.min_score <= profile.total_score <= SHIPPED.max_score
    band = SHIPPED.band(profile.total_score)
    assert band.min_score <= profile.total_score <= band.max_score
    assert profile.score_level == band.level
    assert rank(profile.level) <= rank(profile.score_level)
    assert sum(profile.dimension_scores.values()) == profile.total_score


@given(answer_sets, st.data())
def test_a_riskier_answer_never_lowers_the_level(
    answers: dict[str, str], data: st.DataObject
) -> None:
    question = data.draw(st.sampled_from(SHIPPED.questions))
    cautious, riskier = sorted(
        data.draw(st.lists(st.sampled_from(question.options), min_size=2, max_size=2)),
        key=lambda option: option.points,
    )
    assume(riskier.caps_level is None)
    before = score(SHIPPED, {**answers, question.code: cautious.code})
    after = score(SHIPPED, {**answers, question.code: riskier.code})
    assert rank(after.level) >= rank(before.level)


# --- answers that cannot be scored -----------------------------------------------------


def test_a_missing_answer_names_the_question() -> None:
    answers = highest_answers(SHIPPED)
    del answers["investment_goal"]
    with pytest.raises(ValidationFailed, match="not answered") as raised:
        score(SHIPPED, answers)
    assert raised.value.field == "investment_goal"


def test_an_unknown_option_names_the_question() -> None:
    answers = {**highest_answers(SHIPPED), "investment_horizon": "forever"}
    with pytest.raises(ValidationFailed, match="'forever' is not an answer") as raised:
        score(SHIPPED, answers)
    assert raised.value.field == "investment_horizon"


def test_an_answer_to_no_question_is_refused() -> None:
    answers = {**highest_answers(SHIPPED), "favourite_colour": "red"}
    with pytest.raises(ValidationFailed, match="no question 'favourite_colour'") as raised:
        score(SHIPPED, answers)
    assert raised.value.field == "favourite_colour"


# --- files that cannot be used ---------------------------------------------------------


def test_the_small_questionnaire_is_valid() -> None:
    questionnaire = parse_questionnaire(SMALL)
    assert (questionnaire.min_score, questionnaire.max_score) == (0, 10)
    profile = score(
        questionnaire, {"experience": "none", "horizon": "long", "goal": "keep", "loss": "none"}
    )
    assert (profile.score_level, profile.level, profile.horizon_months) == (
        RiskLevel.C2,
        RiskLevel.C1,
        60,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace(', en = "Experience"', ""),
            r"questions\[0\] \(experience\)\.text: the 'en' text is missing",
        ),
        (
            SMALL.replace('{ zh = "有", en = "Some" }', '{ zh = "有", en = " " }'),
            r"questions\[0\] \(experience\)\.options\[1\] \(some\)\.text\.en: must be a non-empty",
        ),
        (
            SMALL.replace("min_score = 2", "min_score = 1"),
            r"bands\[1\] \(C2\)\.min_score: starts at 1, but C1 ends at 1",
        ),
        (
            SMALL.replace("min_score = 4", "min_score = 5"),
            r"bands\[2\] \(C3\)\.min_score: starts at 5, but C2 ends at 3",
        ),
        (
            SMALL.replace("max_score = 10", "max_score = 12"),
            r"bands\[4\]\.max_score: ends at 12, but the highest possible score is 10",
        ),
        (
            SMALL.replace("min_score = 0", "min_score = 1"),
            r"bands\[0\] \(C1\)\.min_score: starts at 1, but the lowest possible score is 0",
        ),
        (
            SMALL.replace('level = "C4"', 'level = "C5"'),
            r"bands\[3\] \(C5\)\.level: .* so this one is C4",
        ),
        (
            SMALL.replace(
                'dimension = "knowledge_experience"',
                'dimension = "knowledge_experience"\nweight = 2',
            ),
            r"questions\[0\] \(experience\): unknown key 'weight'",
        ),
        (
            SMALL.replace(
                '{ code = "keep", points = 0,', '{ code = "keep", points = 0, horizon_months = 12,'
            ),
            r"questions\[2\] \(goal\)\.options\[0\] \(keep\): unknown key 'horizon_months'",
        ),
        (
            SMALL.replace("horizon_months = 60, ", ""),
            r"questions\[1\] \(horizon\)\.options\[1\] \(long\): 'horizon_months' is missing",
        ),
        (
            SMALL.replace('goal = "growth"', 'goal = "riches"'),
            r"questions\[2\] \(goal\)\.options\[1\] \(grow\)\.goal: 'riches' is not one of",
        ),
        (
            SMALL.replace('caps_level = "C1"', 'caps_level = "C0"'),
            r"questions\[3\] \(loss\)\.options\[0\] \(none\)\.caps_level: 'C0' is not one of",
        ),
        (
            SMALL.replace("points = 4", "points = -4"),
            r"questions\[3\] \(loss\)\.options\[1\] \(some\)\.points: must be a whole number",
        ),
        (
            SMALL.replace('code = "some", points = 4', 'code = "none", points = 4'),
            r"questions\[3\] \(loss\)\.options\[1\] \(none\): option 'none' is listed twice",
        ),
        (
            SMALL + SECOND_GOAL_QUESTION,
            r"questions: only one question may measure 'goal', not 2 \(goal, goal_again\)",
        ),
        (
            SMALL.replace('dimension = "loss_tolerance"', 'dimension = "financial_situation"'),
            r"questions: no question measures 'loss_tolerance'",
        ),
        (SMALL.replace('version = "test.1"\n', ""), r"the top level: 'version' is missing"),
        (SMALL.replace("[[bands]]", "[[band]]", 1), r"the top level: unknown key 'band'"),
        ("version = ", r"not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(QuestionnaireInvalid, match=rf"^small\.toml: {message}"):
        parse_questionnaire(text, origin="small.toml")


# --- how long an assessment counts -----------------------------------------------------


@pytest.mark.parametrize(
    ("assessed_on", "months", "expected"),
    [
        (date(2026, 3, 10), 12, date(2027, 3, 10)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_valid_until_adds_calendar_months(assessed_on: date, months: int, expected: date) -> None:
    assert valid_until(assessed_on, months) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 120))
def test_valid_until_lands_that_many_months_on(assessed_on: date, months: int) -> None:
    until = valid_until(assessed_on, months)
    month_count = (until.year - assessed_on.year) * 12 + until.month - assessed_on.month
    assert month_count == months
    assert until.day <= assessed_on.day
    assert until > assessed_on


def test_validity_needs_at_least_one_month() -> None:
    with pytest.raises(ValidationFailed) as raised:
        valid_until(date(2026, 1, 1), 0)
    assert raised.value.field == "validity_months"


def test_an_assessment_counts_up_to_and_including_its_last_day() -> None:
    until = valid_until(date(2026, 1, 31), 12)
    assert is_valid(until, date(2027, 1, 30))
    assert is_valid(until, date(2027, 1, 31))
    assert not is_valid(until, date(2027, 2, 1))
