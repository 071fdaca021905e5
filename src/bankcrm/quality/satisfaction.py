"""Short satisfaction measures: CSAT, NPS and first-time satisfaction, with monthly trends.

Pure: plain answers in, figures out.

- **CSAT** (customer satisfaction score): the share of answers of 4 or 5 on the 1–5 scale,
  with the mean score beside it.
- **NPS** (net promoter score): the share of promoters (9–10 on the 0–10 scale) minus the
  share of detractors (0–6), in points from −100 to 100. Each answer counts +1, 0 or −1, so
  its variance is p₊ + p₋ − (p₊ − p₋)² and the interval is the normal one on that mean.
- **First-time satisfaction** (首次满意): CSAT over each customer's first answer only — the
  impression a new relationship starts from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from scipy import stats

CSAT_SCALE = (1, 5)
NPS_SCALE = (0, 10)
SATISFIED_FROM = 4
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


@dataclass(frozen=True)
class Answer:
    customer_id: int | None
    answered_on: date
    score: int


@dataclass(frozen=True)
class Csat:
    answers: int
    satisfied: int
    share: float | None
    """Satisfied answers ÷ answers; ``None`` without answers."""
    mean: float | None


@dataclass(frozen=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    """Promoters' share minus detractors' share, × 100."""
    low: float | None
    high: float | None
    """The confidence interval of ``score``; ``None`` with fewer than two answers."""


@dataclass(frozen=True)
class MonthlyTrend:
    months: tuple[str, ...]
    """``YYYY-MM`` of every month with answers, in order."""
    values: tuple[float | None, ...]
    answers: tuple[int, ...]


def _checked(scores: Iterable[int], scale: tuple[int, int], name: str) -> list[int]:
    low, high = scale
    checked = list(scores)
    for score in checked:
        if not low <= score <= high:
            raise ValueError(f"{name} answers lie between {low} and {high}, not {score}")
    return checked


def csat(scores: Iterable[int]) -> Csat:
    answers = _checked(scores, CSAT_SCALE, "CSAT")
    satisfied = sum(score >= SATISFIED_FROM for score in answers)
    count = len(answers)
    return Csat(
        answers=count,
        satisfied=satisfied,
        share=satisfied / count if count else None,
        mean=sum(answers) / count if count else None,
    )


def nps(scores: Iterable[int], *, confidence: float = 0.95) -> Nps:
    answers = _checked(scores, NPS_SCALE, "NPS")
    count = len(answers)
    promoters = sum(score >= PROMOTER_FROM for score in answers)
    detractors = sum(score <= DETRACTOR_UP_TO for score in answers)
    if not count:
        return Nps(0, 0, 0, 0, None, None, None)
    up, down = promoters / count, detractors / count
    score = up - down
    low = high = None
    if count > 1:
        spread = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt((up + down - score**2) / count)
        low, high = 100 * (score - spread), 100 * (score + spread)
    return Nps(
        answers=count,
        promoters=promoters,
        passives=count - promoters - detractors,
        detractors=detractors,
        score=100 * score,
        low=low,
        high=high,
    )


def first_time_csat(answers: Sequence[Answer]) -> Csat:
    """CSAT over each customer's earliest answer (anonymous answers are left out)."""
    first: dict[int, Answer] = {}
    for answer in sorted(answers, key=lambda item: item.answered_on):
        if answer.customer_id is not None:
            first.setdefault(answer.customer_id, answer)
    return csat(answer.score for answer in first.values())


def monthly_csat(answers: Sequence[Answer]) -> MonthlyTrend:
    """The satisfied share of every month with answers."""
    return _trend({month: csat(scores) for month, scores in _by_month(answers).items()}, "share")


def monthly_nps(answers: Sequence[Answer]) -> MonthlyTrend:
    """The NPS of every month with answers."""
    return _trend({month: nps(scores) for month, scores in _by_month(answers).items()}, "score")


def _by_month(answers: Sequence[Answer]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        grouped[f"{answer.answered_on:%Y-%m}"].append(answer.score)
    return dict(sorted(grouped.items()))


def _trend(figures: Mapping[str, Csat | Nps], value: str) -> MonthlyTrend:
    return MonthlyTrend(
        months=tuple(figures),
        values=tuple(getattr(figure, value) for figure in figures.values()),
        answers=tuple(figure.answers for figure in figures.values()),
    )
