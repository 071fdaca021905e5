"""Propensity to respond, learnt from past campaign contacts and judged the way Moro, Cortez
& Rita (2014) judged theirs: by stratified cross-validation and, closer to use, by a window
rolling through the contacts in time order (pure, apart from reading the file).

The model is scikit-learn's histogram gradient boosting: it takes numbers as they are
(missing values included) and text columns as categories without one-hot encoding, so any
file of contacts fits without preparation. Early stopping is off, because its validation
split would make the fitted trees depend on a random draw of rows.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Self, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from pandas.api.types import is_numeric_dtype
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from bankcrm.churn.labelled import is_number, read_table
from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected

MAX_CATEGORIES = 255
"""Gradient boosting takes at most this many categories in a column; a text column's rarer
values share the last one."""
MIN_CATEGORY_ROWS = 5
"""A text value seen on fewer training rows than this joins the rare values, so that an
identifier or free text becomes one uninformative category instead of noise."""
MAX_NUMBER_CODES = 3
"""A text column of numbers with at most this many other values ("?", "-", "unknown") is a
number column in which those values are missing."""
TOP_SHARE = 0.1
"""The share of highest scores whose response rate the lift compares with the overall rate."""
MISSING = "(missing)"
BOOSTING_THREADS = 1
"""OpenMP threads of one fit. Boosting a few tens of thousands of rows gains little from
more, and loses much when the cores are shared: a fit on 20,000 contacts took 0.9 s on one
thread and 12 s on two on a busy two-core machine."""


@dataclass(frozen=True)
class Contacts:
    """Past contacts in file order: the features (text columns as text, numbers as
    floats) and whether each contact responded."""

    file: str
    features: pd.DataFrame
    responded: np.ndarray

    def __len__(self) -> int:
        return len(self.responded)


def read_contacts(
    path: Path,
    *,
    target: str,
    positive: tuple[str, ...],
    exclude: tuple[str, ...] = (),
    sep: str | None = None,
) -> Contacts:
    """Any CSV (or .csv.gz) with one row per contact and a ``target`` column; a contact
    responded when its target is one of ``positive``. Fields are separated by ``sep``, or by
    whichever of comma, semicolon, tab and bar the header uses most."""
    table = _read(path, sep)
    for name in (target, *exclude):
        if name not in table.column_names:
            raise ImportRejected(f"no column named {name!r}", file=path.name, row=None, column=name)
    labels = table.column(target).cast(pa.string())
    empty = pc.or_kleene(pc.is_null(labels), pc.equal(pc.utf8_trim_whitespace(labels), ""))
    if pc.any(empty).as_py():
        row = int(pc.index(empty, True).as_py()) + 1
        raise ImportRejected("the target is empty", file=path.name, row=row, column=target)
    responded = pc.is_in(labels, pa.array(positive, pa.string())).to_numpy(zero_copy_only=False)
    named = " or ".join(repr(value) for value in positive)
    if not responded.any():
        raise ImportRejected(
            f"no row has the positive value {named}; the column holds "
            f"{', '.join(repr(value) for value in pc.unique(labels).to_pylist()[:5])}",
            file=path.name,
            row=None,
            column=target,
        )
    if responded.all():
        raise ImportRejected(
            f"every row has the positive value {named}; a response model needs contacts "
            "that did not respond too",
            file=path.name,
            row=None,
            column=target,
        )
    features = table.drop_columns([target, *exclude])
    if not features.num_columns:
        raise ImportRejected(
            "no column is left to learn from", file=path.name, row=None, column=None
        )
    frame = pd.DataFrame({name: _feature(features.column(name)) for name in features.column_names})
    return Contacts(path.name, frame, responded.astype(bool))


def _read(path: Path, sep: str | None) -> pa.Table:
    if sep is None:
        return read_table(path)
    try:
        table = pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(delimiter=sep))
        kinds = table.schema.types  # a header that is not UTF-8 fails here
    except (pa.ArrowInvalid, UnicodeError) as error:
        raise files.csv_refusal(error, path, label=path.name, delimiter=sep) from None
    for name, kind in zip(table.column_names, kinds, strict=True):
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            not_text = ValueError(f"the column {name!r} is not UTF-8 text")
            raise files.csv_refusal(not_text, path, label=path.name, delimiter=sep)
    return table


def _feature(column: pa.ChunkedArray) -> np.ndarray:
    """Numbers and dates as floats (NaN where missing), anything else as text with missing
    values (empty fields too) as a category of their own."""
    if is_number(column.type):
        return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), float)
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        days = pc.cast(pc.cast(column, pa.timestamp("s")), pa.int64())
        return np.asarray(pc.cast(days, pa.float64()).to_numpy(zero_copy_only=False), float)
    text = pd.Series(column.cast(pa.string()).to_pylist(), dtype=object)
    text = text.where(text.str.strip() != "", None)
    numbers = pd.to_numeric(text, errors="coerce")
    codes = text[numbers.isna() & text.notna()].unique()
    if numbers.notna().any() and len(codes) <= MAX_NUMBER_CODES:
        return numbers.to_numpy(dtype=float)
    return text.fillna(MISSING).to_numpy(dtype=object)


class ResponseModel:
    """Histogram gradient boosting on numbers and text categories.

    Parameters
    ----------
    learning_rate, max_iter, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. The defaults
        grow small, well-filled trees: past contacts drift with the economy, and scikit-learn's
        defaults (31 leaves of 20 contacts) scored 0.02 worse on later months of the UCI
        Bank Marketing file.
    random_state : int
        Seed of the boosting, so that runs repeat.

    Attributes
    ----------
    categories_ : tuple of str
        The text columns, encoded as categories.
    encoder_ : OrdinalEncoder or None
        Codes of the text values seen in training; rare values share one code, unseen ones
        are missing.
    estimator_ : HistGradientBoostingClassifier
    """

    def __init__(
        self,
        *,
        learning_rate: float = 0.05,
        max_iter: int = 100,
        max_leaf_nodes: int = 7,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(self, features: pd.DataFrame, responded: np.ndarray) -> Self:
        labels = np.asarray(responded, dtype=bool)
        if len(labels) != len(features):
            raise ValueError("one outcome per contact is needed")
        if labels.all() or not labels.any():
            raise ValueError("contacts that responded and contacts that did not are both needed")
        self.categories_ = tuple(
            name for name in features.columns if not is_numeric_dtype(features[name])
        )
        self.encoder_ = (
            OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=np.nan,
                max_categories=MAX_CATEGORIES,
                min_frequency=MIN_CATEGORY_ROWS,
            ).fit(features[list(self.categories_)])
            if self.categories_
            else None
        )
        boosting = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            categorical_features=[name in self.categories_ for name in features.columns],
            early_stopping=False,
            random_state=self.random_state,
        )
        with threadpool_limits(limits=BOOSTING_THREADS, user_api="openmp"):
            self.estimator_ = boosting.fit(self._matrix(features), labels)
        return self

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Each contact's probability of responding."""
        with threadpool_limits(limits=BOOSTING_THREADS, user_api="openmp"):
            return np.asarray(self.estimator_.predict_proba(self._matrix(features))[:, 1])

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        matrix = np.empty(features.shape, dtype=float)
        numbers = [i for i, name in enumerate(features.columns) if name not in self.categories_]
        matrix[:, numbers] = features.iloc[:, numbers].to_numpy(dtype=float)
        if self.encoder_ is not None:
            texts = [i for i, name in enumerate(features.columns) if name in self.categories_]
            matrix[:, texts] = self.encoder_.transform(features.iloc[:, texts])
        return matrix


def out_of_fold(contacts: Contacts, *, folds: int, seed: int) -> np.ndarray:
    """Each contact's score from the model fitted on the other folds of a stratified
    ``folds``-fold split (shuffled with ``seed``), pooled over the folds."""
    responded = contacts.responded
    fewer = min(int(responded.sum()), int((~responded).sum()))
    if fewer < folds:
        raise ImportRejected(
            f"{folds} folds need at least {folds} contacts that responded and {folds} that "
            f"did not; there are {int(responded.sum()):,} responses in {len(contacts):,} rows",
            file=contacts.file,
            row=None,
            column=None,
        )
    pooled = np.empty(len(contacts))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in split.split(np.zeros(len(contacts)), responded):
        model = ResponseModel(random_state=seed)
        model.fit(contacts.features.iloc[train], responded[train])
        pooled[test] = model.predict_proba(contacts.features.iloc[test])
    return pooled


@dataclass(frozen=True)
class RollingPredictions:
    """Scores of the contacts after the first training window, each from the model fitted
    on the ``train_rows`` contacts before its window."""

    rows: np.ndarray
    """0-based rows of the file, in file order."""
    scores: np.ndarray
    starts: tuple[int, ...]
    """The first row of each window's predictions."""

    @property
    def windows(self) -> int:
        return len(self.starts)


def rolling(
    contacts: Contacts, *, train_rows: int, test_rows: int, seed: int
) -> RollingPredictions:
    """Fit on ``train_rows`` consecutive contacts, score the next ``test_rows`` (the last
    window: the rest of the file), slide by ``test_rows`` and repeat to the end of the file."""
    if len(contacts) < train_rows + test_rows:
        raise ImportRejected(
            f"{len(contacts):,} rows are fewer than one rolling window of "
            f"{train_rows + test_rows:,} ({train_rows:,} to train on, {test_rows:,} to predict)",
            file=contacts.file,
            row=None,
            column=None,
        )
    starts = tuple(range(train_rows, len(contacts), test_rows))
    scores: list[np.ndarray] = []
    for start in starts:
        history = slice(start - train_rows, start)
        outcomes = contacts.responded[history]
        if outcomes.all() or not outcomes.any():
            raise ImportRejected(
                f"rows {start - train_rows + 1:,}–{start:,}, a training window, hold only "
                "contacts that " + ("responded" if outcomes.any() else "did not respond"),
                file=contacts.file,
                row=None,
                column=None,
            )
        model = ResponseModel(random_state=seed).fit(contacts.features.iloc[history], outcomes)
        scores.append(model.predict_proba(contacts.features.iloc[start : start + test_rows]))
    return RollingPredictions(np.arange(train_rows, len(contacts)), np.concatenate(scores), starts)


def lift(responded: np.ndarray, scores: np.ndarray, share: float = TOP_SHARE) -> float:
    """Response rate of the ``share`` of contacts with the highest scores over the response
    rate of all of them."""
    top = np.argsort(-scores, kind="stable")[: max(1, round(share * len(scores)))]
    return float(responded[top].mean() / responded.mean())


def window_aucs(responded: np.ndarray, predictions: RollingPredictions) -> list[float | None]:
    """The AUC within each window (``None`` where a window holds one class): what is left of
    the pooled AUC once the differences between periods are taken out."""
    bounds = (*predictions.starts, int(predictions.rows[-1]) + 1)
    offset = bounds[0]
    aucs: list[float | None] = []
    for start, end in itertools.pairwise(bounds):
        outcomes = responded[start:end]
        scores = predictions.scores[start - offset : end - offset]
        both = outcomes.any() and not outcomes.all()
        aucs.append(float(roc_auc_score(outcomes, scores)) if both else None)
    return aucs


class Report(TypedDict):
    """What ``bankcrm campaigns response-model`` prints. The lift and the rolling AUC are
    over the rows the rolling window predicted."""

    auc_cv: float
    auc_rolling: float
    windows: int
    lift_top_decile: float
    rows: int
    positive_rate: float
    rolling_rows: int
    rolling_positive_rate: float
    auc_by_window: list[float | None]


def judge(
    contacts: Contacts, *, folds: int, seed: int, train_rows: int, test_rows: int
) -> tuple[Report, RollingPredictions]:
    """The report of ``bankcrm campaigns response-model`` and the rolling predictions."""
    predictions = rolling(contacts, train_rows=train_rows, test_rows=test_rows, seed=seed)
    predicted = contacts.responded[predictions.rows]
    if predicted.all() or not predicted.any():
        raise ImportRejected(
            f"the {len(predicted):,} rows after the first training window all "
            + ("responded" if predicted.any() else "did not respond")
            + "; the rolling AUC needs both",
            file=contacts.file,
            row=None,
            column=None,
        )
    pooled = out_of_fold(contacts, folds=folds, seed=seed)
    report: Report = {
        "auc_cv": float(roc_auc_score(contacts.responded, pooled)),
        "auc_rolling": float(roc_auc_score(predicted, predictions.scores)),
        "windows": predictions.windows,
        "lift_top_decile": lift(predicted, predictions.scores),
        "rows": len(contacts),
        "positive_rate": float(contacts.responded.mean()),
        "rolling_rows": len(predicted),
        "rolling_positive_rate": float(predicted.mean()),
        "auc_by_window": window_aucs(contacts.responded, predictions),
    }
    return report, predictions


def write_predictions(path: Path, predictions: RollingPredictions) -> None:
    """CSV ``row,score``: each predicted contact's 0-based row in the file and its score,
    written exactly so that the file reproduces the rolling AUC."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("row", "score"))
        out.writerows(
            (int(row), repr(float(score)))
            for row, score in zip(predictions.rows, predictions.scores, strict=True)
        )
