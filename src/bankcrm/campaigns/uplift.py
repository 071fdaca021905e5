"""Whom to target: an uplift model fitted on past campaigns with random control groups,
judged by the Qini curve of cross-fitted scores.

The model is a two-model (T-learner) estimate: one gradient-boosting classifier of the
response among treated members, one among controls; a member's uplift is the difference of
the two probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold

from bankcrm.campaigns import evaluation
from bankcrm.churn.labelled import MAX_CATEGORIES, is_number, read_table
from bankcrm.churn.model import FeatureMatrix
from bankcrm.core.exceptions import ImportRejected, ValidationFailed

CURVE_SHARES = np.linspace(0.0, 1.0, 21)
"""Shares of the members, best first, at which the reported Qini curve is read."""
TOP_SHARE = 0.1
BOOTSTRAP_SAMPLES = 1000


class UpliftModel:
    """Two gradient-boosting classifiers, treated and control, whose difference of
    probabilities is each member's estimated uplift.

    Parameters
    ----------
    random_state : int
        Seed of the boosting's validation split, so runs repeat.

    Attributes
    ----------
    treated_model_, control_model_ : HistGradientBoostingClassifier
    feature_names_ : tuple of str
    """

    def __init__(self, *, random_state: int = 0) -> None:
        self.random_state = random_state

    def _classifier(self, matrix: FeatureMatrix) -> HistGradientBoostingClassifier:
        # Shallow, slow and strongly regularised: the difference of two models magnifies
        # each one's noise, and response rates are a few per cent.
        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=200,
            max_leaf_nodes=8,
            min_samples_leaf=40,
            l2_regularization=1.0,
            categorical_features=np.array(matrix.categorical),
            early_stopping=True,
            random_state=self.random_state,
        )

    def fit(self, matrix: FeatureMatrix, treated: np.ndarray, responded: np.ndarray) -> Self:
        treated = np.asarray(treated, dtype=bool)
        responded = np.asarray(responded, dtype=bool)
        if not len(treated) == len(responded) == len(matrix):
            raise ValueError("one treatment flag and one response per member are needed")
        for name, members in (("treated", treated), ("control", ~treated)):
            answers = responded[members]
            if answers.all() or not answers.any():
                raise ValueError(f"the {name} members need both responders and non-responders")
        self.treated_model_ = self._classifier(matrix).fit(
            matrix.values[treated], responded[treated]
        )
        self.control_model_ = self._classifier(matrix).fit(
            matrix.values[~treated], responded[~treated]
        )
        self.feature_names_ = matrix.names
        return self

    def predict(self, matrix: FeatureMatrix) -> np.ndarray:
        """Each member's estimated uplift: probability of responding if treated minus if not."""
        if matrix.names != self.feature_names_:
            raise ValueError("the features differ from the ones the model was fitted on")
        if len(matrix) == 0:
            return np.zeros(0)
        treated = self.treated_model_.predict_proba(matrix.values)[:, 1]
        control = self.control_model_.predict_proba(matrix.values)[:, 1]
        return np.asarray(treated - control, dtype=float)


def cross_fitted_uplift(
    matrix: FeatureMatrix,
    treated: np.ndarray,
    responded: np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Each member's uplift from a model fitted on the other folds, so a Qini curve of these
    scores judges the model on members it has not seen. The folds keep the shares of
    treated/control × responded/not."""
    strata = 2 * np.asarray(treated, dtype=int) + np.asarray(responded, dtype=int)
    smallest = np.bincount(strata, minlength=4).min()
    if smallest < folds:
        raise ValidationFailed(
            f"{folds} folds need at least {folds} responders and {folds} non-responders in "
            f"both the treatment and the control group; the smallest of these has {smallest}",
            field="folds",
        )
    scores = np.empty(len(matrix))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(matrix.values, strata):
        model = UpliftModel(random_state=seed).fit(
            matrix.rows(train), treated[train], responded[train]
        )
        scores[test] = model.predict(matrix.rows(test))
    return scores


@dataclass(frozen=True)
class QiniCurve:
    """Radcliffe's Qini curve: taking members in decreasing score, after ``taken`` of them
    the treated responders among them minus the control responders scaled to the number of
    treated among them (``incremental``). Points fall at the end of each run of equal
    scores, as a tie has no order."""

    taken: np.ndarray
    incremental: np.ndarray
    members: int
    treated: int

    def at(self, shares: np.ndarray) -> np.ndarray:
        """The incremental responses after taking each share of the members (interpolated)."""
        return np.interp(shares * self.members, self.taken, self.incremental)

    @property
    def coefficient(self) -> float:
        """Area between the curve and the random line (straight to the curve's end), with
        the share of members on one axis and incremental responses per treated member on
        the other: 0 for a random ranking, in units of response rate × share."""
        x = self.taken / self.members
        y = self.incremental / self.treated
        return float(np.trapezoid(y, x) - y[-1] / 2)


def qini_curve(scores: np.ndarray, treated: np.ndarray, responded: np.ndarray) -> QiniCurve:
    """The Qini curve of ``scores`` (higher first) on members with known treatment and
    response."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    ranked = np.asarray(scores, dtype=float)[order]
    treated_sorted = np.asarray(treated, dtype=bool)[order]
    responded_sorted = np.asarray(responded, dtype=bool)[order]
    treated_count = np.cumsum(treated_sorted)
    control_count = np.cumsum(~treated_sorted)
    treated_responses = np.cumsum(treated_sorted & responded_sorted)
    control_responses = np.cumsum(~treated_sorted & responded_sorted)
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    scale = np.divide(
        treated_count[ends],
        control_count[ends],
        out=np.zeros(len(ends)),
        where=control_count[ends] > 0,
    )
    incremental = treated_responses[ends] - control_responses[ends] * scale
    return QiniCurve(
        taken=np.concatenate([[0.0], ends + 1.0]),
        incremental=np.concatenate([[0.0], incremental]),
        members=len(order),
        treated=int(treated_count[-1]),
    )


def qini_interval(
    scores: np.ndarray,
    treated: np.ndarray,
    responded: np.ndarray,
    *,
    confidence: float = 0.95,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the Qini coefficient, drawing treated members from
    the treated and controls from the controls so each sample keeps the design. The scores
    stay as they are: the interval is of the evaluation, not of refitting the model."""
    generator = np.random.default_rng(seed)
    treated = np.asarray(treated, dtype=bool)
    arms = [np.flatnonzero(treated), np.flatnonzero(~treated)]
    coefficients = np.empty(samples)
    for sample in range(samples):
        rows = np.concatenate([generator.choice(arm, size=len(arm)) for arm in arms])
        coefficients[sample] = qini_curve(scores[rows], treated[rows], responded[rows]).coefficient
    tail = (1 - confidence) / 2
    low, high = np.quantile(coefficients, [tail, 1 - tail])
    return float(low), float(high)


def top_uplift(
    scores: np.ndarray, treated: np.ndarray, responded: np.ndarray, share: float = TOP_SHARE
) -> float | None:
    """Treated response rate minus control response rate among the ``share`` of members
    with the highest scores; ``None`` when that slice lacks either group."""
    taken = max(1, int(np.ceil(share * len(scores))))
    top = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:taken]
    in_treatment = treated[top]
    if in_treatment.all() or not in_treatment.any():
        return None
    return float(responded[top][in_treatment].mean() - responded[top][~in_treatment].mean())


def feature_matrix(table: pa.Table, file: str) -> FeatureMatrix:
    """Numbers stay numbers (empty cells NaN); text, dates and booleans become categories."""
    columns: list[np.ndarray] = []
    categorical: list[bool] = []
    for name in table.column_names:
        column = table.column(name)
        if is_number(column.type):
            columns.append(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
            categorical.append(False)
            continue
        encoded = pc.dictionary_encode(column.cast(pa.string())).combine_chunks()
        if len(encoded.dictionary) > MAX_CATEGORIES:
            raise ImportRejected(
                f"{len(encoded.dictionary):,} different values; a category column may have "
                f"at most {MAX_CATEGORIES} (leave identifiers out with --exclude)",
                file=file,
                row=None,
                column=name,
            )
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(float)
        missing = encoded.indices.is_null().to_numpy(zero_copy_only=False)
        columns.append(np.where(missing, np.nan, codes))
        categorical.append(True)
    if not columns:
        raise ImportRejected(
            "no feature column is left to model uplift with", file=file, row=None, column=None
        )
    return FeatureMatrix(tuple(table.column_names), np.column_stack(columns), tuple(categorical))


def uplift_file(
    path: Path,
    *,
    group_column: str,
    response_column: str,
    treatment: str = "treatment",
    control: str = "control",
    exclude: tuple[str, ...] = (),
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Cross-fitted uplift scores of a contacts file's members from every column but the
    group, the response and ``exclude``, and the Qini curve and coefficient they earn."""
    table = read_table(path)
    for name in (group_column, response_column, *exclude):
        if name not in table.column_names:
            raise ImportRejected(f"no column named {name!r}", file=path.name, row=None, column=name)
    treated = evaluation.group_membership(
        table, path, group_column, treatment=treatment, control=control
    )
    responded = evaluation.responses(table, path, response_column)
    features = table.drop_columns(list(dict.fromkeys((group_column, response_column, *exclude))))
    matrix = feature_matrix(features, path.name)
    try:
        scores = cross_fitted_uplift(matrix, treated, responded, folds=folds, seed=seed)
    except ValidationFailed as error:
        raise ValidationFailed(f"{path.name}: {error.message}", field=error.field) from error
    curve = qini_curve(scores, treated, responded)
    low, high = qini_interval(scores, treated, responded, seed=seed)
    incremental = curve.at(CURVE_SHARES)
    return {
        "qini": curve.coefficient,
        "qini_ci": [low, high],
        "folds": folds,
        "rows": len(matrix),
        "curve": [
            {"share": float(share), "incremental": float(value)}
            for share, value in zip(CURVE_SHARES, incremental, strict=True)
        ],
        "top_decile_uplift": top_uplift(scores, treated, responded),
    }
