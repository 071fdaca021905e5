"""Fit the BTYD models on any purchases: the summary on the engine, the likelihood in SciPy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.analytics.engine import Engine, open_engine
from bankcrm.clv.btyd import BetaGeoModel, FloatArray, GammaGammaModel
from bankcrm.clv.purchases import day_number
from bankcrm.clv.summary import repeat_summary, repeats_by_day
from bankcrm.core.config import Settings
from bankcrm.core.enums import AnalyticsEngine, ClvModel
from bankcrm.core.exceptions import ValidationFailed

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class RepeatData:
    """The summary as arrays in weeks, the time unit of the models."""

    customer_id: pa.Array
    first_day: np.ndarray
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary: FloatArray
    """Mean repeat-day total (NaN without repeats): the published spend convention."""
    mean_amount: FloatArray
    """Mean of every purchase day's total, the first day's included."""
    holdout_frequency: FloatArray

    @classmethod
    def from_summary(cls, summary: pa.Table) -> RepeatData:
        def column(name: str) -> np.ndarray:
            return summary.column(name).to_numpy(zero_copy_only=False)

        return cls(
            customer_id=summary.column("customer_id").combine_chunks(),
            first_day=column("first_day").astype(np.int64),
            frequency=column("frequency").astype(float),
            recency=column("recency_days").astype(float) / DAYS_PER_WEEK,
            age=column("age_days").astype(float) / DAYS_PER_WEEK,
            monetary=pc.fill_null(summary.column("monetary"), np.nan)
            .to_numpy(zero_copy_only=False)
            .astype(float),
            mean_amount=column("mean_amount").astype(float),
            holdout_frequency=column("holdout_frequency").astype(float),
        )

    @property
    def repeat(self) -> np.ndarray:
        return self.frequency > 0


def summarise(
    connection: Engine,
    purchases: ir.Table,
    *,
    calibration_end: int,
    observation_end: int | None = None,
) -> RepeatData:
    """The repeat summary of ``purchases`` (``customer_id, day, amount``) on the engine; no
    rows when nobody has a purchase by the end of calibration."""
    summary = connection.to_arrow(
        repeat_summary(purchases, calibration_end=calibration_end, observation_end=observation_end)
    )
    return RepeatData.from_summary(summary)


def daily_repeats(
    connection: Engine, purchases: ir.Table, *, calibration_end: int
) -> tuple[np.ndarray, np.ndarray]:
    """Days and counts of the repeat transactions of the customers born in calibration."""
    daily = connection.to_arrow(repeats_by_day(purchases, calibration_end=calibration_end))
    return (
        daily.column("day").to_numpy().astype(float),
        daily.column("repeats").to_numpy().astype(float),
    )


def fit_purchases(
    purchases: pa.Table,
    *,
    model: ClvModel,
    calibration_end: date | None,
    engine: AnalyticsEngine,
    settings: Settings,
) -> dict[str, Any]:
    """Fit one model on ``purchases`` (``customer_id, day, amount``); the CLI's JSON."""
    last_day = int(pc.max(purchases.column("day")).as_py())
    end = day_number(calibration_end) if calibration_end else last_day
    with open_engine(engine, settings) as connection:
        data = summarise(
            connection, connection.register("purchases", purchases), calibration_end=end
        )
    if not len(data.frequency):
        raise ValidationFailed(
            "no customer has a purchase by the end of calibration", field="calibration_end"
        )
    fitted: BetaGeoModel | GammaGammaModel
    if model is ClvModel.BGNBD:
        fitted = BetaGeoModel().fit(data.frequency, data.recency, data.age)
    else:
        if pc.all(pc.is_null(purchases.column("amount"))).as_py():
            raise ValidationFailed("the spend model needs an amount column", field="amount_col")
        repeat = data.repeat & np.isfinite(data.monetary) & (data.monetary > 0)
        fitted = GammaGammaModel().fit(data.frequency[repeat], data.monetary[repeat])
    return {
        "model": model.value,
        "params": fitted.params_,
        "log_likelihood": fitted.log_likelihood_,
        "customers": fitted.customers_,
    }
