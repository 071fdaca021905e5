"""The risk tolerance questionnaire (风险承受能力评估问卷) and its scoring into C1–C5.

The questionnaire is data, not code (``data/risk_questionnaire.toml``), so the bank can
reword it or re-weight it under a new version without a release. Each single-choice
answer is worth points; the total falls in one band, which gives the customer's level,
unless an answer caps it lower (a customer who cannot bear any loss of principal is C1).
The horizon and goal answers are kept as values of their own, for the suitability gate.

An assessment is valid for a configured number of months; after that, or without one,
the customer counts as the lowest category. Nothing here reads the clock: callers pass
the dates.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from bankcrm.core.enums import InvestmentGoal, RiskLevel
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import TomlReader

SHIPPED_FILE = "risk_questionnaire.toml"
LEVEL_ORDER = tuple(RiskLevel)
"""Levels from the most cautious (C1) to the most tolerant (C5)."""

_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class QuestionDimension(StrEnum):
    """What a question measures. Suitability rules want knowledge and experience, horizon,
    goal and loss tolerance each answered on its own, not read off a single total."""

    FINANCIAL_SITUATION = "financial_situation"
    KNOWLEDGE_EXPERIENCE = "knowledge_experience"
    HORIZON = "horizon"
    GOAL = "goal"
    LOSS_TOLERANCE = "loss_tolerance"


REQUIRED_DIMENSIONS = (
    QuestionDimension.KNOWLEDGE_EXPERIENCE,
    QuestionDimension.HORIZON,
    QuestionDimension.GOAL,
    QuestionDimension.LOSS_TOLERANCE,
)
"""Dimensions every questionnaire asks about; the financial situation is optional."""


class QuestionnaireInvalid(ValidationFailed):
    """A questionnaire file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Option:
    """One answer to a question, with its points and what else it says about the customer."""

    code: str
    text: LocalizedText
    points: int
    caps_level: RiskLevel | None
    """The highest level a customer giving this answer can have, whatever the total."""
    horizon_months: int | None
    """Set on (and only on) the options of the horizon question."""
    goal: InvestmentGoal | None
    """Set on (and only on) the options of the goal question."""


@dataclass(frozen=True)
class Question:
    code: str
    dimension: QuestionDimension
    text: LocalizedText
    options: tuple[Option, ...]

    def option(self, code: str) -> Option:
        for option in self.options:
            if option.code == code:
                return option
        raise KeyError(code)

    @property
    def min_points(self) -> int:
        return min(option.points for option in self.options)

    @property
    def max_points(self) -> int:
        return max(option.points for option in self.options)


@dataclass(frozen=True)
class Band:
    """The total scores ``min_score``…``max_score`` (both included) give ``level``."""

    level: RiskLevel
    min_score: int
    max_score: int
    name: LocalizedText


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire: its bands cover every total its answers can make."""

    version: str
    title: LocalizedText
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    def dimension_question(self, dimension: QuestionDimension) -> Question:
        """The first question measuring ``dimension``; the only one for horizon and goal."""
        for question in self.questions:
            if question.dimension == dimension:
                return question
        raise KeyError(dimension)

    @property
    def dimensions(self) -> tuple[QuestionDimension, ...]:
        """The dimensions asked about, in the order of their first question."""
        return tuple(dict.fromkeys(question.dimension for question in self.questions))

    @property
    def min_score(self) -> int:
        return sum(question.min_points for question in self.questions)

    @property
    def max_score(self) -> int:
        return sum(question.max_points for question in self.questions)

    def band(self, total_score: int) -> Band:
        for band in self.bands:
            if band.min_score <= total_score <= band.max_score:
                return band
        raise ValueError(f"{total_score} is outside {self.min_score}…{self.max_score}")


@dataclass(frozen=True)
class RiskProfile:
    """The result of one completed questionnaire."""

    questionnaire_version: str
    total_score: int
    level: RiskLevel
    """The customer's level: the band's, lowered by any capping answer."""
    score_level: RiskLevel
    """The level of the band the total falls in."""
    capped_by: tuple[str, ...]
    """Questions whose answer holds the level below ``score_level``."""
    goal: InvestmentGoal
    horizon_months: int
    dimension_scores: dict[QuestionDimension, int]
    answers: dict[str, str]
    """Question code → option code, in the questionnaire's order."""


def parse_questionnaire(text: str, *, origin: str = "questionnaire") -> Questionnaire:
    """Read and validate a questionnaire from TOML text.

    Parameters
    ----------
    text : str
        The TOML document (``data/risk_questionnaire.toml`` shows the format).
    origin : str
        Name of the file, put in front of every error message.

    Raises
    ------
    QuestionnaireInvalid
        On the first problem, naming the entry (``questions[8] (maximum_loss).options[0]
        (no_loss)``, ``bands[2] (C3)``) and the key at fault.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuestionnaireInvalid(f"{origin}: not valid TOML: {error}") from None
    return _Reader(origin).questionnaire(data)


@lru_cache(maxsize=1)
def load_shipped() -> Questionnaire:
    """The questionnaire that ships with bankcrm, from ``offers/data``."""
    resource = resources.files("bankcrm.offers").joinpath(f"data/{SHIPPED_FILE}")
    return parse_questionnaire(resource.read_text(encoding="utf-8"), origin=SHIPPED_FILE)


def score(questionnaire: Questionnaire, answers: Mapping[str, str]) -> RiskProfile:
    """Score a complete set of answers (question code → option code).

    Raises
    ------
    ValidationFailed
        If a question is unanswered, an answer names no option of its question, or an
        answer is given to a question the questionnaire does not have; ``field`` is the
        question's code.
    """
    asked = {question.code for question in questionnaire.questions}
    for code in answers:
        if code not in asked:
            raise ValidationFailed(
                f"questionnaire {questionnaire.version} has no question {code!r}", field=code
            )
    chosen: dict[str, Option] = {}
    for question in questionnaire.questions:
        if question.code not in answers:
            raise ValidationFailed(
                f"question {question.code!r} is not answered", field=question.code
            )
        answer = answers[question.code]
        try:
            chosen[question.code] = question.option(answer)
        except KeyError:
            options = ", ".join(option.code for option in question.options)
            raise ValidationFailed(
                f"{answer!r} is not an answer to question {question.code!r} ({options})",
                field=question.code,
            ) from None

    dimension_scores = dict.fromkeys(questionnaire.dimensions, 0)
    for question in questionnaire.questions:
        dimension_scores[question.dimension] += chosen[question.code].points
    total_score = sum(dimension_scores.values())
    score_level = questionnaire.band(total_score).level
    caps = {
        code: option.caps_level
        for code, option in chosen.items()
        if option.caps_level is not None and _rank(option.caps_level) < _rank(score_level)
    }
    level = min(caps.values(), key=_rank, default=score_level)
    horizon = chosen[questionnaire.dimension_question(QuestionDimension.HORIZON).code]
    goal = chosen[questionnaire.dimension_question(QuestionDimension.GOAL).code]
    # The reader guarantees these on every option of the horizon and goal questions.
    assert horizon.horizon_months is not None and goal.goal is not None
    return RiskProfile(
        questionnaire_version=questionnaire.version,
        total_score=total_score,
        level=level,
        score_level=score_level,
        capped_by=tuple(caps),
        goal=goal.goal,
        horizon_months=horizon.horizon_months,
        dimension_scores=dimension_scores,
        answers={code: option.code for code, option in chosen.items()},
    )


def valid_until(assessed_on: date, validity_months: int) -> date:
    """The last day an assessment made on ``assessed_on`` is valid.

    The same day of the month ``validity_months`` later, or that month's last day when it
    is shorter: 31 January plus one month is the end of February.
    """
    if validity_months < 1:
        raise ValidationFailed(
            f"validity must be at least one month, not {validity_months}", field="validity_months"
        )
    months = assessed_on.year * 12 + assessed_on.month - 1 + validity_months
    year, month = divmod(months, 12)
    month += 1
    day = min(assessed_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def is_valid(valid_until: date, today: date) -> bool:
    """Whether an assessment valid until ``valid_until`` still counts on ``today``."""
    return today <= valid_until


def _rank(level: RiskLevel) -> int:
    return LEVEL_ORDER.index(level)


class _Reader(TomlReader):
    invalid = QuestionnaireInvalid

    def questionnaire(self, data: dict[str, Any]) -> Questionnaire:
        self.keys("the top level", data, {"version", "title", "questions", "bands"})
        version = self.string("version", data["version"])
        title = self.localized("title", data["title"])

        questions: list[Question] = []
        for index, entry in enumerate(self.table_list("questions", data["questions"])):
            where = self.named(f"questions[{index}]", entry.get("code"))
            question = self.question(where, entry)
            if any(earlier.code == question.code for earlier in questions):
                raise self.fail(where, f"question {question.code!r} is asked twice")
            questions.append(question)
        for dimension in REQUIRED_DIMENSIONS:
            if not any(question.dimension == dimension for question in questions):
                raise self.fail("questions", f"no question measures {dimension.value!r}")
        for dimension in (QuestionDimension.HORIZON, QuestionDimension.GOAL):
            codes = [question.code for question in questions if question.dimension == dimension]
            if len(codes) > 1:
                raise self.fail(
                    "questions",
                    f"only one question may measure {dimension.value!r}, "
                    f"not {len(codes)} ({', '.join(codes)})",
                )

        min_score = sum(question.min_points for question in questions)
        max_score = sum(question.max_points for question in questions)
        bands = self.bands(self.table_list("bands", data["bands"]), min_score, max_score)
        return Questionnaire(version=version, title=title, questions=tuple(questions), bands=bands)

    def question(self, where: str, entry: dict[str, Any]) -> Question:
        self.keys(where, entry, {"code", "dimension", "text", "options"})
        code = self.code(f"{where}.code", entry["code"])
        dimension = self.choice(f"{where}.dimension", entry["dimension"], QuestionDimension)
        text = self.localized(f"{where}.text", entry["text"])
        entries = self.table_list(f"{where}.options", entry["options"])
        if len(entries) < 2:
            raise self.fail(f"{where}.options", "a question needs at least two options")
        options: list[Option] = []
        for index, option_entry in enumerate(entries):
            option_where = self.named(f"{where}.options[{index}]", option_entry.get("code"))
            option = self.option(option_where, option_entry, dimension)
            if any(earlier.code == option.code for earlier in options):
                raise self.fail(option_where, f"option {option.code!r} is listed twice")
            options.append(option)
        return Question(code=code, dimension=dimension, text=text, options=tuple(options))

    def option(self, where: str, entry: dict[str, Any], dimension: QuestionDimension) -> Option:
        required = {"code", "text", "points"}
        # Only the horizon and goal questions say more than points, and each of their
        # options must, so the suitability gate always has a horizon and a goal.
        if dimension == QuestionDimension.HORIZON:
            required.add("horizon_months")
        if dimension == QuestionDimension.GOAL:
            required.add("goal")
        self.keys(where, entry, required, optional=frozenset({"caps_level"}))
        points = entry["points"]
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise self.fail(f"{where}.points", "must be a whole number of points, 0 or more")
        horizon_months = None
        if "horizon_months" in entry:
            horizon_months = entry["horizon_months"]
            if (
                isinstance(horizon_months, bool)
                or not isinstance(horizon_months, int)
                or horizon_months < 1
            ):
                raise self.fail(f"{where}.horizon_months", "must be a whole number of months")
        return Option(
            code=self.code(f"{where}.code", entry["code"]),
            text=self.localized(f"{where}.text", entry["text"]),
            points=points,
            caps_level=(
                self.choice(f"{where}.caps_level", entry["caps_level"], RiskLevel)
                if "caps_level" in entry
                else None
            ),
            horizon_months=horizon_months,
            goal=(
                self.choice(f"{where}.goal", entry["goal"], InvestmentGoal)
                if "goal" in entry
                else None
            ),
        )

    def bands(
        self, entries: list[dict[str, Any]], min_score: int, max_score: int
    ) -> tuple[Band, ...]:
        if len(entries) != len(LEVEL_ORDER):
            raise self.fail("bands", f"needs one band per level {LEVEL_ORDER[0]}…{LEVEL_ORDER[-1]}")
        bands: list[Band] = []
        for index, entry in enumerate(entries):
            where = self.named(f"bands[{index}]", entry.get("level"))
            self.keys(where, entry, {"level", "min_score", "max_score", "name"})
            level = self.choice(f"{where}.level", entry["level"], RiskLevel)
            if level != LEVEL_ORDER[index]:
                raise self.fail(
                    f"{where}.level",
                    f"bands run {', '.join(LEVEL_ORDER)} from the lowest scores up, "
                    f"so this one is {LEVEL_ORDER[index]}",
                )
            bounds = []
            for key in ("min_score", "max_score"):
                value = entry[key]
                if isinstance(value, bool) or not isinstance(value, int):
                    raise self.fail(f"{where}.{key}", "must be a whole number")
                bounds.append(value)
            low, high = bounds
            if low > high:
                raise self.fail(where, f"min_score {low} is above max_score {high}")
            # Contiguous bands leave no total without a level and none with two.
            expected_low = bands[-1].max_score + 1 if bands else min_score
            if low != expected_low:
                problem = (
                    f"starts at {low}, but the lowest possible score is {min_score}"
                    if not bands
                    else f"starts at {low}, but {bands[-1].level} ends at {bands[-1].max_score}"
                )
                raise self.fail(f"{where}.min_score", problem)
            name = self.localized(f"{where}.name", entry["name"])
            bands.append(Band(level=level, min_score=low, max_score=high, name=name))
        if bands[-1].max_score != max_score:
            raise self.fail(
                f"bands[{len(bands) - 1}].max_score",
                f"ends at {bands[-1].max_score}, but the highest possible score is {max_score}",
            )
        return tuple(bands)

    @staticmethod
    def named(where: str, code: object) -> str:
        return where + (f" ({code})" if isinstance(code, str) else "")

    def code(self, where: str, value: object) -> str:
        code = self.string(where, value)
        if not _CODE_PATTERN.match(code):
            raise self.fail(where, "must be lower-case letters, digits and _")
        return code
