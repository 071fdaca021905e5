"""The survey-wave report: a wave's answers read from the store and analysed.

Every statistic comes from :mod:`bankcrm.quality.servqual` (SERVQUAL waves) or
:mod:`bankcrm.quality.satisfaction` (CSAT and NPS waves); this module only gathers the
answers, splits them into branches, segments and months, and turns the fitted analyses into
plain figures (``None`` where a figure is undefined) that the page, the workbook, the PDF
and the JSON answer share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from itertools import count
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from bankcrm.branches import service as branches_service
from bankcrm.core.config import get_settings
from bankcrm.core.enums import SurveyKind
from bankcrm.core.exceptions import NotFound
from bankcrm.quality import satisfaction
from bankcrm.quality.instrument import Instrument
from bankcrm.quality.models import SurveyWave
from bankcrm.quality.reporting.repository import AnswerRow, WaveReportRepository
from bankcrm.quality.servqual import (
    DEFAULT_CONFIDENCE,
    ServqualAnalysis,
    ServqualResponses,
    compare_waves,
    finite_or_none,
    fit_by_group,
    mean_confidence_interval,
    stored_responses,
    summarize,
    summarize_welch,
    welch_test,
)
from bankcrm.quality.surveys import service as surveys_service
from bankcrm.quality.surveys.sampling import response_rates
from bankcrm.staff.models import StaffUser

OVERALL = "servqual"
"""The key of the whole-score row in the comparison with the previous wave."""
NO_GROUP = ""
"""The group key of respondents without a branch, or without a segment."""


@dataclass(frozen=True)
class WaveSummary:
    id: int
    code: str
    title: str
    kind: str
    status: str
    instrument: str | None
    instrument_title: str | None
    opens_on: date
    closes_on: date


@dataclass(frozen=True)
class Participation:
    answers: int
    """Responses recorded for the wave."""
    respondents: int
    """Responses with every expectation and perception answered (SERVQUAL), or with a
    score (CSAT, NPS)."""
    invitations: int | None
    """Invitations issued; ``None`` when the wave issued none (answers came another way)."""
    completed: int | None
    response_rate: float | None
    """Completed ÷ issued invitations."""


@dataclass(frozen=True)
class DimensionRow:
    code: str
    name: str
    items: tuple[int, ...]
    respondents: int
    expectation: float | None
    perception: float | None
    gap: float | None
    gap_low: float | None
    gap_high: float | None
    alpha_expectation: float | None
    alpha_perception: float | None
    importance: float | None
    quadrant: str | None
    """Importance–performance quadrant (``servqual.Quadrant`` value)."""


@dataclass(frozen=True)
class ItemRow:
    number: int
    dimension: str
    dimension_name: str
    statement: str
    """The perception statement, in the report's language."""
    respondents: int
    expectation: float | None
    expectation_low: float | None
    expectation_high: float | None
    perception: float | None
    perception_low: float | None
    perception_high: float | None
    gap: float | None
    gap_low: float | None
    gap_high: float | None


@dataclass(frozen=True)
class GridPoint:
    code: str
    name: str
    importance: float | None
    performance: float | None
    quadrant: str | None


@dataclass(frozen=True)
class Grid:
    importance_cut: float | None
    performance_cut: float | None
    points: tuple[GridPoint, ...]


@dataclass(frozen=True)
class GroupRow:
    """A branch, a segment or a month of answers."""

    key: str
    """Branch id, quadrant or value tier, ``YYYY-MM``; ``""`` for no branch / no segment."""
    label: str
    """The branch's name; the key itself for segments and months (labelled where shown)."""
    respondents: int
    servqual: float | None
    low: float | None
    high: float | None
    """Unweighted SERVQUAL score; the interval is the respondents' average gap's (the score
    when all answered)."""
    gaps: dict[str, float | None]
    weakest: str | None
    """The dimension with the most negative gap."""
    weakest_name: str | None
    weakest_gap: float | None
    too_few: bool
    """Fewer complete respondents than the report's minimum."""
    rank: int | None
    """League position among the groups with enough respondents (branches only)."""


@dataclass(frozen=True)
class ChangeRow:
    code: str
    """A dimension code, or :data:`OVERALL` for the SERVQUAL score."""
    name: str
    respondents_earlier: int
    respondents_later: int
    gap_earlier: float | None
    gap_later: float | None
    difference: float | None
    """Later gap minus earlier: positive means the gap narrowed."""
    low: float | None
    high: float | None
    t: float | None
    df: float | None
    p_value: float | None
    significant: bool | None
    """``p < 1 − confidence``; ``None`` when the test is undefined."""


@dataclass(frozen=True)
class Change:
    previous_id: int
    previous_code: str
    previous_title: str
    previous_opens_on: date
    rows: tuple[ChangeRow, ...]


@dataclass(frozen=True)
class TrendPoint:
    wave_id: int
    code: str
    title: str
    opens_on: date
    respondents: int
    servqual: float | None
    low: float | None
    high: float | None
    weighted: float | None
    current: bool


@dataclass(frozen=True)
class ServqualFigures:
    confidence: float
    scale_min: int
    scale_max: int
    servqual_unweighted: float | None
    servqual_low: float | None
    servqual_high: float | None
    servqual_weighted: float | None
    weights_source: str
    """``instrument`` (the instrument's default weights) or ``respondents`` (stated points)."""
    weighted_respondents: int
    dimensions: tuple[DimensionRow, ...]
    items: tuple[ItemRow, ...]
    grid: Grid
    branches: tuple[GroupRow, ...]
    """League order: ranked branches best first, then those with too few respondents."""
    segment_run: date | None
    """The segmentation run the segments come from (latest on or before the wave closed)."""
    quadrants: tuple[GroupRow, ...]
    value_tiers: tuple[GroupRow, ...]
    months: tuple[GroupRow, ...]
    change: Change | None
    """Against the previous wave of the same kind and instrument."""
    trend: tuple[TrendPoint, ...]
    """Every wave of the instrument, in the order they opened."""


@dataclass(frozen=True)
class SatisfactionFigures:
    measure: str
    """``csat`` (satisfied share, %) or ``nps`` (points)."""
    answers: int
    score: float | None
    low: float | None
    high: float | None
    mean: float | None
    """Mean CSAT score on the 1–5 scale; ``None`` for NPS."""
    months: tuple[str, ...]
    values: tuple[float | None, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class WaveReport:
    wave: WaveSummary
    locale: str
    participation: Participation
    min_branch_respondents: int
    servqual: ServqualFigures | None
    """``None`` for a CSAT or NPS wave and for a SERVQUAL wave nobody has answered."""
    satisfaction: SatisfactionFigures | None
    """``None`` for a SERVQUAL wave and for a short survey nobody has answered."""

    @property
    def has_answers(self) -> bool:
        return self.servqual is not None or self.satisfaction is not None


def build_wave_report(
    session: Session,
    *,
    user: StaffUser,
    wave_id: int,
    locale: str = "zh_CN",
    min_branch_respondents: int | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> WaveReport:
    """The report of one survey wave.

    Parameters
    ----------
    user
        The reader: the figures are of the answers and invitations they may see.
    locale
        Language of dimension names and item statements (``zh…`` or ``en``).
    min_branch_respondents
        Branches with fewer complete respondents are shown but marked as too few.
    confidence
        Coverage of every confidence interval and the level of the tests.

    Raises
    ------
    NotFound
        No such wave.
    """
    if min_branch_respondents is None:
        min_branch_respondents = get_settings().quality.min_branch_respondents
    repository = WaveReportRepository(session, user)
    wave = session.get(SurveyWave, wave_id)
    if wave is None:
        raise NotFound(f"survey wave {wave_id} not found")
    rows = repository.answers(wave.code)
    invited = response_rates(repository.counts_by_branch(wave.id)).overall
    instrument = surveys_service.wave_instrument(wave)
    servqual: ServqualFigures | None = None
    figures: SatisfactionFigures | None = None
    if instrument is not None:
        responses, complete = stored_responses([row.answers for row in rows], instrument)
        respondents = int(complete.sum())
        if responses is not None:
            servqual = _ServqualWave(
                repository, wave, rows, instrument, locale, confidence
            ).figures(responses, min_branch_respondents)
    else:
        scored = _scored(rows, wave.kind)
        respondents = len(scored)
        if scored:
            figures = _satisfaction_figures(wave.kind, scored, confidence)
    return WaveReport(
        wave=WaveSummary(
            id=wave.id,
            code=wave.code,
            title=wave.title,
            kind=wave.kind.value,
            status=wave.status.value,
            instrument=wave.instrument,
            instrument_title=instrument.title.text(locale) if instrument else None,
            opens_on=wave.opens_on,
            closes_on=wave.closes_on,
        ),
        locale=locale,
        participation=Participation(
            answers=len(rows),
            respondents=respondents,
            invitations=invited.counts.issued or None,
            completed=invited.counts.completed if invited.counts.issued else None,
            response_rate=invited.rate,
        ),
        min_branch_respondents=min_branch_respondents,
        servqual=servqual,
        satisfaction=figures,
    )


def _respondent_overall(analysis: ServqualAnalysis) -> npt.NDArray[np.float64]:
    """The respondents' average gap over the dimensions, of those with a gap in every one."""
    gaps = analysis.respondent_gaps_
    return np.asarray(gaps[~np.isnan(gaps).any(axis=1)].mean(axis=1), dtype=np.float64)


# --- SERVQUAL ---------------------------------------------------------------------------

FIELD_NAMES = {
    "gap_ci_low": "gap_low",
    "gap_ci_high": "gap_high",
    "difference_ci_low": "low",
    "difference_ci_high": "high",
}
"""The report's name of a figure that :func:`servqual.summarize` names otherwise."""


def _fields(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {
        FIELD_NAMES.get(key, key): value
        for key, value in summary.items()
        if key not in ("name_zh", "name_en")
    }


def _score(analysis: ServqualAnalysis) -> dict[str, Any]:
    """The unweighted score, and the interval of the respondents' average gap (equal to the
    score when everyone answered every item); the respondents behind it are the complete
    ones, as every item belongs to a dimension."""
    overall = mean_confidence_interval(_respondent_overall(analysis), analysis.confidence)
    return {
        "respondents": overall.n,
        "servqual": finite_or_none(analysis.servqual_unweighted_),
        "low": finite_or_none(overall.low),
        "high": finite_or_none(overall.high),
    }


@dataclass
class _ServqualWave:
    """A SERVQUAL wave's answers, and how its figures are worked out and worded."""

    repository: WaveReportRepository
    wave: SurveyWave
    rows: Sequence[AnswerRow]
    instrument: Instrument
    locale: str
    confidence: float

    @cached_property
    def names(self) -> dict[str, str]:
        return {item.code: item.name.text(self.locale) for item in self.instrument.dimensions}

    def figures(self, responses: ServqualResponses, min_branch_respondents: int) -> ServqualFigures:
        repository, wave, rows, names = self.repository, self.wave, self.rows, self.names
        analysis = ServqualAnalysis(self.instrument, confidence=self.confidence).fit(responses)
        summary = summarize(analysis)
        dimensions = tuple(
            DimensionRow(
                code=dimension.code,
                name=names[dimension.code],
                **_fields(summary["dimensions"][dimension.code]) | {"items": dimension.items},
            )
            for dimension in self.instrument.dimensions
        )
        branch_names = {b.id: b.name for b in branches_service.list_branches(repository.session)}
        branch_key = [str(row.branch_id) if row.branch_id is not None else NO_GROUP for row in rows]
        segment_run, segments = repository.segments_as_of(wave.closes_on, wave_code=wave.code)

        # None for an answer without a customer or one the segmentation run did not place
        placed = [
            segments.get(row.customer_id) if row.customer_id is not None else None for row in rows
        ]
        trend, change = self._over_waves(analysis)
        overall = _score(analysis)
        return ServqualFigures(
            confidence=self.confidence,
            scale_min=self.instrument.scale.minimum,
            scale_max=self.instrument.scale.maximum,
            servqual_unweighted=overall["servqual"],
            servqual_low=overall["low"],
            servqual_high=overall["high"],
            servqual_weighted=summary["servqual_weighted"],
            weights_source=summary["weights_source"],
            weighted_respondents=summary["weighted_respondents"],
            dimensions=dimensions,
            items=self._items(responses, summary["items"]),
            grid=Grid(
                **summary["importance_performance"],
                # the grid places each dimension by its weight and its mean perception
                points=tuple(
                    GridPoint(row.code, row.name, row.importance, row.perception, row.quadrant)
                    for row in dimensions
                ),
            ),
            branches=_league(self._groups(branch_key, min_branch_respondents, branch_names)),
            segment_run=segment_run,
            quadrants=self._groups([one.quadrant.value if one else NO_GROUP for one in placed]),
            value_tiers=self._groups([one.value_tier.value if one else NO_GROUP for one in placed]),
            months=self._groups([f"{row.answered_on:%Y-%m}" for row in rows]),
            change=change,
            trend=trend,
        )

    def _items(
        self, responses: ServqualResponses, summaries: Sequence[dict[str, Any]]
    ) -> tuple[ItemRow, ...]:
        found: list[ItemRow] = []
        for item, summary in zip(self.instrument.items, summaries, strict=True):
            column = item.number - 1
            expected = responses.expectations[:, column]
            perceived = responses.perceptions[:, column]
            pair = ~np.isnan(expected) & ~np.isnan(perceived)
            bounds: dict[str, Any] = {}
            for name, values in (
                ("expectation", expected[pair]),
                ("perception", perceived[pair]),
                ("gap", perceived[pair] - expected[pair]),
            ):
                estimate = mean_confidence_interval(values, self.confidence)
                bounds[f"{name}_low"] = finite_or_none(estimate.low)
                bounds[f"{name}_high"] = finite_or_none(estimate.high)
            found.append(
                ItemRow(
                    dimension_name=self.names[item.dimension],
                    statement=item.perception.text(self.locale),
                    **summary,
                    **bounds,
                )
            )
        return tuple(found)

    def _groups(
        self, keys: Sequence[str], minimum: int = 0, labels: dict[int, str] | None = None
    ) -> tuple[GroupRow, ...]:
        """One row per group key, in key order; ``labels`` names branch ids."""
        responses, _ = stored_responses(
            [row.answers for row in self.rows], self.instrument, groups=keys
        )
        if responses is None:
            return ()
        fitted = fit_by_group(self.instrument, responses, confidence=self.confidence)
        found: list[GroupRow] = []
        for key, analysis in fitted.items():
            gaps = {
                code: finite_or_none(stats.gap.mean) for code, stats in analysis.dimensions_.items()
            }
            known = {code: gap for code, gap in gaps.items() if gap is not None}
            weakest = min(known, key=lambda code: known[code]) if known else None
            score = _score(analysis)
            found.append(
                GroupRow(
                    key=key,
                    label=labels.get(int(key), key) if labels is not None and key else key,
                    **score,
                    gaps=gaps,
                    weakest=weakest,
                    weakest_name=self.names[weakest] if weakest else None,
                    weakest_gap=known[weakest] if weakest else None,
                    too_few=score["respondents"] < minimum,
                    rank=None,
                )
            )
        return tuple(found)

    def _fit(self, other: SurveyWave) -> ServqualAnalysis | None:
        """Another wave's answers that the reader may see, analysed; ``None`` if none."""
        instrument = surveys_service.wave_instrument(other) or self.instrument
        answers = [row.answers for row in self.repository.answers(other.code)]
        responses, _ = stored_responses(answers, instrument)
        if responses is None:
            return None
        return ServqualAnalysis(instrument, confidence=self.confidence).fit(responses)

    def _over_waves(
        self, analysis: ServqualAnalysis
    ) -> tuple[tuple[TrendPoint, ...], Change | None]:
        """The score of every wave of the same kind and instrument, and the change against
        the one that opened last before this wave."""
        wave, repository, confidence = self.wave, self.repository, self.confidence
        trend: list[TrendPoint] = []
        previous: tuple[SurveyWave, ServqualAnalysis] | None = None
        for other in repository.waves_like(kind=wave.kind, instrument=wave.instrument):
            fitted = analysis if other.id == wave.id else self._fit(other)
            if fitted is None:
                continue
            trend.append(
                TrendPoint(
                    wave_id=other.id,
                    code=other.code,
                    title=other.title,
                    opens_on=other.opens_on,
                    **_score(fitted),
                    weighted=finite_or_none(fitted.servqual_weighted_),
                    current=other.id == wave.id,
                )
            )
            if (other.opens_on, other.id) < (wave.opens_on, wave.id):
                previous = (other, fitted)
        if previous is None:
            return tuple(trend), None
        earlier_wave, earlier = previous
        if earlier.instrument.dimension_codes != analysis.instrument.dimension_codes:
            return tuple(trend), None
        tests = compare_waves(earlier, analysis, confidence=confidence)
        tests[OVERALL] = welch_test(
            _respondent_overall(earlier), _respondent_overall(analysis), confidence
        )
        names = {**self.names, OVERALL: "SERVQUAL"}
        rows = tuple(
            ChangeRow(
                code=code,
                name=names[code],
                **_fields(summarize_welch(test)),
                significant=None if math.isnan(test.p_value) else test.p_value < 1 - confidence,
            )
            for code, test in tests.items()
        )
        return tuple(trend), Change(
            previous_id=earlier_wave.id,
            previous_code=earlier_wave.code,
            previous_title=earlier_wave.title,
            previous_opens_on=earlier_wave.opens_on,
            rows=rows,
        )


def _league(branches: Sequence[GroupRow]) -> tuple[GroupRow, ...]:
    """Branches with enough respondents by score, best first and numbered; then the others
    by score, unnumbered; a branch without a score last within its part."""

    def order(row: GroupRow) -> tuple[bool, bool, float, str]:
        return (row.too_few, row.servqual is None, -(row.servqual or 0.0), row.label)

    ranks = count(1)
    return tuple(
        replace(row, rank=next(ranks)) if not row.too_few and row.servqual is not None else row
        for row in sorted(branches, key=order)
    )


# --- CSAT and NPS -----------------------------------------------------------------------


def _scored(rows: Sequence[AnswerRow], kind: SurveyKind) -> list[satisfaction.Answer]:
    low, high = satisfaction.NPS_SCALE if kind == SurveyKind.NPS else satisfaction.CSAT_SCALE
    return [
        satisfaction.Answer(customer_id=row.customer_id, answered_on=row.answered_on, score=score)
        for row in rows
        if (score := row.score) is not None and low <= score <= high
    ]


def _satisfaction_figures(
    kind: SurveyKind, answers: list[satisfaction.Answer], confidence: float
) -> SatisfactionFigures:
    scores = [answer.score for answer in answers]
    if kind == SurveyKind.NPS:
        figure = satisfaction.nps(scores, confidence=confidence)
        trend = satisfaction.monthly_nps(answers)
        score, low, high, mean = figure.score, figure.low, figure.high, None
        values = trend.values
    else:
        csat = satisfaction.csat(scores)
        # The satisfied share is the mean of 0/1 answers: its interval is that mean's.
        share = mean_confidence_interval(
            [100.0 * (score >= satisfaction.SATISFIED_FROM) for score in scores], confidence
        )
        trend = satisfaction.monthly_csat(answers)
        score = None if csat.share is None else 100 * csat.share
        low, high, mean = finite_or_none(share.low), finite_or_none(share.high), csat.mean
        values = tuple(None if value is None else 100 * value for value in trend.values)
    return SatisfactionFigures(
        measure=kind.value,
        answers=len(answers),
        score=score,
        low=low,
        high=high,
        mean=mean,
        months=trend.months,
        values=values,
        counts=trend.answers,
    )
