"""Value every customer: BG/NBD and Gamma-Gamma on the bank's own transactions, checked on a
holdout, stored as the valuation of the day."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from bankcrm.analytics.engine import Engine, open_engine
from bankcrm.analytics.repository import read_ledger
from bankcrm.clv.btyd import BetaGeoModel, FitFailed, GammaGammaModel
from bankcrm.clv.fitting import DAYS_PER_WEEK, RepeatData, daily_repeats, summarise
from bankcrm.clv.models import ClvRun
from bankcrm.clv.purchases import day_number
from bankcrm.clv.repository import ClvRunRepository, ValueRepository
from bankcrm.clv.schemas import (
    ClvByQuadrantRead,
    ClvRunRead,
    ClvValidationRead,
    CustomerValueRead,
    QuadrantValueRead,
    ValuableCustomerPage,
    ValuableCustomerRead,
)
from bankcrm.clv.summary import bank_purchases
from bankcrm.clv.validation import Validation, validate
from bankcrm.clv.value import DAYS_PER_MONTH, lifetime_value
from bankcrm.core.clock import utcnow
from bankcrm.core.config import ClvSettings, Settings
from bankcrm.core.enums import AnalyticsEngine, Quadrant
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.money import from_cents
from bankcrm.segmentation.features import earlier_as_of
from bankcrm.segmentation.repository import RunRepository as SegmentRunRepository
from bankcrm.staff.models import StaffUser

OUTLOOK_MONTHS = 12
"""Expected transactions are shown for the next twelve months."""
MIN_SPENDERS = 10
"""Fewer customers with any spend than this, and the spend model is not fitted."""
ModelT = TypeVar("ModelT")


def offset_minutes(settings: Settings, as_of: date) -> int:
    """The bank's offset from UTC on the as-of day; purchases are dated on local days."""
    moment = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=ZoneInfo(settings.timezone))
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


@dataclass(frozen=True)
class TransactionOutlook:
    """P(alive) and expected transactions of every customer with a purchase by the day."""

    data: RepeatData
    model: BetaGeoModel
    p_alive: np.ndarray
    expected: np.ndarray


def transaction_outlook(
    connection: Engine, purchases: ir.Table, *, as_of: date, months: int
) -> TransactionOutlook | None:
    """Fit BG/NBD on everything up to ``as_of``; each customer's outlook for ``months``.
    ``None`` when no customer has transacted on more than one day by then: with no repeat
    at all the likelihood has no maximum, the fit ends on a bound and the expectations come
    out as NaN."""
    data = summarise(connection, purchases, calibration_end=day_number(as_of))
    if not data.frequency.any():
        return None
    model = _fit(lambda: BetaGeoModel().fit(data.frequency, data.recency, data.age))
    weeks = months * DAYS_PER_MONTH / DAYS_PER_WEEK
    p_alive = model.probability_alive(data.frequency, data.recency, data.age)
    expected = model.conditional_expected_transactions(
        weeks, data.frequency, data.recency, data.age
    )
    if not (np.isfinite(p_alive).all() and np.isfinite(expected).all()):
        raise ValidationFailed(
            f"the purchase model fitted to the data up to {as_of} gives no finite outlook "
            f"(parameters {model.params_})"
        )
    return TransactionOutlook(data=data, model=model, p_alive=p_alive, expected=expected)


def _fit(fit: Callable[[], ModelT]) -> ModelT:
    try:
        return fit()
    except (FitFailed, ValueError) as error:
        raise ValidationFailed(f"the lifetime value models cannot be fitted: {error}") from error


def _validation(
    connection: Engine, purchases: ir.Table, *, as_of: date, settings: ClvSettings
) -> Validation | None:
    """Fit on the data before the holdout months, compare with what happened in them;
    ``None`` when too little history precedes the holdout (nobody had repeated a purchase,
    or the fit does not converge): the valuation stands unchecked."""
    calibration_end = day_number(earlier_as_of(as_of, settings.holdout_months))
    end = day_number(as_of)
    data = summarise(connection, purchases, calibration_end=calibration_end, observation_end=end)
    if not data.frequency.any():
        return None
    try:
        model = BetaGeoModel().fit(data.frequency, data.recency, data.age)
    except FitFailed:
        return None
    days, repeats = daily_repeats(connection, purchases, calibration_end=calibration_end)
    return validate(
        model,
        frequency=data.frequency,
        recency=data.recency,
        age=data.age,
        holdout_frequency=data.holdout_frequency,
        holdout_length=(end - calibration_end) / DAYS_PER_WEEK,
        birth=data.first_day / DAYS_PER_WEEK,
        repeat_time=days / DAYS_PER_WEEK,
        repeat_count=repeats,
        calibration_end=calibration_end / DAYS_PER_WEEK,
    )


def _expected_spend(data: RepeatData) -> tuple[GammaGammaModel | None, np.ndarray]:
    """Each customer's expected amount per transaction day, and the spend model behind it:
    Gamma-Gamma, or ``None`` when fewer than ``MIN_SPENDERS`` customers spent anything; then
    nothing tells how far a customer's own mean strays from the population's, and the own
    mean stands (what Gamma-Gamma gives a customer with many transactions)."""
    # The first day in the ledger is not the start of a bank relationship (it began before
    # the records do), so unlike the published convention it is a spend observation too:
    # every customer has at least one, and none falls back on the population mean.
    observations = data.frequency + 1
    own_mean = np.maximum(data.mean_amount, 0)
    spenders = own_mean > 0
    if spenders.sum() < MIN_SPENDERS:
        return None, own_mean
    spend = _fit(lambda: GammaGammaModel().fit(observations[spenders], own_mean[spenders]))
    if not spend.finite_expectation(observations).all():
        # Spend too uneven for a finite population mean (q ≤ 1, as on the demo bank) leaves
        # the customers with the fewest transactions an infinite expectation unless p is
        # large enough; then q is held above 1, which gives every customer a finite one.
        spend = _fit(
            lambda: GammaGammaModel(finite_mean=True).fit(
                observations[spenders], own_mean[spenders]
            )
        )
    return spend, np.where(spenders, spend.expected_spend(observations, own_mean), 0.0)


@dataclass(frozen=True)
class Valuation:
    table: pa.Table
    """One row per customer with a purchase: the columns of ``customer_values``."""
    params: dict[str, Any]
    validation: Validation | None


def value_customers(
    connection: Engine, purchases: ir.Table, *, as_of: date, settings: ClvSettings
) -> Valuation:
    """Every customer's P(alive), expected transactions, expected spend and CLV on the day."""
    outlook = transaction_outlook(connection, purchases, as_of=as_of, months=OUTLOOK_MONTHS)
    if outlook is None:
        raise ValidationFailed(
            f"no customer has transacted on more than one day by {as_of}: the purchase "
            "model has no repeat behaviour to learn from"
        )
    data = outlook.data
    spend, expected_spend = _expected_spend(data)
    clv = lifetime_value(
        outlook.model,
        frequency=data.frequency,
        recency=data.recency,
        age=data.age,
        expected_spend=expected_spend,
        horizon_months=settings.horizon_months,
        annual_discount_rate=settings.annual_discount_rate,
        margin_rate=settings.margin_rate,
    )
    table = pa.table(
        {
            "customer_id": data.customer_id.cast(pa.int64()),
            "frequency": pa.array(data.frequency.astype(np.int64)),
            "recency_weeks": pa.array(np.round(data.recency, 4)),
            "age_weeks": pa.array(np.round(data.age, 4)),
            "average_amount_cents": pa.array(np.round(data.mean_amount * 100).astype(np.int64)),
            "p_alive": pa.array(np.round(outlook.p_alive, 6)),
            "expected_transactions": pa.array(np.round(outlook.expected, 4)),
            "expected_amount_cents": pa.array(np.round(expected_spend * 100).astype(np.int64)),
            "clv_cents": pa.array(np.round(clv * 100).astype(np.int64)),
        }
    )
    params = {
        "bgnbd": {
            **outlook.model.params_,
            "log_likelihood": outlook.model.log_likelihood_,
            "customers": outlook.model.customers_,
        },
    }
    if spend is not None:
        params["gammagamma"] = {
            **spend.params_,
            "log_likelihood": spend.log_likelihood_,
            "customers": spend.customers_,
        }
    validation = _validation(connection, purchases, as_of=as_of, settings=settings)
    return Valuation(table=table, params=params, validation=validation)


def run_clv(
    session: Session,
    *,
    settings: Settings,
    as_of: date,
    engine: AnalyticsEngine,
    created_by: StaffUser | None = None,
) -> ClvRunRead:
    """Value every customer as of ``as_of`` and keep the result as that day's valuation."""
    started = time.perf_counter()
    ledger = read_ledger(settings)
    with open_engine(engine, settings) as connection:
        purchases = bank_purchases(
            connection.register("transactions", ledger.transactions),
            offset_minutes=offset_minutes(settings, as_of),
        )
        valuation = value_customers(connection, purchases, as_of=as_of, settings=settings.clv)
    runs = ClvRunRepository(session)
    run = runs.replace(
        ClvRun(
            as_of=as_of,
            engine=engine,
            customers=valuation.table.num_rows,
            settings=settings.clv.model_dump(mode="json"),
            params=valuation.params,
            validation=asdict(valuation.validation) if valuation.validation else None,
            created_by_id=created_by.id if created_by else None,
        )
    )
    runs.add_table(valuation.table, run_id=run.id)
    run.finished_at = utcnow()
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    clv = valuation.table.column("clv_cents").to_numpy()
    return ClvRunRead(
        as_of=as_of,
        engine=engine,
        customers=run.customers,
        params=valuation.params,
        total_clv_cents=int(clv.sum()),
        bucket_mae=valuation.validation.bucket_mae if valuation.validation else None,
        tracking_mae=valuation.validation.tracking_mae if valuation.validation else None,
        holdout_error=valuation.validation.holdout_error if valuation.validation else None,
        seconds=run.seconds,
    )


def run_dates(session: Session) -> list[date]:
    return ClvRunRepository(session).dates()


def customer_value(session: Session, *, user: StaffUser, customer_id: int) -> CustomerValueRead:
    """The customer's latest valuation; another book's customer is not found."""
    run = ClvRunRepository(session).finished()
    value = ValueRepository(session, user).of_customer(run.id, customer_id)
    if value is None:
        raise NotFound(f"customer {customer_id} has no lifetime value")
    return CustomerValueRead(
        as_of=run.as_of,
        frequency=value.frequency,
        recency_weeks=value.recency_weeks,
        age_weeks=value.age_weeks,
        average_amount=from_cents(value.average_amount_cents)
        if value.average_amount_cents is not None
        else None,
        p_alive=value.p_alive,
        expected_transactions=value.expected_transactions,
        expected_amount=from_cents(value.expected_amount_cents),
        clv=from_cents(value.clv_cents),
        horizon_months=int(run.settings["horizon_months"]),
    )


def most_valuable(
    session: Session,
    *,
    user: StaffUser,
    as_of: date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> ValuableCustomerPage:
    """The customers the user sees by lifetime value, highest first: for an account
    manager, the most valuable customers of their own book."""
    run = ClvRunRepository(session).finished(as_of)
    rows, total = ValueRepository(session, user).most_valuable(
        run.id, offset=(page - 1) * page_size, limit=page_size
    )
    return ValuableCustomerPage(
        items=[
            ValuableCustomerRead(
                customer_id=customer.id,
                name=customer.name,
                customer_number=customer.external_id,
                manager_name=manager_name,
                clv=from_cents(value.clv_cents),
                expected_transactions=value.expected_transactions,
            )
            for value, customer, manager_name in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
        as_of=run.as_of,
        horizon_months=int(run.settings["horizon_months"]),
    )


def value_by_quadrant(
    session: Session, *, user: StaffUser, as_of: date | None = None
) -> ClvByQuadrantRead:
    """CLV and P(alive) per quadrant of the segmentation run on or before the valuation."""
    run = ClvRunRepository(session).finished(as_of)
    segments = SegmentRunRepository(session).latest(before=run.as_of + timedelta(days=1))
    if segments is None:
        raise NotFound(f"no segmentation run on or before {run.as_of}")
    rows = ValueRepository(session, user).by_quadrant(run.id, segments.id)
    return ClvByQuadrantRead(
        as_of=run.as_of,
        segments_as_of=segments.as_of,
        quadrants=[
            QuadrantValueRead(
                quadrant=quadrant,
                customers=customers,
                clv=from_cents(int(total or 0)),
                mean_clv=from_cents(round((total or 0) / customers)),
                mean_p_alive=round(float(p_alive or 0), 4),
            )
            for quadrant, customers, total, p_alive in sorted(
                rows, key=lambda row: list(Quadrant).index(Quadrant(row[0]))
            )
        ],
    )


def clv_validation(session: Session, *, as_of: date | None = None) -> ClvValidationRead:
    """The bank-wide holdout check of a valuation (no customer is named in it)."""
    run = ClvRunRepository(session).finished(as_of)
    if run.validation is None:
        raise NotFound(f"the valuation as of {run.as_of} had too little history to check")
    return ClvValidationRead(
        as_of=run.as_of,
        runs=run_dates(session),
        params=run.params,
        holdout_months=int(run.settings["holdout_months"]),
        **run.validation,
    )
