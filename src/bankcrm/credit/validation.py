"""Reading an application file, and judging a scorecard against a plain logistic regression
by the same stratified cross-validation (pure, apart from reading the file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from bankcrm.churn.labelled import is_number, read_labelled_table
from bankcrm.credit.scorecard import Applications, Scorecard

MAX_CATEGORIES = 1_000
"""A text column with more different values than this is an identifier or free text, and is
left out (and named in the result)."""
SENTINEL_MIN = 99


@dataclass(frozen=True)
class ApplicationFile:
    applications: Applications
    bad: np.ndarray
    left_out: tuple[str, ...]
    """Text columns with too many different values to bin (identifiers, free text)."""


def read_applications(
    path: Path, *, target: str, bad_values: tuple[str, ...], exclude: tuple[str, ...] = ()
) -> ApplicationFile:
    """Any CSV (or .csv.gz) with one row per loan and a target column; rows whose target is
    one of ``bad_values`` are bad. Numbers stay numbers, everything else is text."""
    table, bad = read_labelled_table(
        path, label_column=target, positive=bad_values, exclude=exclude, meaning="bad"
    )
    applications, left_out = applications_of(table)
    return ApplicationFile(applications, bad, left_out)


def applications_of(table: pa.Table) -> tuple[Applications, tuple[str, ...]]:
    """The table's columns as features: numbers as floats, anything else as text; text
    columns with more than ``MAX_CATEGORIES`` values are left out and named."""
    names: list[str] = []
    columns: list[np.ndarray] = []
    categorical: list[bool] = []
    left_out: list[str] = []
    for name in table.column_names:
        column = table.column(name)
        if is_number(column.type):
            values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            columns.append(np.asarray(values, dtype=float))
            categorical.append(False)
        else:
            text = column.cast(pa.string())
            if pc.count_distinct(text).as_py() > MAX_CATEGORIES:
                left_out.append(name)
                continue
            columns.append(np.asarray(text.to_pylist(), dtype=object))
            categorical.append(True)
        names.append(name)
    return Applications(tuple(names), tuple(columns), tuple(categorical)), tuple(left_out)


def sentinel_codes(data: Applications) -> tuple[float, ...]:
    """Numbers that stand for "none" or "unknown" rather than an amount: 99, 999, 9999 …
    (or their negatives) that are a column's extreme and more than twice as far from zero
    as any other value of it."""
    found: set[float] = set()
    for column, categorical in zip(data.columns, data.categorical, strict=True):
        if categorical:
            continue
        values = column[~np.isnan(column)]
        if not len(values):
            continue
        for extreme in {float(values.max()), float(values.min())}:
            magnitude = abs(extreme)
            if magnitude < SENTINEL_MIN or set(f"{magnitude:.0f}") != {"9"}:
                continue
            if magnitude != int(magnitude):
                continue
            others = np.abs(values[values != extreme])
            if not len(others) or magnitude > 2 * float(others.max()):
                found.add(extreme)
    return tuple(sorted(found))


@dataclass(frozen=True)
class Discrimination:
    auc: float
    ks: float
    gini: float


def discrimination(bad: np.ndarray, probability: np.ndarray) -> Discrimination:
    """AUC, Kolmogorov–Smirnov (largest gap between the bads' and goods' cumulative score
    distributions) and Gini (2·AUC − 1) of scores against outcomes."""
    auc = float(roc_auc_score(bad, probability))
    false_positive, true_positive, _ = roc_curve(bad, probability)
    return Discrimination(
        auc=round(auc, 4),
        ks=round(float(np.max(true_positive - false_positive)), 4),
        gini=round(2 * auc - 1, 4),
    )


def out_of_fold(
    data: Applications,
    bad: np.ndarray,
    fit_predict: Callable[[Applications, np.ndarray, Applications], np.ndarray],
    *,
    folds: int,
    seed: int,
) -> np.ndarray:
    """Each row's predicted PD from the model fitted on the other folds of a stratified
    ``folds``-fold split, pooled over the folds."""
    bads = int(bad.sum())
    if min(bads, len(bad) - bads) < folds:
        raise ValueError(
            f"{folds} folds need at least {folds} good and {folds} bad rows; "
            f"there are {bads} bad of {len(bad)}"
        )
    pooled = np.empty(len(bad))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in split.split(np.zeros(len(bad)), bad):
        pooled[test] = fit_predict(data.rows(train), bad[train], data.rows(test))
    return pooled


def scorecard_predictions(
    make: Callable[[], Scorecard],
) -> Callable[[Applications, np.ndarray, Applications], np.ndarray]:
    def fit_predict(train: Applications, bad: np.ndarray, test: Applications) -> np.ndarray:
        return make().fit(train, bad).predict_proba(test)

    return fit_predict


def baseline_predictions(train: Applications, bad: np.ndarray, test: Applications) -> np.ndarray:
    """The comparison model: numbers median-imputed and standardised, text one-hot encoded
    (missing as its own category), an L2 logistic regression."""
    numeric = [i for i, categorical in enumerate(train.categorical) if not categorical]
    text = [i for i, categorical in enumerate(train.categorical) if categorical]

    def matrix(data: Applications) -> np.ndarray:
        return np.column_stack(
            [
                data.columns[i]
                if not data.categorical[i]
                else np.array(
                    [value if value is not None else "(missing)" for value in data.columns[i]],
                    dtype=object,
                )
                for i in range(len(data.names))
            ]
        ).astype(object)

    model = make_pipeline(
        ColumnTransformer(
            [
                (
                    "numbers",
                    make_pipeline(
                        SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
                    ),
                    numeric,
                ),
                ("text", OneHotEncoder(handle_unknown="ignore"), text),
            ]
        ),
        LogisticRegression(max_iter=2000),
    )
    model.fit(matrix(train), bad)
    return np.asarray(model.predict_proba(matrix(test))[:, 1])
