"""Which answers a survey asks for, and whether a filled-in form gives them all.

Pure. Answers are keyed as the analysis reads them: ``E1…En`` and ``P1…Pn`` for SERVQUAL
items, ``W_<dimension>`` for importance points (:class:`~bankcrm.quality.instrument.Instrument`
names the columns), ``score`` for the one question of a CSAT or NPS survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum

from bankcrm.core.enums import SurveyKind
from bankcrm.quality.instrument import WEIGHT_POINTS, Instrument
from bankcrm.quality.satisfaction import CSAT_SCALE, NPS_SCALE

SCORE = "score"
"""The key of a CSAT or NPS survey's single answer."""
WEIGHTS = "weights"
"""The key a problem with the importance points as a whole is reported under."""
MAX_TEXT = 8
"""Longest answer text looked at: a scale point or a number of points is a few digits."""


class Reason(StrEnum):
    MISSING = "missing"
    INVALID = "invalid"
    """Not a point on the scale (or, for importance points, not a whole number 0–100)."""
    NOT_HUNDRED = "not_hundred"
    """Importance points that do not add up to 100."""


@dataclass(frozen=True)
class AnswerProblem:
    key: str
    reason: Reason


@dataclass(frozen=True)
class Questions:
    """The answers a survey asks for: required ones with their scale, optional weights."""

    required: dict[str, tuple[int, int]]
    weights: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedAnswers:
    answers: dict[str, int]
    """Every answer that can be kept (a draft saves these)."""
    problems: tuple[AnswerProblem, ...]
    """Why the answers cannot be submitted yet, in questionnaire order; empty when they can."""


def survey_questions(kind: SurveyKind, instrument: Instrument | None) -> Questions:
    """What a respondent of a ``kind`` survey answers (``instrument`` for SERVQUAL)."""
    if kind is not SurveyKind.SERVQUAL:
        return Questions(required={SCORE: CSAT_SCALE if kind is SurveyKind.CSAT else NPS_SCALE})
    if instrument is None:
        raise ValueError("a SERVQUAL survey needs its instrument")
    scale = (instrument.scale.minimum, instrument.scale.maximum)
    return Questions(
        required={
            column(item.number): scale
            for item in instrument.items
            for column in (instrument.expectation_column, instrument.perception_column)
        },
        weights=tuple(instrument.weight_column(code) for code in instrument.dimension_codes),
    )


def prediction_questions(instrument: Instrument) -> Questions:
    """What a manager predicts: customers' expectation of every item (gap 1)."""
    scale = (instrument.scale.minimum, instrument.scale.maximum)
    return Questions(
        required={instrument.expectation_column(item.number): scale for item in instrument.items}
    )


def _blank(given: object) -> bool:
    return given is None or not str(given).strip()


def _whole(given: object, low: int, high: float) -> int | None:
    """A whole number from ``low`` to ``high``, given as a number (JSON) or a short text."""
    value = given if isinstance(given, int) and not isinstance(given, bool) else None
    if isinstance(given, str) and len(given.strip()) <= MAX_TEXT:
        with suppress(ValueError):
            value = int(given.strip())
    return value if value is not None and low <= value <= high else None


def check_answers(form: Mapping[str, object], questions: Questions) -> CheckedAnswers:
    """Read the answers out of a form (texts) or a JSON body (numbers).

    A required answer must be a whole point on its scale. Importance points may be left out
    altogether; once any is given, each is a whole number from 0 to 100 (a blank one counts
    as 0) and together they make 100.
    """
    answers: dict[str, int] = {}
    problems: list[AnswerProblem] = []
    for key, (low, high) in questions.required.items():
        value = _whole(form.get(key), low, high)
        if value is not None:
            answers[key] = value
        else:
            reason = Reason.MISSING if _blank(form.get(key)) else Reason.INVALID
            problems.append(AnswerProblem(key, reason))
    stated = [key for key in questions.weights if not _blank(form.get(key))]
    if stated:
        points = {
            key: _whole(form[key], 0, WEIGHT_POINTS) if key in stated else 0
            for key in questions.weights
        }
        valid = {key: number for key, number in points.items() if number is not None}
        problems += [AnswerProblem(key, Reason.INVALID) for key in points if key not in valid]
        answers.update({key: valid[key] for key in stated if key in valid})
        if len(valid) == len(points) and sum(valid.values()) != WEIGHT_POINTS:
            problems.append(AnswerProblem(WEIGHTS, Reason.NOT_HUNDRED))
        elif len(valid) == len(points):
            answers.update(valid)
    return CheckedAnswers(answers=answers, problems=tuple(problems))


def describe(problems: tuple[AnswerProblem, ...]) -> str:
    """One line naming the answers at fault, for an API answer or a log."""
    return "; ".join(f"{problem.key}: {problem.reason.value}" for problem in problems)
