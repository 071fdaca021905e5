"""Which answers a survey asks for, and whether a filled-in form gives them all.

Pure. Answers are keyed as the analysis reads them: ``E1…En`` and ``P1…Pn`` for SERVQUAL
items, ``W_<dimension>`` for importance points (:class:`~bankcrm.quality.instrument.Instrument`
names the columns), ``score`` for the one question of a CSAT or NPS survey.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    if kind is SurveyKind.CSAT:
        return Questions(required={SCORE: CSAT_SCALE})
    if kind is SurveyKind.NPS:
        return Questions(required={SCORE: NPS_SCALE})
    if instrument is None:
        raise ValueError("a SERVQUAL survey needs its instrument")
    scale = (instrument.scale.minimum, instrument.scale.maximum)
    required: dict[str, tuple[int, int]] = {}
    for item in instrument.items:
        required[instrument.expectation_column(item.number)] = scale
        required[instrument.perception_column(item.number)] = scale
    return Questions(
        required=required,
        weights=tuple(instrument.weight_column(code) for code in instrument.dimension_codes),
    )


def prediction_questions(instrument: Instrument) -> Questions:
    """What a manager predicts: customers' expectation of every item (gap 1)."""
    scale = (instrument.scale.minimum, instrument.scale.maximum)
    return Questions(
        required={instrument.expectation_column(item.number): scale for item in instrument.items}
    )


def _whole(text: object) -> int | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_TEXT:
        return None
    try:
        return int(stripped)
    except ValueError:
        return None


def check_answers(form: Mapping[str, object], questions: Questions) -> CheckedAnswers:
    """Read the answers out of a form (texts) or a JSON body (numbers).

    A required answer must be a whole point on its scale. Importance points may be left out
    altogether; once any is given, each is a whole number from 0 to 100 (a blank one counts
    as 0) and together they make 100.
    """
    answers: dict[str, int] = {}
    problems: list[AnswerProblem] = []
    for key, (low, high) in questions.required.items():
        given = form.get(key)
        value = _whole(given)
        if value is not None and low <= value <= high:
            answers[key] = value
        elif given is None or (isinstance(given, str) and not given.strip()):
            problems.append(AnswerProblem(key, Reason.MISSING))
        else:
            problems.append(AnswerProblem(key, Reason.INVALID))
    stated = {
        key: form[key]
        for key in questions.weights
        if form.get(key) is not None and str(form[key]).strip()
    }
    if stated:
        points: dict[str, int] = {}
        for key in questions.weights:
            if key not in stated:
                points[key] = 0
                continue
            value = _whole(stated[key])
            if value is None or not 0 <= value <= WEIGHT_POINTS:
                problems.append(AnswerProblem(key, Reason.INVALID))
            else:
                points[key] = value
                answers[key] = value
        if len(points) == len(questions.weights) and sum(points.values()) != WEIGHT_POINTS:
            problems.append(AnswerProblem(WEIGHTS, Reason.NOT_HUNDRED))
        elif len(points) == len(questions.weights):
            answers.update(points)
    return CheckedAnswers(answers=answers, problems=tuple(problems))


def describe(problems: tuple[AnswerProblem, ...]) -> str:
    """One line naming the answers at fault, for an API answer or a log."""
    return "; ".join(f"{problem.key}: {problem.reason.value}" for problem in problems)
