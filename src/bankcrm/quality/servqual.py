"""SERVQUAL statistics: gaps, scores, reliability, confidence intervals, wave tests, IPA.

Pure logic on NumPy arrays (SciPy for the t distribution); nothing here touches the web or
the database. The formulas are written out in ``docs/quality.md``.

Missing answers (a blank cell is ``NaN``) are treated the textbook way, listwise within the
unit being measured, and every figure carries the number of respondents behind it:

* an **item**'s means and gap use the respondents who answered both its expectation and
  its perception, so the gap is exactly perception minus expectation;
* a **dimension**'s means, gap, confidence interval and respondent-level gaps use the
  respondents who answered every expectation and every perception item of that dimension;
* a dimension's **Cronbach's α** for expectations uses the respondents who answered all of
  its expectation items (listwise deletion within that block), likewise for perceptions —
  ``pingouin.cronbach_alpha(block, nan_policy="listwise")`` gives the same figure.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy import stats

from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected
from bankcrm.quality.instrument import WEIGHT_POINTS, Instrument

FloatArray = npt.NDArray[np.float64]

DEFAULT_CONFIDENCE = 0.95

_ITEM_COLUMN = re.compile(r"^([EP])(\d+)$")
_WEIGHT_PREFIX = "W_"


# --- answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServqualResponses:
    """Answers of respondents to one instrument; ``NaN`` is a blank."""

    expectations: FloatArray
    perceptions: FloatArray
    """Points on the scale, respondents × items; column ``j`` is item ``j + 1``."""
    weights: FloatArray | None = None
    """Importance points each respondent gave the dimensions, in the instrument's order;
    ``None`` when the survey did not ask (the instrument's default weights apply)."""
    groups: tuple[str, ...] | None = None
    """A label per respondent (branch, segment, period) for breakdowns."""

    def __post_init__(self) -> None:
        if self.expectations.ndim != 2 or self.expectations.shape != self.perceptions.shape:
            raise ValueError("expectations and perceptions need the same respondents × items")
        n_respondents = self.expectations.shape[0]
        if self.weights is not None and (
            self.weights.ndim != 2 or self.weights.shape[0] != n_respondents
        ):
            raise ValueError("weights need one row per respondent")
        if self.groups is not None and len(self.groups) != n_respondents:
            raise ValueError("groups need one label per respondent")

    def __len__(self) -> int:
        return int(self.expectations.shape[0])

    def rows(self, mask: npt.NDArray[np.bool_]) -> ServqualResponses:
        """The respondents where ``mask`` is true."""
        return ServqualResponses(
            expectations=self.expectations[mask],
            perceptions=self.perceptions[mask],
            weights=None if self.weights is None else self.weights[mask],
            groups=None if self.groups is None else tuple(np.array(self.groups, object)[mask]),
        )


def parse_responses(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    instrument: Instrument,
    *,
    source: str,
    group_column: str | None = None,
) -> ServqualResponses:
    """Check and convert a response table: one row per respondent.

    Columns ``E1…En`` and ``P1…Pn`` are required (``n`` = the instrument's items);
    ``W_<dimension>`` columns, when present, must cover every dimension; other columns are
    ignored except ``group_column``, whose value labels each respondent for breakdowns. A
    blank cell is a missing answer. The row numbers given with ``rows`` are the ones quoted
    in errors (1 = first data row), ``source`` the file name.

    Raises
    ------
    ImportRejected
        The first problem, naming the row and column: a missing column, a value that is
        not a number or not a point on the scale, a negative weight. Nothing is returned
        for a table with any problem.
    """
    names = [name.strip() for name in header]

    def refuse(problem: str, column: str | None = None, row: int | None = None) -> ImportRejected:
        return ImportRejected(problem, file=source, row=row, column=column)

    repeated = next((name for index, name in enumerate(names) if name in names[:index]), None)
    if repeated is not None:
        raise refuse("the column appears twice", repeated)
    position = {name: index for index, name in enumerate(names)}
    for name in names:
        match = _ITEM_COLUMN.match(name)
        if match and not 1 <= int(match.group(2)) <= instrument.n_items:
            raise refuse(
                f"instrument {instrument.id!r} has items 1–{instrument.n_items} only", name
            )
    numbers = [item.number for item in instrument.items]
    item_columns = [instrument.expectation_column(n) for n in numbers]
    item_columns += [instrument.perception_column(n) for n in numbers]
    weight_columns = [instrument.weight_column(code) for code in instrument.dimension_codes]
    stated = [name for name in names if name.startswith(_WEIGHT_PREFIX)]
    for column in item_columns:
        if column not in position:
            raise refuse("the column is missing", column)
    for name in stated:
        if name not in weight_columns:
            raise refuse(
                f"not a dimension of {instrument.id!r} "
                f"(weight columns: {', '.join(weight_columns)})",
                name,
            )
    for column in weight_columns if stated else []:
        if column not in position:
            raise refuse(
                "the column is missing (weights must be given for every dimension)", column
            )
    if group_column is not None and group_column not in position:
        raise refuse("the column is missing", group_column)

    scale = instrument.scale

    def value(row: int, cells: Sequence[str], column: str, *, weight: bool) -> float:
        text = cells[position[column]].strip()
        if not text:
            return math.nan
        number = stored_number(text)
        if math.isnan(number):
            raise refuse(f"{text!r} is not a number", column, row)
        if weight and number < 0:
            raise refuse(f"{text}: importance points cannot be negative", column, row)
        if not weight and not scale.contains(number):
            raise refuse(
                f"{text} is not a point on the {scale.minimum}–{scale.maximum} scale", column, row
            )
        return number

    points: list[list[float]] = []
    weights: list[list[float]] = []
    groups: list[str] = []
    for row, cells in rows:
        if len(cells) != len(names):
            raise refuse(f"the row has {len(cells)} fields, the header {len(names)}", row=row)
        points.append([value(row, cells, column, weight=False) for column in item_columns])
        if stated:
            given = [value(row, cells, column, weight=True) for column in weight_columns]
            if not np.isnan(given).any() and sum(given) <= 0:
                raise refuse("the importance points add up to 0", weight_columns[0], row)
            weights.append(given)
        if group_column is not None:
            groups.append(cells[position[group_column]].strip())
    if not points:
        raise refuse("the file has no respondents")
    answers = np.array(points, dtype=np.float64)
    return ServqualResponses(
        expectations=answers[:, : instrument.n_items],
        perceptions=answers[:, instrument.n_items :],
        weights=np.array(weights, dtype=np.float64) if stated else None,
        groups=tuple(groups) if group_column is not None else None,
    )


def read_responses_csv(
    path: Path, instrument: Instrument, *, group_column: str | None = None
) -> ServqualResponses:
    """Read a UTF-8 CSV response file (a byte-order mark is allowed), gzipped when its name
    ends in ``.gz``; see :func:`parse_responses`. Row ``N`` in errors is the ``N``-th line
    after the header."""

    def refuse(problem: str) -> ImportRejected:
        return ImportRejected(problem, file=path.name, row=None, column=None)

    try:
        with files.open_text(path, encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise refuse("the file is empty")
            rows = [(reader.line_num - 1, cells) for cells in reader if cells]
    except UnicodeDecodeError as error:  # name the row and column the bytes are in
        raise files.csv_refusal(error, path, label=path.name, max_row_bytes=None) from None
    except (OSError, EOFError) as error:  # EOFError: a truncated .gz
        reason = getattr(error, "strerror", None) or str(error)
        raise refuse(f"cannot be read: {reason}") from None
    except csv.Error as error:
        raise refuse(str(error)) from None
    return parse_responses(header, rows, instrument, source=path.name, group_column=group_column)


def stored_responses(
    answers: Sequence[Mapping[str, Any] | None],
    instrument: Instrument,
    *,
    groups: Sequence[str] | None = None,
) -> tuple[ServqualResponses | None, npt.NDArray[np.bool_]]:
    """The stored answer sets (``E1``, ``P1``, ``W_<dimension>`` keys) carrying at least one
    answer, as the statistics take them, and which of them answered every item on both
    scales; ``None`` when nobody answered anything.

    A value that is not a point on the instrument's scale counts as a blank; a negative
    importance point too. Importance points are taken when any answer set carries them."""
    keys = [instrument.expectation_column(item.number) for item in instrument.items]
    keys += [instrument.perception_column(item.number) for item in instrument.items]
    weight_keys = [instrument.weight_column(code) for code in instrument.dimension_codes]
    rows = [found or {} for found in answers]
    points = _stored_table(rows, keys)
    scale = instrument.scale
    on_scale = (points == np.trunc(points)) & (points >= scale.minimum) & (points <= scale.maximum)
    points[~on_scale] = math.nan
    kept = ~np.isnan(points).all(axis=1)
    if not kept.any():
        return None, np.zeros(0, dtype=bool)
    points = points[kept]
    weights = _stored_table(rows, weight_keys)[kept]
    weights[weights < 0] = math.nan
    n_items = instrument.n_items
    responses = ServqualResponses(
        expectations=points[:, :n_items],
        perceptions=points[:, n_items:],
        weights=weights if (~np.isnan(weights)).any() else None,
        groups=None if groups is None else tuple(np.array(groups, dtype=object)[kept]),
    )
    return responses, np.asarray(~np.isnan(points).any(axis=1))


def _stored_table(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> FloatArray:
    values = [[stored_number(row.get(key)) for key in keys] for row in rows]
    return np.array(values, dtype=np.float64).reshape(len(rows), len(keys))


def stored_number(value: object) -> float:
    """A stored answer as a finite number; a blank or unreadable answer is ``NaN``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return math.nan
    try:
        number = float(value)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


# --- statistics -------------------------------------------------------------------------


def cronbach_alpha(answers: npt.ArrayLike) -> float:
    """Cronbach's α of a respondents × items block, after listwise deletion.

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i s_i^2}{s_T^2}\\Bigr)

    with ``k`` items, ``s_i²`` the sample variance (``n − 1``) of item ``i`` and ``s_T²``
    that of the respondents' totals. A respondent with any blank (``NaN``) in the block is
    left out, as ``pingouin.cronbach_alpha(..., nan_policy="listwise")`` does. ``NaN`` when
    α is undefined: fewer than two items or two complete respondents, or totals with no
    variance.
    """
    block = np.asarray(answers, dtype=np.float64)
    if block.ndim != 2:
        raise ValueError("answers must be respondents × items")
    complete = block[~np.isnan(block).any(axis=1)]
    n_respondents, n_items = complete.shape
    if n_items < 2 or n_respondents < 2:
        return math.nan
    total_variance = float(complete.sum(axis=1).var(ddof=1))
    if total_variance == 0:
        return math.nan
    item_variances = float(complete.var(axis=0, ddof=1).sum())
    return n_items / (n_items - 1) * (1 - item_variances / total_variance)


@dataclass(frozen=True)
class MeanEstimate:
    """A sample mean with its t-based confidence interval (``NaN`` where undefined)."""

    n: int
    mean: float
    std: float
    low: float
    high: float
    confidence: float


def mean_confidence_interval(
    values: npt.ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> MeanEstimate:
    """Mean and t-based confidence interval, ``x̄ ± t(1−(1−c)/2; n−1) · s / √n``, of the
    values that are not ``NaN``."""
    _check_confidence(confidence)
    sample = _present(values)
    n = int(sample.size)
    mean = _mean(sample)
    if n < 2:
        return MeanEstimate(n, mean, math.nan, math.nan, math.nan, confidence)
    std = float(sample.std(ddof=1))
    half_width = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return MeanEstimate(n, mean, std, mean - half_width, mean + half_width, confidence)


@dataclass(frozen=True)
class WelchTest:
    """Welch's unequal-variance t-test of ``later − earlier``.

    ``difference`` is the later mean minus the earlier one: for gaps P − E, a positive
    difference means the gap narrowed (or the surplus grew).
    """

    n_earlier: int
    n_later: int
    mean_earlier: float
    mean_later: float
    difference: float
    t: float
    df: float
    p_value: float
    low: float
    high: float
    confidence: float


def welch_test(
    earlier: npt.ArrayLike, later: npt.ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> WelchTest:
    """Welch's t-test of two independent samples (two-sided), and the confidence interval
    of the difference of means; ``NaN`` values are left out.

    Different respondents answer each wave, so the samples are independent and their
    variances need not be equal (Welch 1947).
    """
    _check_confidence(confidence)
    first, second = _present(earlier), _present(later)
    mean1, mean2 = _mean(first), _mean(second)
    t = df = p_value = low = high = math.nan
    if first.size >= 2 and second.size >= 2 and first.var() + second.var() != 0:
        result = stats.ttest_ind(second, first, equal_var=False)
        interval = result.confidence_interval(confidence)
        t, df, p_value = float(result.statistic), float(result.df), float(result.pvalue)
        low, high = float(interval.low), float(interval.high)
    return WelchTest(
        n_earlier=int(first.size),
        n_later=int(second.size),
        mean_earlier=mean1,
        mean_later=mean2,
        difference=mean2 - mean1,
        t=t,
        df=df,
        p_value=p_value,
        low=low,
        high=high,
        confidence=confidence,
    )


class Quadrant(StrEnum):
    """Importance–performance quadrants (Martilla & James 1977)."""

    concentrate_here = "concentrate_here"
    """Important, performing below average: improve first."""
    keep_up_the_good_work = "keep_up_the_good_work"
    low_priority = "low_priority"
    possible_overkill = "possible_overkill"
    """Performing above average on something that matters less: resources may move."""


_QUADRANTS = {  # (important, performing)
    (True, True): Quadrant.keep_up_the_good_work,
    (True, False): Quadrant.concentrate_here,
    (False, True): Quadrant.possible_overkill,
    (False, False): Quadrant.low_priority,
}


@dataclass(frozen=True)
class ImportancePerformanceGrid:
    """Each attribute's quadrant; the cross-hairs are the means over the attributes."""

    importance_cut: float
    performance_cut: float
    importance: dict[str, float]
    performance: dict[str, float]
    quadrants: dict[str, Quadrant]


def importance_performance_grid(
    importance: Mapping[str, float], performance: Mapping[str, float]
) -> ImportancePerformanceGrid:
    """Place attributes (dimensions or items) by importance (weight or stated importance)
    and performance (mean perception) on the importance–performance grid.

    Notes
    -----
    The grid is split at the mean importance and the mean performance of the attributes
    (data-centred cross-hairs rather than the scale midpoint, which most attributes sit
    above). A value equal to a mean counts as high, so equal weights put every attribute
    on the "important" side and the grid then ranks on performance alone. An attribute
    without a figure (``NaN``: nobody answered, nobody gave weights) is left out of the
    means and of ``quadrants``.
    """
    if set(importance) != set(performance):
        raise ValueError("importance and performance must name the same attributes")
    placed = [
        name
        for name in importance
        if math.isfinite(importance[name]) and math.isfinite(performance[name])
    ]
    importance_cut = _mean(np.array([importance[name] for name in placed], dtype=np.float64))
    performance_cut = _mean(np.array([performance[name] for name in placed], dtype=np.float64))
    return ImportancePerformanceGrid(
        importance_cut=importance_cut,
        performance_cut=performance_cut,
        importance={name: float(value) for name, value in importance.items()},
        performance={name: float(performance[name]) for name in importance},
        quadrants={
            name: _QUADRANTS[
                importance[name] >= importance_cut, performance[name] >= performance_cut
            ]
            for name in placed
        },
    )


# --- the analysis -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStats:
    """One item over the respondents who answered both its expectation and perception."""

    number: int
    dimension: str
    respondents: int
    expectation: float
    perception: float
    gap: float
    """Mean perception minus mean expectation."""


@dataclass(frozen=True)
class DimensionStats:
    """One dimension over the respondents who answered all its items (both scales)."""

    code: str
    respondents: int
    expectation: float
    perception: float
    gap: MeanEstimate
    """Mean of the respondents' dimension gaps (their P mean minus their E mean), with CI."""
    alpha_expectation: float
    alpha_perception: float
    importance: float
    """Weight used: the instrument's points, or the respondents' mean normalised points."""


class ServqualAnalysis:
    """Gap scores, SERVQUAL scores and reliability of one set of responses to
    ``instrument``; ``confidence`` is the coverage of the intervals of mean gaps.

    Attributes
    ----------
    n_respondents_ : int
        Rows in the responses, answered or not.
    n_answering_ : int
        Respondents with at least one answer.
    items_ : list of ItemStats
        In item order.
    dimensions_ : dict of str to DimensionStats
        In the instrument's dimension order.
    respondent_gaps_ : ndarray of shape (n_respondents, n_dimensions)
        Each respondent's mean perception minus mean expectation per dimension; ``NaN``
        where the respondent left any of the dimension's items blank. The sample that
        :func:`compare_waves` tests.
    servqual_unweighted_ : float
        Mean of the dimension gaps, each dimension counting once.
    servqual_weighted_ : float
        With the instrument's weights ``w_d``: ``Σ w_d · gap_d / Σ w_d``. With weights
        stated by respondents: each respondent's ``Σ w_di · gap_di / Σ w_di``, averaged
        over the respondents who answered every item and gave every weight (the
        procedure of Zeithaml, Parasuraman & Berry 1990).
    weights_source_ : {"instrument", "respondents"}
    weighted_respondents_ : int
        Respondents behind the weighted score: with the instrument's weights, those in at
        least one dimension's gap; with stated weights, those who answered every item and
        gave every weight.
    importance_performance_ : ImportancePerformanceGrid
        Dimensions by importance (weight) and performance (mean perception).
    """

    def __init__(self, instrument: Instrument, *, confidence: float = DEFAULT_CONFIDENCE) -> None:
        _check_confidence(confidence)
        self.instrument = instrument
        self.confidence = confidence

    def fit(self, responses: ServqualResponses) -> Self:
        instrument = self.instrument
        if responses.expectations.shape[1] != instrument.n_items:
            raise ValueError(
                f"{responses.expectations.shape[1]} items answered, "
                f"instrument {instrument.id!r} has {instrument.n_items}"
            )
        n_dimensions = len(instrument.dimensions)
        if responses.weights is not None and responses.weights.shape[1] != n_dimensions:
            raise ValueError(f"weights must be given for the {n_dimensions} dimensions")
        expectations, perceptions = responses.expectations, responses.perceptions

        self.n_respondents_ = len(responses)
        answered = ~(np.isnan(expectations).all(axis=1) & np.isnan(perceptions).all(axis=1))
        self.n_answering_ = int(answered.sum())

        self.items_ = []
        for item in instrument.items:
            expected, perceived = expectations[:, item.number - 1], perceptions[:, item.number - 1]
            pair = ~np.isnan(expected) & ~np.isnan(perceived)
            expectation, perception = _mean(expected[pair]), _mean(perceived[pair])
            self.items_.append(
                ItemStats(
                    item.number,
                    item.dimension,
                    int(pair.sum()),
                    expectation,
                    perception,
                    perception - expectation,
                )
            )

        self.respondent_gaps_ = np.full((self.n_respondents_, n_dimensions), np.nan)
        found: list[DimensionStats] = []
        for index, dimension in enumerate(instrument.dimensions):
            columns = [number - 1 for number in dimension.items]
            expectation_block = expectations[:, columns]
            perception_block = perceptions[:, columns]
            complete = ~np.isnan(np.hstack([expectation_block, perception_block])).any(axis=1)
            respondent_expectation = expectation_block[complete].mean(axis=1)
            respondent_perception = perception_block[complete].mean(axis=1)
            self.respondent_gaps_[complete, index] = respondent_perception - respondent_expectation
            found.append(
                DimensionStats(
                    code=dimension.code,
                    respondents=int(complete.sum()),
                    expectation=_mean(respondent_expectation),
                    perception=_mean(respondent_perception),
                    gap=mean_confidence_interval(self.respondent_gaps_[:, index], self.confidence),
                    alpha_expectation=cronbach_alpha(expectation_block),
                    alpha_perception=cronbach_alpha(perception_block),
                    importance=math.nan,
                )
            )

        gaps = np.array([dimension.gap.mean for dimension in found])
        self.servqual_unweighted_ = float(gaps.mean())
        importance = self._fit_weighted_score(gaps, responses.weights)
        self.dimensions_ = {
            dimension.code: replace(dimension, importance=importance[dimension.code])
            for dimension in found
        }
        self.importance_performance_ = importance_performance_grid(
            importance, {code: dimension.perception for code, dimension in self.dimensions_.items()}
        )
        return self

    def _fit_weighted_score(self, gaps: FloatArray, stated: FloatArray | None) -> dict[str, float]:
        """Learn the weighted score from the dimension gaps and the weights (the
        instrument's when ``stated`` is ``None``); return each dimension's importance."""
        instrument = self.instrument
        if stated is None:
            weights = np.array([dimension.weight for dimension in instrument.dimensions])
            self.weights_source_ = "instrument"
            self.servqual_weighted_ = float(weights @ gaps / weights.sum())
            self.weighted_respondents_ = int((~np.isnan(self.respondent_gaps_).all(axis=1)).sum())
            return {dimension.code: dimension.weight for dimension in instrument.dimensions}
        self.weights_source_ = "respondents"
        given = ~np.isnan(stated).any(axis=1)
        # Points are divided by the respondent's own total, so a respondent whose points
        # add up to 95 or 105 still counts, with the proportions they meant.
        shares = np.full_like(stated, np.nan)
        shares[given] = stated[given] / stated[given].sum(axis=1, keepdims=True)
        scored = given & ~np.isnan(self.respondent_gaps_).any(axis=1)
        self.servqual_weighted_ = _mean(
            (shares[scored] * self.respondent_gaps_[scored]).sum(axis=1)
        )
        self.weighted_respondents_ = int(scored.sum())
        return {
            code: _mean(shares[given, index]) * WEIGHT_POINTS
            for index, code in enumerate(instrument.dimension_codes)
        }


def compare_waves(
    earlier: ServqualAnalysis, later: ServqualAnalysis, *, confidence: float = DEFAULT_CONFIDENCE
) -> dict[str, WelchTest]:
    """Per dimension, Welch's t-test of the respondents' dimension gaps between two waves
    (independent samples of respondents) of the same instrument."""
    if earlier.instrument.dimension_codes != later.instrument.dimension_codes:
        raise ValueError("the two waves must use instruments with the same dimensions")
    return {
        code: welch_test(
            earlier.respondent_gaps_[:, index], later.respondent_gaps_[:, index], confidence
        )
        for index, code in enumerate(earlier.instrument.dimension_codes)
    }


def fit_by_group(
    instrument: Instrument,
    responses: ServqualResponses,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, ServqualAnalysis]:
    """One analysis per group label (branch, segment, period), in label order."""
    if responses.groups is None:
        raise ValueError("the responses carry no group labels")
    labels = np.array(responses.groups, dtype=object)
    return {
        label: ServqualAnalysis(instrument, confidence=confidence).fit(
            responses.rows(labels == label)
        )
        for label in sorted(set(responses.groups))
    }


def summarize(analysis: ServqualAnalysis) -> dict[str, Any]:
    """A fitted analysis as plain JSON-ready values (``NaN`` becomes ``None``)."""
    instrument = analysis.instrument
    quadrants = analysis.importance_performance_.quadrants
    dimensions: dict[str, Any] = {}
    for dimension in instrument.dimensions:
        found = analysis.dimensions_[dimension.code]
        dimensions[dimension.code] = {
            "name_zh": dimension.name.text("zh"),
            "name_en": dimension.name.text("en"),
            "items": list(dimension.items),
            "respondents": found.respondents,
            "expectation": finite_or_none(found.expectation),
            "perception": finite_or_none(found.perception),
            "gap": finite_or_none(found.gap.mean),
            "gap_ci_low": finite_or_none(found.gap.low),
            "gap_ci_high": finite_or_none(found.gap.high),
            "alpha_expectation": finite_or_none(found.alpha_expectation),
            "alpha_perception": finite_or_none(found.alpha_perception),
            "importance": finite_or_none(found.importance),
            "quadrant": quadrants[dimension.code].value if dimension.code in quadrants else None,
        }
    return {
        "instrument": instrument.id,
        "respondents": analysis.n_respondents_,
        "respondents_answering": analysis.n_answering_,
        "confidence": analysis.confidence,
        "dimensions": dimensions,
        "items": [
            {key: _json_value(value) for key, value in asdict(item).items()}
            for item in analysis.items_
        ],
        "servqual_unweighted": finite_or_none(analysis.servqual_unweighted_),
        "servqual_weighted": finite_or_none(analysis.servqual_weighted_),
        "weights_source": analysis.weights_source_,
        "weighted_respondents": analysis.weighted_respondents_,
        "importance_performance": {
            "importance_cut": finite_or_none(analysis.importance_performance_.importance_cut),
            "performance_cut": finite_or_none(analysis.importance_performance_.performance_cut),
        },
    }


def summarize_welch(test: WelchTest) -> dict[str, Any]:
    """A wave comparison as plain JSON-ready values."""
    return {
        "respondents_earlier": test.n_earlier,
        "respondents_later": test.n_later,
        "gap_earlier": finite_or_none(test.mean_earlier),
        "gap_later": finite_or_none(test.mean_later),
        "difference": finite_or_none(test.difference),
        "difference_ci_low": finite_or_none(test.low),
        "difference_ci_high": finite_or_none(test.high),
        "t": finite_or_none(test.t),
        "df": finite_or_none(test.df),
        "p_value": finite_or_none(test.p_value),
    }


def _mean(values: FloatArray) -> float:
    return float(values.mean()) if values.size else math.nan


def _present(values: npt.ArrayLike) -> FloatArray:
    sample = np.asarray(values, dtype=np.float64).ravel()
    return sample[~np.isnan(sample)]


def _json_value(value: object) -> object:
    return finite_or_none(value) if isinstance(value, float) else value


def finite_or_none(value: float) -> float | None:
    """``None`` for ``NaN`` (JSON has no NaN), the value as a float otherwise."""
    return None if math.isnan(value) else float(value)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1, e.g. 0.95")
