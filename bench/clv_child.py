"""Child process for the lifetime-value benchmark; each mode prints one JSON object last.

``summary LEDGER AS_OF OUT``: the whole pipeline, each step timed: the repeat
summary of a Parquet ledger's customer-initiated transactions on DuckDB, then our fit;
``OUT`` (written after the clock stops) keeps frequency, recency and T in weeks.
``ours DATA REPEATS``: ``BetaGeoModel().fit`` on those arrays, ``REPEATS`` times.
``lifetimes DATA REPEATS [weighted]``: ``lifetimes.BetaGeoFitter().fit`` on the same arrays;
``weighted`` gives it the distinct rows and their counts (its ``weights``) instead.
A run that does not converge at its default ``tol`` is recorded and run again with a
looser one.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bankcrm.analytics.engine import open_engine
from bankcrm.clv.btyd import BetaGeoModel, _Distinct
from bankcrm.clv.fitting import summarise
from bankcrm.clv.purchases import day_number
from bankcrm.clv.service import offset_minutes
from bankcrm.clv.summary import bank_purchases
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine

ARRAYS = ("frequency", "recency", "T")
LIFETIMES_TOL = 1e-7
"""``BetaGeoFitter.fit``'s default."""
LIFETIMES_MAX_TOL = 1e-4


def _params(model: BetaGeoModel) -> dict[str, float]:
    return model.params_


def _distinct(x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (x, t_x, T) rows and their counts, found as our fit finds them."""
    distinct = _Distinct.of(x, t_x, t)
    return np.column_stack(distinct.columns), distinct.counts.astype(np.int64)


def run_summary(ledger: Path, as_of: date, out: Path) -> dict[str, object]:
    """The pipeline: DuckDB scans the ledger's transactions, keeps the customer-initiated ones
    (no interest postings) on the bank's local day and summarises them; then our fit."""
    settings = Settings()
    started = time.perf_counter()
    with open_engine(AnalyticsEngine.DUCKDB, settings) as connection:
        transactions = connection.register_parquet("transactions", ledger / "transactions.parquet")
        data = summarise(
            connection,
            bank_purchases(transactions, offset_minutes=offset_minutes(settings, as_of)),
            calibration_end=day_number(as_of),
        )
    summarised = time.perf_counter()
    model = BetaGeoModel().fit(data.frequency, data.recency, data.age)
    fitted = time.perf_counter()
    pq.write_table(
        pa.table({"frequency": data.frequency, "recency": data.recency, "T": data.age}), out
    )
    rows, _ = _distinct(data.frequency, data.recency, data.age)
    return {
        "customers": len(data.frequency),
        "repeaters": int(np.count_nonzero(data.frequency)),
        "distinct": len(rows),
        "summary_seconds": summarised - started,
        "fit_seconds": fitted - summarised,
        "seconds": fitted - started,
        "params": _params(model),
        "log_likelihood": model.log_likelihood_,
    }


def _arrays(data: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = pq.read_table(data)
    x, t_x, t = (table.column(name).to_numpy() for name in ARRAYS)
    return x, t_x, t


class _Optimiser:
    """Wraps a module's ``minimize``: the last result and the objective evaluations so far."""

    def __init__(self, module: Any) -> None:
        self.minimize = module.minimize
        self.last: Any = None
        self.evaluations = 0
        module.minimize = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.last = self.minimize(*args, **kwargs)
        self.evaluations += int(self.last.nfev)
        return self.last


def run_ours(data: Path, repeats: int) -> dict[str, object]:
    from bankcrm.clv import btyd

    x, t_x, t = _arrays(data)
    started = time.perf_counter()
    _distinct(x, t_x, t)
    distinct_seconds = time.perf_counter() - started
    optimiser = _Optimiser(btyd.optimize)
    timings = []
    model = BetaGeoModel()
    for _ in range(repeats):
        started = time.perf_counter()
        model = BetaGeoModel().fit(x, t_x, t)
        timings.append(time.perf_counter() - started)
    return {
        "timings": timings,
        "distinct_seconds": distinct_seconds,
        "evaluations": optimiser.evaluations / repeats,
        "params": _params(model),
        "log_likelihood": model.log_likelihood_,
    }


def run_lifetimes(data: Path, repeats: int, weighted: bool) -> dict[str, object]:
    """Its default ``tol`` first; a fit that ends in ``ConvergenceError`` is recorded and tried
    again with ten times the tolerance, the workaround its issue tracker gives."""
    import lifetimes.fitters
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import ConvergenceError

    x, t_x, t = _arrays(data)
    weights: np.ndarray | None = None
    if weighted:
        rows, weights = _distinct(x, t_x, t)
        x, t_x, t = rows.T.copy()
    # lifetimes' fit ends with the autograd Hessian for the standard errors: timed on its own
    hessians: list[float] = []
    autograd_hessian = lifetimes.fitters.hessian

    def timed_hessian(function: Any) -> Any:
        inner = autograd_hessian(function)

        def call(*args: Any) -> Any:
            started = time.perf_counter()
            result = inner(*args)
            hessians.append(time.perf_counter() - started)
            return result

        return call

    lifetimes.fitters.hessian = timed_hessian
    optimiser = _Optimiser(lifetimes.fitters)
    tol = LIFETIMES_TOL
    failures: list[dict[str, object]] = []
    timings: list[float] = []
    fitter = BetaGeoFitter(penalizer_coef=0.0)
    # it prints the optimiser's result before raising: keep stdout for the JSON line
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        while len(timings) < repeats:
            started, evaluations = time.perf_counter(), optimiser.evaluations
            try:
                fitter = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, t, weights=weights, tol=tol)
            except ConvergenceError:
                failures.append(
                    {
                        "tol": tol,
                        "seconds": time.perf_counter() - started,
                        "message": str(optimiser.last.message),
                        "evaluations": optimiser.evaluations - evaluations,
                    }
                )
                tol *= 10
                if tol > LIFETIMES_MAX_TOL:
                    raise
                continue
            timings.append(time.perf_counter() - started)
            fit_evaluations = optimiser.evaluations - evaluations
    params = {name: float(fitter.params_[name]) for name in BetaGeoModel.parameter_names}
    # lifetimes' own likelihood at its estimates, on the unscaled data (its fit scales time)
    counts = np.ones_like(t) if weights is None else weights.astype(float)
    log_params = np.log([params[name] for name in BetaGeoModel.parameter_names])
    mean = BetaGeoFitter._negative_log_likelihood(log_params, x, t_x, t, counts, 0.0)
    return {
        "timings": timings,
        "tol": tol,
        "failures": failures,
        "evaluations": fit_evaluations,
        "hessian_seconds": statistics.median(hessians),
        "params": params,
        "log_likelihood": float(-mean * counts.sum()),
        "rows": len(t),
    }


def main() -> None:
    mode, *rest = sys.argv[1:]
    if mode == "summary":
        result = run_summary(Path(rest[0]), date.fromisoformat(rest[1]), Path(rest[2]))
    elif mode == "ours":
        result = run_ours(Path(rest[0]), int(rest[1]))
    elif mode == "lifetimes":
        result = run_lifetimes(Path(rest[0]), int(rest[1]), rest[2:] == ["weighted"])
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
