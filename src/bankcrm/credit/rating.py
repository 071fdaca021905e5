"""Corporate credit rating (企业信用等级评定): an expert scorecard, kept as data.

The scorecard (``data/corporate_rating.toml``, or a bank's own file in the same format) weighs
the company's inner strength, as the handbook asks (industry outlook, ownership, culture,
management, leadership, strategic plan), together with its financial ratios. Each factor is
worth up to its weight in points, the weights add up to 100, and the total score falls in
one grade band, AAA…C. A rating keeps the version of the scorecard that made it.

Nothing here touches the web or the database.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from bankcrm.core.enums import CreditGrade
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import LocalizedText
from bankcrm.core.toml_reader import BandEntry, Interval, TomlReader
from bankcrm.credit import grades

SHIPPED_FILE = "corporate_rating.toml"
FULL_SCORE = 100
"""What the weights add up to, and so the score of a flawless company."""

RatingAnswer = str | float
"""The chosen option's code for a choice factor, the figure for a ratio."""


class FactorKind(StrEnum):
    CHOICE = "choice"
    """The rater picks one of the factor's options."""
    RATIO = "ratio"
    """A figure from the financial statements, scored by the band it falls in."""


class Better(StrEnum):
    """Which way a ratio gets better: a higher current ratio, a lower debt-to-assets ratio."""

    HIGHER = "higher"
    LOWER = "lower"


class RatingModelInvalid(ValidationFailed):
    """A scorecard file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class FactorScore:
    """What one factor earned in a rating."""

    code: str
    name: LocalizedText
    weight: int
    answer: RatingAnswer
    points: int

    @property
    def points_lost(self) -> int:
        """The points the company fell short of the factor's weight."""
        return self.weight - self.points


@dataclass(frozen=True)
class Option:
    code: str
    text: LocalizedText
    points: int


@dataclass(frozen=True)
class ChoiceFactor:
    code: str
    name: LocalizedText
    weight: int
    options: tuple[Option, ...]

    def score(self, answer: object) -> FactorScore:
        codes = ", ".join(option.code for option in self.options)
        for option in self.options:
            if option.code == answer:
                return FactorScore(self.code, self.name, self.weight, option.code, option.points)
        raise ValidationFailed(
            f"{answer!r} is not an option of factor {self.code!r} ({codes})", field=self.code
        )


@dataclass(frozen=True)
class RatioBand:
    values: Interval
    points: int


@dataclass(frozen=True)
class RatioFactor:
    code: str
    name: LocalizedText
    weight: int
    better: Better
    bands: tuple[RatioBand, ...]
    """From the lowest values up; together they hold every finite number once."""

    def score(self, answer: object) -> FactorScore:
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise ValidationFailed(
                f"factor {self.code!r} is a ratio: give a number, not {answer!r}", field=self.code
            )
        # A ratio over a zero denominator, or a spreadsheet's error, must not pass for a value.
        if not math.isfinite(answer):
            raise ValidationFailed(
                f"factor {self.code!r} needs a finite number, not {answer}", field=self.code
            )
        band = next(band for band in self.bands if answer in band.values)
        return FactorScore(self.code, self.name, self.weight, answer, band.points)


Factor = ChoiceFactor | RatioFactor


@dataclass(frozen=True)
class GradeBand:
    grade: CreditGrade
    scores: Interval
    name: LocalizedText


@dataclass(frozen=True)
class RatingModel:
    """A validated scorecard: weights adding up to 100, grade bands over every score."""

    version: str
    title: LocalizedText
    factors: tuple[Factor, ...]
    grades: tuple[GradeBand, ...]
    """From the lowest scores (the worst grade) up."""

    def factor(self, code: str) -> Factor:
        for factor in self.factors:
            if factor.code == code:
                return factor
        raise KeyError(code)

    def grade_band(self, score: int) -> GradeBand:
        return next(band for band in self.grades if score in band.scores)


@dataclass(frozen=True)
class RatingResult:
    model_version: str
    factor_scores: tuple[FactorScore, ...]
    """One per factor, in the scorecard's order."""
    total: int
    grade: CreditGrade
    grade_name: LocalizedText
    costliest_factors: tuple[FactorScore, ...]
    """The factors that fell short of their weight, the most points lost first (ties in the
    scorecard's order): what the company would have to improve."""


def load(path: Traversable | str) -> RatingModel:
    """Read and validate a scorecard file (``data/corporate_rating.toml`` shows the format).

    Raises
    ------
    RatingModelInvalid
        On the first problem, naming the file, the entry
        (``factors[6] (debt_to_assets).bands[2].from``, ``grades[3] (B).grade``) and what is
        wrong with it.
    """
    reader = _Reader(str(path))
    return reader.model(reader.read(path))


@lru_cache(maxsize=1)
def load_shipped() -> RatingModel:
    """The scorecard that ships with bankcrm, from ``credit/data``."""
    return load(resources.files("bankcrm.credit") / "data" / SHIPPED_FILE)


def rate(model: RatingModel, answers: Mapping[str, RatingAnswer]) -> RatingResult:
    """Rate a company from a complete set of answers (factor code → option code or figure).

    Raises
    ------
    ValidationFailed
        If a factor is unanswered, a choice names no option of its factor, a ratio is not a
        finite number, or an answer is given to a factor the scorecard does not have;
        ``field`` is the factor's code.
    """
    for code in answers:
        if not any(factor.code == code for factor in model.factors):
            raise ValidationFailed(
                f"rating model {model.version} has no factor {code!r}", field=code
            )
    scores: list[FactorScore] = []
    for factor in model.factors:
        if factor.code not in answers:
            raise ValidationFailed(f"factor {factor.code!r} is not answered", field=factor.code)
        scores.append(factor.score(answers[factor.code]))
    total = sum(score.points for score in scores)
    band = model.grade_band(total)
    shortfalls = [score for score in scores if score.points_lost]
    return RatingResult(
        model_version=model.version,
        factor_scores=tuple(scores),
        total=total,
        grade=band.grade,
        grade_name=band.name,
        costliest_factors=tuple(sorted(shortfalls, key=lambda score: -score.points_lost)),
    )


class _Reader(TomlReader):
    invalid = RatingModelInvalid

    def model(self, data: dict[str, Any]) -> RatingModel:
        self.keys("the top level", data, {"version", "title", "factors", "grades"})
        version = self.string("version", data["version"])
        title = self.localized("title", data["title"])
        factors: list[Factor] = []
        for index, entry in enumerate(self.table_list("factors", data["factors"])):
            where = self.named(f"factors[{index}]", entry.get("code"))
            factor = self.factor(where, entry)
            if any(earlier.code == factor.code for earlier in factors):
                raise self.fail(where, f"factor {factor.code!r} is listed twice")
            factors.append(factor)
        total_weight = sum(factor.weight for factor in factors)
        if total_weight != FULL_SCORE:
            raise self.fail("factors", f"weights add up to {total_weight}, not {FULL_SCORE}")
        return RatingModel(
            version=version, title=title, factors=tuple(factors), grades=self.grades(data["grades"])
        )

    def factor(self, where: str, entry: dict[str, Any]) -> Factor:
        if "kind" not in entry:
            raise self.fail(where, "'kind' is missing")
        kind = self.choice(f"{where}.kind", entry["kind"], FactorKind)
        common = {"code", "kind", "name", "weight"}
        if kind is FactorKind.CHOICE:
            self.keys(where, entry, common | {"options"})
        else:
            self.keys(where, entry, common | {"better", "bands"})
        code = self.code(f"{where}.code", entry["code"])
        name = self.localized(f"{where}.name", entry["name"])
        weight = self.whole_number(f"{where}.weight", entry["weight"], minimum=1)
        if kind is FactorKind.CHOICE:
            options = self.options(f"{where}.options", entry["options"], weight)
            return ChoiceFactor(code=code, name=name, weight=weight, options=options)
        better = self.choice(f"{where}.better", entry["better"], Better)
        bands = self.ratio_bands(f"{where}.bands", entry["bands"], weight, better)
        return RatioFactor(code=code, name=name, weight=weight, better=better, bands=bands)

    def options(self, where: str, value: object, weight: int) -> tuple[Option, ...]:
        entries = self.table_list(where, value)
        if len(entries) < 2:
            raise self.fail(where, "a choice needs at least two options")
        options: list[Option] = []
        for index, entry in enumerate(entries):
            option_where = self.named(f"{where}[{index}]", entry.get("code"))
            self.keys(option_where, entry, {"code", "text", "points"})
            option = Option(
                code=self.code(f"{option_where}.code", entry["code"]),
                text=self.localized(f"{option_where}.text", entry["text"]),
                points=self.points(f"{option_where}.points", entry["points"], weight),
            )
            if any(earlier.code == option.code for earlier in options):
                raise self.fail(option_where, f"option {option.code!r} is listed twice")
            options.append(option)
        self.full_marks(where, [option.points for option in options], weight)
        return tuple(options)

    def ratio_bands(
        self, where: str, value: object, weight: int, better: Better
    ) -> tuple[RatioBand, ...]:
        entries = self.partition(where, value, {"points"})
        if len(entries) < 2:
            raise self.fail(where, "a ratio needs at least two bands")
        bands = [
            RatioBand(
                entry.interval, self.points(f"{entry.where}.points", entry.entry["points"], weight)
            )
            for entry in entries
        ]
        # Points that rise as the figure gets worse are a slip in the file, not a policy.
        for (lower, upper), entry in zip(itertools.pairwise(bands), entries[1:], strict=True):
            points_run_backwards = (
                upper.points < lower.points
                if better is Better.HIGHER
                else upper.points > lower.points
            )
            if points_run_backwards:
                raise self.fail(
                    f"{entry.where}.points",
                    f"{upper.points} after {lower.points} in the band below, "
                    f"but {better.value} values are better",
                )
        self.full_marks(where, [band.points for band in bands], weight)
        return tuple(bands)

    def points(self, where: str, value: object, weight: int) -> int:
        points = self.whole_number(where, value)
        if points > weight:
            raise self.fail(where, f"{points} is more than the factor's weight {weight}")
        return points

    def full_marks(self, where: str, points: list[int], weight: int) -> None:
        # Otherwise even a flawless company could not reach 100, and the grade bands would
        # not mean what they say.
        if max(points) != weight:
            raise self.fail(
                where, f"the best answer earns {max(points)} points, not the weight {weight}"
            )

    def grades(self, value: object) -> tuple[GradeBand, ...]:
        entries = self.partition("grades", value, {"grade", "name"})
        bands: list[GradeBand] = []
        for entry in entries:
            where = self.named(entry.where, entry.entry.get("grade"))
            grade = self.choice(f"{where}.grade", entry.entry["grade"], CreditGrade)
            if bands and not grades.worse(bands[-1].grade, grade):
                raise self.fail(
                    f"{where}.grade",
                    f"grades rise with the score, so {grade} cannot follow {bands[-1].grade}",
                )
            if not self.reachable(entry):
                raise self.fail(where, f"no score from 0 to {FULL_SCORE} falls in this band")
            name = self.localized(f"{where}.name", entry.entry["name"])
            bands.append(GradeBand(grade=grade, scores=entry.interval, name=name))
        return tuple(bands)

    @staticmethod
    def reachable(entry: BandEntry) -> bool:
        lowest_score = math.ceil(max(0, entry.interval.lower))
        return lowest_score <= FULL_SCORE and lowest_score in entry.interval
