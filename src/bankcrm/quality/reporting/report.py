"""The survey-wave report: a wave's answers read from the store and analysed.

Every statistic comes from :mod:`bankcrm.quality.servqual` (SERVQUAL waves) or
:mod:`bankcrm.quality.satisfaction` (CSAT and NPS waves); this module only gathers the
answers, splits them into branches, segments and months, and turns the fitted analyses into
plain figures (``None`` where a figure is undefined) that the page, the workbook, the PDF
and the JSON answer share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

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
    MeanEstimate,
    ServqualAnalysis,
    ServqualResponses,
    compare_waves,
    finite_or_none,
    fit_by_group,
    mean_confidence_interval,
    stored_responses,
    welch_test,
)
from bankcrm.quality.surveys import service as surveys_service
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
    """Unweighted SERVQUAL score of the group."""
    low: float | None
    high: float | None
    """Confidence interval of the respondents' average gap (the score when all answered)."""
    gaps: dict[str, float | None]
    """Gap per dimension code."""
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
    wave_id
        The wave.
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
    wave = repository.wave(wave_id)
    if wave is None:
        raise NotFound(f"survey wave {wave_id} not found")
    rows = repository.answers(wave.code)
    issued, completed = repository.invitations(wave.id)
    instrument = surveys_service.wave_instrument(wave)
    summary = WaveSummary(
        id=wave.id,
        code=wave.code,
        title=wave.title,
        kind=wave.kind.value,
        status=wave.status.value,
        instrument=wave.instrument,
        instrument_title=instrument.title.text(locale) if instrument else None,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
    )
    servqual: ServqualFigures | None = None
    figures: SatisfactionFigures | None = None
    if instrument is not None:
        responses, complete = stored_responses([row.answers for row in rows], instrument)
        respondents = int(complete.sum())
        if responses is not None:
            servqual = _servqual_figures(
                repository,
                wave=wave,
                rows=rows,
                instrument=instrument,
                responses=responses,
                complete=complete,
                locale=locale,
                min_branch_respondents=min_branch_respondents,
                confidence=confidence,
            )
    else:
        scored = _scored(rows, wave.kind)
        respondents = len(scored)
        if scored:
            figures = _satisfaction_figures(wave.kind, scored, confidence)
    participation = Participation(
        answers=len(rows),
        respondents=respondents,
        invitations=issued or None,
        completed=completed if issued else None,
        response_rate=completed / issued if issued else None,
    )
    return WaveReport(
        wave=summary,
        locale=locale,
        participation=participation,
        min_branch_respondents=min_branch_respondents,
        servqual=servqual,
        satisfaction=figures,
    )


def overall_gap(analysis: ServqualAnalysis) -> MeanEstimate:
    """Mean and interval of the respondents' average gap over the dimensions, among those
    with a gap in every dimension (equal to the unweighted score when everyone answered
    every item)."""
    gaps = analysis.respondent_gaps_
    full = gaps[~np.isnan(gaps).any(axis=1)]
    return mean_confidence_interval(full.mean(axis=1), analysis.confidence)


# --- SERVQUAL ---------------------------------------------------------------------------


def _servqual_figures(
    repository: WaveReportRepository,
    *,
    wave: SurveyWave,
    rows: Sequence[AnswerRow],
    instrument: Instrument,
    responses: ServqualResponses,
    complete: npt.NDArray[np.bool_],
    locale: str,
    min_branch_respondents: int,
    confidence: float,
) -> ServqualFigures:
    analysis = ServqualAnalysis(instrument, confidence=confidence).fit(responses)
    names = {dimension.code: dimension.name.text(locale) for dimension in instrument.dimensions}
    overall = overall_gap(analysis)
    quadrants = analysis.importance_performance_.quadrants
    dimensions = tuple(
        DimensionRow(
            code=code,
            name=names[code],
            items=instrument.dimension(code).items,
            respondents=found.respondents,
            expectation=finite_or_none(found.expectation),
            perception=finite_or_none(found.perception),
            gap=finite_or_none(found.gap.mean),
            gap_low=finite_or_none(found.gap.low),
            gap_high=finite_or_none(found.gap.high),
            alpha_expectation=finite_or_none(found.alpha_expectation),
            alpha_perception=finite_or_none(found.alpha_perception),
            importance=finite_or_none(found.importance),
            quadrant=quadrants[code].value if code in quadrants else None,
        )
        for code, found in analysis.dimensions_.items()
    )
    grid = analysis.importance_performance_
    branch_ids = {row.branch_id for row in rows if row.branch_id is not None}
    branch_names = {
        b.id: b.name
        for b in branches_service.list_branches(repository.session)
        if b.id in branch_ids
    }
    branch_key = [str(row.branch_id) if row.branch_id is not None else NO_GROUP for row in rows]
    branches = _groups(
        rows, instrument, branch_key, names, confidence, min_branch_respondents, branch_names
    )
    segment_run = repository.segment_run_as_of(wave.closes_on)
    segments = (
        repository.segments_of_respondents(wave_code=wave.code, run_as_of=segment_run)
        if segment_run is not None
        else {}
    )

    def segment_key(row: AnswerRow, attribute: str) -> str:
        found = segments.get(row.customer_id) if row.customer_id is not None else None
        return getattr(found, attribute).value if found is not None else NO_GROUP

    quadrant_key = [segment_key(row, "quadrant") for row in rows]
    tier_key = [segment_key(row, "value_tier") for row in rows]
    month_key = [f"{row.answered_on:%Y-%m}" for row in rows]
    trend, change = _over_waves(
        repository, wave=wave, analysis=analysis, names=names, confidence=confidence
    )
    return ServqualFigures(
        confidence=confidence,
        scale_min=instrument.scale.minimum,
        scale_max=instrument.scale.maximum,
        servqual_unweighted=finite_or_none(analysis.servqual_unweighted_),
        servqual_low=finite_or_none(overall.low),
        servqual_high=finite_or_none(overall.high),
        servqual_weighted=finite_or_none(analysis.servqual_weighted_),
        weights_source=analysis.weights_source_,
        weighted_respondents=analysis.weighted_respondents_,
        dimensions=dimensions,
        items=_items(instrument, responses, analysis, names, locale, confidence),
        grid=Grid(
            importance_cut=finite_or_none(grid.importance_cut),
            performance_cut=finite_or_none(grid.performance_cut),
            points=tuple(
                GridPoint(
                    code=code,
                    name=names[code],
                    importance=finite_or_none(grid.importance[code]),
                    performance=finite_or_none(grid.performance[code]),
                    quadrant=grid.quadrants[code].value if code in grid.quadrants else None,
                )
                for code in instrument.dimension_codes
            ),
        ),
        branches=_league(branches),
        segment_run=segment_run,
        quadrants=_groups(rows, instrument, quadrant_key, names, confidence, 0),
        value_tiers=_groups(rows, instrument, tier_key, names, confidence, 0),
        months=_groups(rows, instrument, month_key, names, confidence, 0),
        change=change,
        trend=trend,
    )


def _items(
    instrument: Instrument,
    responses: ServqualResponses,
    analysis: ServqualAnalysis,
    names: dict[str, str],
    locale: str,
    confidence: float,
) -> tuple[ItemRow, ...]:
    found: list[ItemRow] = []
    for item, stats in zip(instrument.items, analysis.items_, strict=True):
        column = item.number - 1
        expected = responses.expectations[:, column]
        perceived = responses.perceptions[:, column]
        pair = ~np.isnan(expected) & ~np.isnan(perceived)
        expectation = mean_confidence_interval(expected[pair], confidence)
        perception = mean_confidence_interval(perceived[pair], confidence)
        gap = mean_confidence_interval(perceived[pair] - expected[pair], confidence)
        found.append(
            ItemRow(
                number=item.number,
                dimension=item.dimension,
                dimension_name=names[item.dimension],
                statement=item.perception.text(locale),
                respondents=stats.respondents,
                expectation=finite_or_none(stats.expectation),
                expectation_low=finite_or_none(expectation.low),
                expectation_high=finite_or_none(expectation.high),
                perception=finite_or_none(stats.perception),
                perception_low=finite_or_none(perception.low),
                perception_high=finite_or_none(perception.high),
                gap=finite_or_none(stats.gap),
                gap_low=finite_or_none(gap.low),
                gap_high=finite_or_none(gap.high),
            )
        )
    return tuple(found)


def _groups(
    rows: Sequence[AnswerRow],
    instrument: Instrument,
    keys: Sequence[str],
    names: dict[str, str],
    confidence: float,
    minimum: int,
    labels: dict[int, str] | None = None,
) -> tuple[GroupRow, ...]:
    """One row per group key, in key order; ``labels`` names branch ids."""
    responses, complete = stored_responses([row.answers for row in rows], instrument, groups=keys)
    if responses is None or responses.groups is None:
        return ()
    complete_per_group = Counter(
        label for label, full in zip(responses.groups, complete, strict=True) if full
    )
    found: list[GroupRow] = []
    for key, analysis in fit_by_group(instrument, responses, confidence=confidence).items():
        overall = overall_gap(analysis)
        gaps = {
            code: finite_or_none(stats.gap.mean) for code, stats in analysis.dimensions_.items()
        }
        known = {code: gap for code, gap in gaps.items() if gap is not None}
        weakest = min(known, key=lambda code: known[code]) if known else None
        respondents = complete_per_group[key]
        label = key
        if labels is not None and key:
            label = labels.get(int(key), key)
        found.append(
            GroupRow(
                key=key,
                label=label,
                respondents=respondents,
                servqual=finite_or_none(analysis.servqual_unweighted_),
                low=finite_or_none(overall.low),
                high=finite_or_none(overall.high),
                gaps=gaps,
                weakest=weakest,
                weakest_name=names[weakest] if weakest else None,
                weakest_gap=known[weakest] if weakest else None,
                too_few=respondents < minimum,
                rank=None,
            )
        )
    return tuple(found)


def _league(branches: Sequence[GroupRow]) -> tuple[GroupRow, ...]:
    """Branches with enough respondents by score, best first and numbered; then the others
    by score, unnumbered; a branch without a score last within its part."""

    def order(row: GroupRow) -> tuple[bool, bool, float, str]:
        score = row.servqual
        return (row.too_few, score is None, -(score or 0.0), row.label)

    ranked: list[GroupRow] = []
    position = 0
    for row in sorted(branches, key=order):
        if not row.too_few and row.servqual is not None:
            position += 1
            ranked.append(replace(row, rank=position))
        else:
            ranked.append(row)
    return tuple(ranked)


def _over_waves(
    repository: WaveReportRepository,
    *,
    wave: SurveyWave,
    analysis: ServqualAnalysis,
    names: dict[str, str],
    confidence: float,
) -> tuple[tuple[TrendPoint, ...], Change | None]:
    """The score of every wave of the same kind and instrument, and the change against the
    one that opened last before this wave."""
    trend: list[TrendPoint] = []
    previous: tuple[SurveyWave, ServqualAnalysis] | None = None
    for other in repository.waves_like(kind=wave.kind, instrument=wave.instrument):
        if other.id == wave.id:
            fitted: ServqualAnalysis | None = analysis
        else:
            instrument = surveys_service.wave_instrument(other) or analysis.instrument
            answers = [row.answers for row in repository.answers(other.code)]
            responses, _ = stored_responses(answers, instrument)
            fitted = (
                ServqualAnalysis(instrument, confidence=confidence).fit(responses)
                if responses is not None
                else None
            )
        if fitted is None:
            continue
        overall = overall_gap(fitted)
        complete = ~np.isnan(fitted.respondent_gaps_).any(axis=1)
        trend.append(
            TrendPoint(
                wave_id=other.id,
                code=other.code,
                title=other.title,
                opens_on=other.opens_on,
                respondents=int(complete.sum()),
                servqual=finite_or_none(fitted.servqual_unweighted_),
                low=finite_or_none(overall.low),
                high=finite_or_none(overall.high),
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
    names = {**names, OVERALL: "SERVQUAL"}
    alpha = 1 - confidence
    rows = tuple(
        ChangeRow(
            code=code,
            name=names[code],
            respondents_earlier=test.n_earlier,
            respondents_later=test.n_later,
            gap_earlier=finite_or_none(test.mean_earlier),
            gap_later=finite_or_none(test.mean_later),
            difference=finite_or_none(test.difference),
            low=finite_or_none(test.low),
            high=finite_or_none(test.high),
            t=finite_or_none(test.t),
            df=finite_or_none(test.df),
            p_value=finite_or_none(test.p_value),
            significant=None if math.isnan(test.p_value) else test.p_value < alpha,
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


def _respondent_overall(analysis: ServqualAnalysis) -> npt.NDArray[np.float64]:
    gaps = analysis.respondent_gaps_
    return np.asarray(gaps[~np.isnan(gaps).any(axis=1)].mean(axis=1), dtype=np.float64)


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
        return SatisfactionFigures(
            measure="nps",
            answers=figure.answers,
            score=figure.score,
            low=figure.low,
            high=figure.high,
            mean=None,
            months=trend.months,
            values=trend.values,
            counts=trend.answers,
        )
    csat = satisfaction.csat(scores)
    # The satisfied share is the mean of 0/1 answers: its interval is that mean's.
    share = mean_confidence_interval(
        [100.0 * (score >= satisfaction.SATISFIED_FROM) for score in scores], confidence
    )
    trend = satisfaction.monthly_csat(answers)
    return SatisfactionFigures(
        measure="csat",
        answers=csat.answers,
        score=None if csat.share is None else 100 * csat.share,
        low=finite_or_none(share.low),
        high=finite_or_none(share.high),
        mean=csat.mean,
        months=trend.months,
        values=tuple(None if value is None else 100 * value for value in trend.values),
        counts=trend.answers,
    )
