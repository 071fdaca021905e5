"""The supervised churn model, its evaluation and each score's reasons (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

FloatArray = np.ndarray
PEER_FEATURE = "customer_type"
"""Similar customers are those of the same type: individual or corporate."""


@dataclass(frozen=True)
class FeatureMatrix:
    """Customers × features; NaN where a value is unknown. Categorical columns hold codes
    0, 1, … of their categories."""

    names: tuple[str, ...]
    values: FloatArray
    categorical: tuple[bool, ...]

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] != len(self.names):
            raise ValueError("the matrix needs one column per feature name")
        if len(self.categorical) != len(self.names):
            raise ValueError("say for every feature whether it is categorical")

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def rows(self, mask: np.ndarray) -> FeatureMatrix:
        return FeatureMatrix(self.names, self.values[mask], self.categorical)


@dataclass(frozen=True)
class Reason:
    """A feature that raises a customer's score: its value, a retained customer's typical
    value, and how much the probability falls when the value is set to the typical one."""

    feature: str
    value: float | None
    typical: float | None
    impact: float | None


class ChurnModel:
    """Gradient boosting with calibrated probabilities.

    Parameters
    ----------
    folds : int
        Cross-validation folds of the probability calibration.
    random_state : int
        Seed of the boosting's validation split, so runs repeat.
    peer_feature : str or None
        The feature that makes customers similar (individual or corporate: never compared
        with each other); a reason compares a customer with the typical customer of their
        own peer group. ``None`` compares everyone with everyone.

    Attributes
    ----------
    estimator_ : CalibratedClassifierCV
    typical_ : ndarray
        Median of each feature among the customers who stayed.
    peer_typical_ : dict of float to ndarray
        The same median within each peer group: the reference of reasons (``typical_`` for
        a group the training data did not have).
    feature_names_ : tuple of str
    churn_rate_ : float
        Share of churners in the training data.
    """

    def __init__(
        self, *, folds: int = 3, random_state: int = 0, peer_feature: str | None = PEER_FEATURE
    ) -> None:
        self.folds = folds
        self.random_state = random_state
        self.peer_feature = peer_feature

    def fit(self, matrix: FeatureMatrix, churned: np.ndarray) -> Self:
        labels = np.asarray(churned, dtype=bool)
        if len(labels) != len(matrix):
            raise ValueError("one label per customer is needed")
        positives = int(labels.sum())
        if positives < self.folds or len(labels) - positives < self.folds:
            raise ValueError(
                f"churners and stayers are both needed, at least {self.folds} of each; "
                f"there are {positives} churners of {len(labels)}"
            )
        boosting = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=300,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=1.0,
            categorical_features=np.array(matrix.categorical),
            early_stopping=True,
            random_state=self.random_state,
        )
        # Sigmoid (Platt) calibration: isotonic regression overfits the few churners of a
        # small bank's fold.
        self.estimator_ = CalibratedClassifierCV(boosting, method="sigmoid", cv=self.folds)
        self.estimator_.fit(matrix.values, labels)
        self.typical_ = known_median(matrix.values[~labels])
        self.feature_names_ = matrix.names
        self.peer_typical_ = peer_medians(matrix, ~labels, self.peer_feature)
        self.churn_rate_ = positives / len(labels)
        return self

    def _check(self, matrix: FeatureMatrix) -> None:
        if matrix.names != self.feature_names_:
            raise ValueError("the features differ from the ones the model was fitted on")

    def predict_proba(self, matrix: FeatureMatrix) -> FloatArray:
        """Each customer's probability of churning (none for a matrix without customers)."""
        self._check(matrix)
        if not len(matrix):
            return np.empty(0)
        return np.asarray(self.estimator_.predict_proba(matrix.values)[:, 1])

    def reasons(self, matrix: FeatureMatrix, *, top: int = 3) -> list[list[Reason]]:
        """Per customer, the features whose typical value would lower the score most.

        Each feature in turn is set to the value of the typical retained customer of the
        same peer group; the fall of the probability is that feature's share of the risk (a
        what-if, which needs no model-specific attribution and reads the way a manager asks:
        "what is unusual?").
        """
        self._check(matrix)
        if not len(matrix):
            return []
        base = self.predict_proba(matrix)
        typical = typical_rows(matrix, self.typical_, self.peer_typical_, self.peer_feature)
        falls = np.empty((len(matrix), len(self.feature_names_)))
        for column in range(len(self.feature_names_)):
            changed = matrix.values.copy()
            changed[:, column] = typical[:, column]
            falls[:, column] = base - self.estimator_.predict_proba(changed)[:, 1]
        order = np.argsort(-falls, axis=1)[:, :top]
        result = []
        for row, columns in enumerate(order):
            result.append(
                [
                    Reason(
                        feature=self.feature_names_[column],
                        value=reason_number(matrix.values[row, column]),
                        typical=reason_number(typical[row, column]),
                        impact=round(float(falls[row, column]), 4),
                    )
                    for column in columns
                    if falls[row, column] > 0
                ]
            )
        return result


def known_median(values: FloatArray) -> FloatArray:
    """Each column's median over its known values; NaN for a column with none (a feature
    nobody has, or no rows at all)."""
    return np.array(
        [
            np.median(column[~np.isnan(column)]) if (~np.isnan(column)).any() else np.nan
            for column in values.T
        ]
    )


def peer_medians(
    matrix: FeatureMatrix, rows: np.ndarray, peer_feature: str | None
) -> dict[float, FloatArray]:
    """:func:`known_median` of the ``rows`` within each peer group (each value of
    ``peer_feature``); empty without a peer feature."""
    if peer_feature is None or peer_feature not in matrix.names:
        return {}
    peers = matrix.values[:, matrix.names.index(peer_feature)]
    chosen = np.asarray(rows, dtype=bool)
    return {
        float(group): known_median(matrix.values[chosen & (peers == group)])
        for group in np.unique(peers[chosen & ~np.isnan(peers)])
    }


def typical_rows(
    matrix: FeatureMatrix,
    typical: FloatArray,
    by_peer: dict[float, FloatArray],
    peer_feature: str | None,
) -> FloatArray:
    """Each row's reference: its peer group's medians where the group has them (a column
    no member of the group knows falls back to ``typical``), else ``typical``."""
    result = np.tile(np.asarray(typical, dtype=float), (len(matrix), 1))
    if peer_feature is None or peer_feature not in matrix.names:
        return result
    peers = matrix.values[:, matrix.names.index(peer_feature)]
    for group, medians in by_peer.items():
        members = peers == group
        result[members] = np.where(np.isnan(medians), typical, medians)
    return result


def reason_number(value: float) -> float | None:
    """A value as a reason keeps it: four decimals, ``None`` where unknown (NaN)."""
    return None if np.isnan(value) else round(float(value), 4)


@dataclass(frozen=True)
class Evaluation:
    customers: int
    churners: int
    auc: float
    pr_auc: float
    """Average precision: the area under the precision-recall curve."""
    top_decile_lift: float
    """Churn rate among the tenth with the highest scores ÷ the churn rate of all."""


def top_decile(probability: FloatArray) -> np.ndarray:
    """Whether each score is among the highest tenth (at least one; a stable order, so ties
    do not depend on the platform's sort)."""
    chosen = np.zeros(len(probability), dtype=bool)
    if len(probability):
        top = max(1, int(np.ceil(len(probability) / 10)))
        chosen[np.argsort(-np.asarray(probability), kind="stable")[:top]] = True
    return chosen


def evaluate(probability: FloatArray, churned: np.ndarray) -> Evaluation:
    labels = np.asarray(churned, dtype=bool)
    if labels.all() or not labels.any():
        raise ValueError("evaluation needs churners and stayers")
    highest = top_decile(probability)
    return Evaluation(
        customers=len(labels),
        churners=int(labels.sum()),
        auc=round(float(roc_auc_score(labels, probability)), 4),
        pr_auc=round(float(average_precision_score(labels, probability)), 4),
        top_decile_lift=round(float(labels[highest].mean() / labels.mean()), 3),
    )


@dataclass(frozen=True)
class LeadTime:
    """How early the warnings came for the customers who churned."""

    churners: int
    """Customers who had churned by the last scoring day of the window, not by the first."""
    warned: int
    """Of whom were warned on a scoring day before the month they churned."""
    median_months: float | None
    """Median months between a churner's first warning and its churn month; ``None``
    when nobody was warned in time."""


def lead_time(warned: np.ndarray, churned: np.ndarray) -> LeadTime:
    """Months between each churner's first warning and the month it churned.

    Parameters
    ----------
    warned : ndarray of bool, customers × scoring months (oldest first)
        Whether the customer was warned on that month's scoring day.
    churned : ndarray of bool, customers × scoring months
        Whether the customer had churned by that day. The churners are those churned on
        the last day and not on the first; the churn month is the first day churned.

    Only warnings before the churn month count: a warning for a customer who has already
    churned is no warning.
    """
    warned = np.asarray(warned, dtype=bool)
    churned = np.asarray(churned, dtype=bool)
    if warned.shape != churned.shape or warned.ndim != 2:
        raise ValueError("one warning and one churn flag per customer and month are needed")
    months = churned.shape[1]
    ever = churned[:, -1] & ~churned[:, 0] if months else np.zeros(len(churned), bool)
    churn_month = np.argmax(churned, axis=1)
    before = warned & (np.arange(months)[None, :] < churn_month[:, None])
    caught = ever & before.any(axis=1)
    leads = churn_month[caught] - np.argmax(before[caught], axis=1)
    return LeadTime(
        churners=int(ever.sum()),
        warned=int(caught.sum()),
        median_months=round(float(np.median(leads)), 1) if len(leads) else None,
    )
