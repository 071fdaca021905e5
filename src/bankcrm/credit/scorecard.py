"""The statistical scorecard: binned features, a logistic regression, and points (pure).

The regression predicts the odds of being good. With few loans (fewer than
``EVENTS_PER_PARAMETER`` bads for each bin of the card) it weighs each feature's weights of
evidence with one coefficient, and a feature whose coefficient comes out negative (a better
bin costing points, the sign of features that say the same thing) is dropped and the rest
refitted, so every feature's points rise with its bins' goodness. With enough loans each bin
gets its own coefficient: the weights of evidence are each measured alone, and a bank's
features overlap (the month of a call and the economy in that month), which one coefficient
per bin sorts out. Points follow the usual scaling: ``base_score`` points at odds of
``base_odds`` : 1, and ``points_to_double_odds`` more points double the odds, so

    score = offset + factor · ln(odds of good),  factor = PDO / ln 2,
    offset = base_score − factor · ln(base_odds),

and each bin's points are ``factor · (c + β₀ / n) + offset / n`` for ``n`` features in the
card, where ``c`` is the bin's part of the log-odds (``β · WoE`` or the bin's own
coefficient): a score is the sum of its applicant's bins' points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

import numpy as np
from sklearn.linear_model import LogisticRegression

from bankcrm.credit.binning import Bin, BinKind, FeatureBins, bin_feature

SCORECARD_FORMAT = "bankcrm-scorecard"
FORMAT_VERSION = 1
EVENTS_PER_PARAMETER = 10
"""Each bin gets its own coefficient when the rarer outcome (usually the bads) counts at
least this many per bin in the card — the events-per-variable rule of logistic regression
(Peduzzi et al., 1996); with fewer, one coefficient per feature on the weights of evidence
keeps the card from learning noise."""
REASON_MIN_POINTS = 0.05
"""A feature that costs fewer points than this is no reason."""
PSI_FLOOR = 1e-4
"""A bin's share in PSI is at least this, so an empty bin does not make it infinite."""


@dataclass(frozen=True)
class Applications:
    """Applicants × features. A numeric column is float with NaN where unknown; a text
    column is an object array of ``str`` or ``None``."""

    names: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    categorical: tuple[bool, ...]

    def __post_init__(self) -> None:
        if not (len(self.names) == len(self.columns) == len(self.categorical)):
            raise ValueError("every feature needs a name, a column and a kind")
        if len({len(column) for column in self.columns}) > 1:
            raise ValueError("every column needs one value per applicant")

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self, index: np.ndarray) -> Applications:
        return Applications(
            self.names, tuple(column[index] for column in self.columns), self.categorical
        )

    def column(self, name: str) -> np.ndarray:
        return self.columns[self.names.index(name)]


@dataclass(frozen=True)
class Scaling:
    points_to_double_odds: float = 20.0
    base_score: float = 600.0
    base_odds: float = 50.0

    @property
    def factor(self) -> float:
        return self.points_to_double_odds / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def probability_of_default(self, score: np.ndarray) -> np.ndarray:
        """The PD a score stands for: odds of good ``exp((score − offset) / factor)``."""
        return 1.0 / (1.0 + np.exp((np.asarray(score, dtype=float) - self.offset) / self.factor))

    def score_of(self, probability_of_default: np.ndarray) -> np.ndarray:
        pd = np.asarray(probability_of_default, dtype=float)
        return self.offset + self.factor * np.log((1.0 - pd) / pd)


@dataclass(frozen=True)
class CardFeature:
    """A feature in the card: its bins, its coefficient and each bin's points."""

    bins: FeatureBins
    coefficient: float | None
    """The regression's weight on the feature's WoE; ``None`` when each bin has its own."""
    points: tuple[float, ...]
    neutral_points: float
    """The points of weight of evidence 0: a value the training data did not have."""

    def points_of(self, column: np.ndarray) -> np.ndarray:
        """Each applicant's points; an unseen value scores as weight of evidence 0."""
        per_bin = np.asarray(self.points) - self.neutral_points
        return self.bins.bin_index_values(column, per_bin) + self.neutral_points


class Coding(StrEnum):
    WOE = "woe"
    """One coefficient per feature, on its bins' weights of evidence."""
    BINS = "bins"
    """One coefficient per bin (an indicator for each), for loans enough to estimate them."""


def _log_odds(good: np.ndarray) -> float:
    share = float(good.mean())
    return math.log(share / (1 - share))


@dataclass(frozen=True)
class ReasonCodes:
    """Applicants × ranks: the card's feature index, its bin index (−1 for no reason) and
    the points lost."""

    features: np.ndarray
    bins: np.ndarray
    points_lost: np.ndarray


@dataclass(frozen=True)
class Reason:
    """A feature that cost the applicant points: the bin they fell in and how many points
    short of the feature's best bin they are."""

    feature: str
    bin: str
    points_lost: float


class Scorecard:
    """Binning, weights of evidence, a logistic regression and points.

    Parameters
    ----------
    scaling : Scaling
        Points to double the odds, base score and base odds.
    min_bin_share, max_bins : float, int
        Each bin holds at least this share of the rows; at most this many bins per feature
        (besides missing and special codes).
    min_iv : float
        Features whose information value is below this are left out (0.02: "not useful").
    special_codes : tuple of float
        Numbers that mean "not applicable" or "unknown" (999) and get their own bins.
    regularisation : float
        Inverse L2 strength of the regression (scikit-learn's ``C``).

    Attributes
    ----------
    binnings_ : list of FeatureBins
        Every feature's bins and information value, in the data's order.
    features_ : list of CardFeature
        The features in the card.
    coding_ : Coding
        Weights of evidence with one coefficient per feature, or one coefficient per bin.
    intercept_ : float
    bad_rate_ : float
    """

    def __init__(
        self,
        *,
        scaling: Scaling | None = None,
        min_bin_share: float = 0.05,
        max_bins: int = 6,
        min_iv: float = 0.02,
        special_codes: tuple[float, ...] = (),
        regularisation: float = 1.0,
        monotonic: bool = True,
    ) -> None:
        self.scaling = scaling or Scaling()
        self.min_bin_share = min_bin_share
        self.max_bins = max_bins
        self.min_iv = min_iv
        self.special_codes = special_codes
        self.regularisation = regularisation
        self.monotonic = monotonic

    def fit(self, data: Applications, bad: np.ndarray) -> Self:
        bad = np.asarray(bad, dtype=bool)
        if len(bad) != len(data):
            raise ValueError("one outcome per applicant is needed")
        if bad.all() or not bad.any():
            raise ValueError("a scorecard needs good and bad outcomes")
        self.bad_rate_ = float(bad.mean())
        self.binnings_ = [
            bin_feature(
                name,
                column,
                bad,
                categorical=categorical,
                special_codes=self.special_codes,
                min_share=self.min_bin_share,
                max_bins=self.max_bins,
                monotonic=self.monotonic,
            )
            for name, column, categorical in zip(
                data.names, data.columns, data.categorical, strict=True
            )
        ]
        chosen = [
            binning
            for binning in self.binnings_
            if binning.iv >= self.min_iv and len(binning.bins) > 1
        ]
        good = ~bad
        bin_parameters = sum(len(binning.bins) for binning in chosen)
        events = min(int(bad.sum()), int(good.sum()))
        self.coding_ = (
            Coding.BINS
            if chosen and events >= EVENTS_PER_PARAMETER * bin_parameters
            else Coding.WOE
        )
        if self.coding_ is Coding.BINS:
            self.features_ = self._fit_bins(data, chosen, good)
        else:
            self.features_ = self._fit_woe(data, chosen, good)
        return self

    def _fit_woe(
        self, data: Applications, chosen: list[FeatureBins], good: np.ndarray
    ) -> list[CardFeature]:
        woe = {binning.name: binning.woe(data.column(binning.name)) for binning in chosen}
        while True:
            regression = self._regression(
                np.column_stack([woe[b.name] for b in chosen]) if chosen else None, good
            )
            coefficients = regression[0] if regression else []
            wrong_way = [b for b, c in zip(chosen, coefficients, strict=True) if c <= 0]
            if not wrong_way:
                break
            chosen = [b for b in chosen if b not in wrong_way]
        self.intercept_ = regression[1] if regression else _log_odds(good)
        return [
            self._card_feature(
                binning, [coefficient * b.woe for b in binning.bins], coefficient, len(chosen)
            )
            for binning, coefficient in zip(chosen, coefficients, strict=True)
        ]

    def _fit_bins(
        self, data: Applications, chosen: list[FeatureBins], good: np.ndarray
    ) -> list[CardFeature]:
        indicators = []
        for binning in chosen:
            position = binning.bin_index_values(
                data.column(binning.name), np.arange(len(binning.bins), dtype=float)
            ).astype(int)
            indicators.append(np.eye(len(binning.bins))[position])
        regression = self._regression(np.hstack(indicators), good)
        assert regression is not None
        coefficients, self.intercept_ = regression
        features = []
        start = 0
        for binning in chosen:
            own = coefficients[start : start + len(binning.bins)]
            start += len(binning.bins)
            features.append(self._card_feature(binning, own, None, len(chosen)))
        return features

    def _regression(
        self, design: np.ndarray | None, good: np.ndarray
    ) -> tuple[list[float], float] | None:
        if design is None:
            return None
        regression = LogisticRegression(C=self.regularisation, max_iter=2000)
        regression.fit(design, good)
        return [float(c) for c in regression.coef_[0]], float(regression.intercept_[0])

    def _card_feature(
        self, binning: FeatureBins, log_odds: list[float], coefficient: float | None, count: int
    ) -> CardFeature:
        """A feature's points from each bin's share of the log-odds of good; the intercept
        and offset are spread evenly over the ``count`` features of the card."""
        factor, offset = self.scaling.factor, self.scaling.offset
        share = count
        return CardFeature(
            bins=binning,
            coefficient=coefficient,
            points=tuple(
                factor * (part + self.intercept_ / share) + offset / share for part in log_odds
            ),
            neutral_points=factor * self.intercept_ / share + offset / share,
        )

    def score(self, data: Applications) -> np.ndarray:
        """Each applicant's points."""
        if not self.features_:
            return np.full(len(data), self.scaling.offset + self.scaling.factor * self.intercept_)
        return np.sum([f.points_of(data.column(f.bins.name)) for f in self.features_], axis=0)

    def predict_proba(self, data: Applications) -> np.ndarray:
        """Each applicant's probability of default."""
        return self.scaling.probability_of_default(self.score(data))

    def reason_codes(self, data: Applications, *, top: int = 3) -> ReasonCodes:
        """Per applicant, the features that cost the most points against their best bin,
        as arrays (the way to explain a million scores at once)."""
        rows = len(data)
        if not self.features_ or top <= 0:
            empty = np.full((rows, 0), -1)
            return ReasonCodes(empty, empty, np.zeros((rows, 0)))
        lost = np.column_stack(
            [max(f.points) - f.points_of(data.column(f.bins.name)) for f in self.features_]
        )
        bins = np.column_stack(
            [
                f.bins.bin_index_values(
                    data.column(f.bins.name), np.arange(len(f.bins.bins), dtype=float)
                )
                for f in self.features_
            ]
        ).astype(int)
        order = np.argsort(-lost, axis=1, kind="stable")[:, :top]
        chosen_lost = np.take_along_axis(lost, order, axis=1)
        is_reason = chosen_lost > REASON_MIN_POINTS
        return ReasonCodes(
            features=np.where(is_reason, order, -1),
            bins=np.where(is_reason, np.take_along_axis(bins, order, axis=1), -1),
            points_lost=np.where(is_reason, chosen_lost, 0.0),
        )

    def reasons(self, data: Applications, *, top: int = 3) -> list[list[Reason]]:
        """Per applicant, the features that cost the most points against their best bin."""
        codes = self.reason_codes(data, top=top)
        return [
            [
                Reason(
                    feature=self.features_[feature].bins.name,
                    bin=self.features_[feature].bins.bins[bin_index].label,
                    points_lost=round(float(lost), 1),
                )
                for feature, bin_index, lost in zip(features, bins, losses, strict=True)
                if feature >= 0
            ]
            for features, bins, losses in zip(
                codes.features, codes.bins, codes.points_lost, strict=True
            )
        ]

    def reason_texts(self, data: Applications, *, top: int = 3) -> list[np.ndarray]:
        """The reasons as ``feature: bin`` texts, one array per rank (``None`` where an
        applicant has fewer reasons)."""
        codes = self.reason_codes(data, top=top)
        texts = [
            np.array([f"{f.bins.name}: {b.label}" for b in f.bins.bins], dtype=object)
            for f in self.features_
        ]
        offsets = np.cumsum([0, *(len(table) for table in texts)])
        flat = np.concatenate([*texts, np.array([None], dtype=object)])
        none = len(flat) - 1
        return [
            flat[
                np.where(
                    codes.features[:, rank] >= 0,
                    offsets[np.maximum(codes.features[:, rank], 0)] + codes.bins[:, rank],
                    none,
                )
            ]
            for rank in range(codes.features.shape[1])
        ]

    def to_json(self) -> dict[str, Any]:
        """The documented, non-executable form of the card (``docs/credit.md``)."""
        in_card = {f.bins.name: f for f in self.features_}
        return {
            "format": SCORECARD_FORMAT,
            "version": FORMAT_VERSION,
            "scaling": {
                "points_to_double_odds": self.scaling.points_to_double_odds,
                "base_score": self.scaling.base_score,
                "base_odds": self.scaling.base_odds,
            },
            "coding": self.coding_.value,
            "intercept": self.intercept_,
            "bad_rate": self.bad_rate_,
            "special_codes": list(self.special_codes),
            "features": [
                _feature_json(binning, in_card.get(binning.name)) for binning in self.binnings_
            ],
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Scorecard:
        """A card saved by :meth:`to_json`; a ``ValueError`` says what is wrong."""
        if document.get("format") != SCORECARD_FORMAT or document.get("version") != 1:
            raise ValueError(f"not a {SCORECARD_FORMAT} document of version {FORMAT_VERSION}")
        try:
            card = cls(
                scaling=Scaling(**document["scaling"]),
                special_codes=tuple(float(code) for code in document["special_codes"]),
            )
            card.intercept_ = float(document["intercept"])
            card.coding_ = Coding(document["coding"])
            card.bad_rate_ = float(document["bad_rate"])
            card.binnings_ = []
            card.features_ = []
            for feature in document["features"]:
                binning = FeatureBins(
                    name=str(feature["name"]),
                    categorical=bool(feature["categorical"]),
                    bins=tuple(_bin_from_json(item) for item in feature["bins"]),
                    iv=float(feature["iv"]),
                )
                card.binnings_.append(binning)
                if feature["selected"]:
                    card.features_.append(
                        CardFeature(
                            bins=binning,
                            coefficient=None
                            if feature["coefficient"] is None
                            else float(feature["coefficient"]),
                            points=tuple(float(item["points"]) for item in feature["bins"]),
                            neutral_points=float(feature["neutral_points"]),
                        )
                    )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"the scorecard document is incomplete: {error}") from None
        return card


def _feature_json(binning: FeatureBins, in_card: CardFeature | None) -> dict[str, Any]:
    points = in_card.points if in_card else (None,) * len(binning.bins)
    return {
        "name": binning.name,
        "categorical": binning.categorical,
        "iv": round(binning.iv, 4),
        "selected": in_card is not None,
        "coefficient": in_card.coefficient if in_card else None,
        "neutral_points": in_card.neutral_points if in_card else None,
        "bins": [
            {
                "bin": b.label,
                "kind": b.kind.value,
                "low": b.low,
                "high": b.high,
                "categories": list(b.categories),
                "code": b.code,
                "count": b.count,
                "bads": b.bads,
                "bad_rate": round(b.bad_rate, 4),
                "woe": b.woe,
                "points": point,
            }
            for b, point in zip(binning.bins, points, strict=True)
        ],
    }


def _bin_from_json(item: dict[str, Any]) -> Bin:
    return Bin(
        kind=BinKind(item["kind"]),
        count=int(item["count"]),
        bads=int(item["bads"]),
        woe=float(item["woe"]),
        low=None if item["low"] is None else float(item["low"]),
        high=None if item["high"] is None else float(item["high"]),
        categories=tuple(str(category) for category in item["categories"]),
        code=None if item["code"] is None else float(item["code"]),
    )


def population_stability(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI = Σ (actual − expected) · ln(actual / expected) over the bins' shares (below 0.1
    stable, 0.1–0.25 watch, above 0.25 shifted)."""
    expected_share = np.maximum(np.asarray(expected, float) / np.sum(expected), PSI_FLOOR)
    actual_share = np.maximum(np.asarray(actual, float) / np.sum(actual), PSI_FLOOR)
    return float(np.sum((actual_share - expected_share) * np.log(actual_share / expected_share)))


def feature_stability(card: Scorecard, recent: Applications) -> list[dict[str, Any]]:
    """PSI of each feature in the card between its development sample (the bins' counts)
    and ``recent``; a value the development sample did not have counts in no bin."""
    result = []
    for feature in card.features_:
        binning = feature.bins
        positions = binning.bin_index_values(
            recent.column(binning.name), np.arange(1, len(binning.bins) + 1, dtype=float)
        ).astype(int)
        observed = np.bincount(positions, minlength=len(binning.bins) + 1)[1:]
        expected = np.array([b.count for b in binning.bins])
        result.append(
            {"name": binning.name, "psi": round(population_stability(expected, observed), 4)}
        )
    return result
