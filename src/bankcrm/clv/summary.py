"""Each customer's repeat-purchase history, written once for every analytics engine.

The conventions are those under which the published CDNOW figures come out: several
purchases on one day are one transaction, the first day is the customer's birth and not a
repeat, recency and age run from the first day, and the spend of a repeat transaction is
that day's total. Days are whole numbers; the caller converts them to its time unit.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

MINUTES_PER_DAY = 1_440


def purchase_days(purchases: ir.Table) -> ir.Table:
    """One row per customer and day with the day's total (``customer_id, day, amount``)."""
    return purchases.group_by(["customer_id", "day"]).aggregate(amount=purchases.amount.sum())


def repeat_summary(
    purchases: ir.Table, *, calibration_end: int, observation_end: int | None = None
) -> ir.Table:
    """Per customer born by ``calibration_end`` (a day number, inclusive): repeat transactions
    ``frequency``, days from the first to the last ``recency_days``, days from the first to
    the end of calibration ``age_days``, the mean repeat-day total ``monetary`` (null without
    repeats), the mean of every day's total ``mean_amount`` and the purchase days after
    calibration up to ``observation_end``."""
    days = purchase_days(purchases)
    calibration = days.filter(days.day <= calibration_end)
    births = calibration.group_by("customer_id").aggregate(first_day=calibration.day.min())
    dated = calibration.join(births, "customer_id")
    repeat = dated.day > dated.first_day
    history = dated.group_by("customer_id").aggregate(
        first_day=dated.first_day.min(),
        last_day=dated.day.max(),
        frequency=dated.count() - 1,
        repeat_amount=dated.amount.sum(where=repeat),
        total_amount=dated.amount.sum(),
    )
    zero = ibis.literal(0, type="int64")
    if observation_end is None:
        holdout = history.select("customer_id", holdout_frequency=zero)
    else:
        later = days.filter((days.day > calibration_end) & (days.day <= observation_end))
        holdout = later.group_by("customer_id").aggregate(holdout_frequency=later.count())
    joined = history.left_join(holdout, "customer_id").drop("customer_id_right")
    return joined.select(
        "customer_id",
        "first_day",
        "frequency",
        recency_days=joined.last_day - joined.first_day,
        age_days=calibration_end - joined.first_day,
        monetary=ibis.ifelse(
            joined.frequency > 0, joined.repeat_amount / joined.frequency, ibis.null()
        ).cast("float64"),
        mean_amount=(joined.total_amount / (joined.frequency + 1)).cast("float64"),
        holdout_frequency=joined.holdout_frequency.fill_null(zero).cast("int64"),
    ).order_by("customer_id")


def repeats_by_day(purchases: ir.Table, *, calibration_end: int) -> ir.Table:
    """Repeat transactions per day (``day, repeats``) of the customers born by
    ``calibration_end``, over the whole data: the actual line of the tracking chart."""
    days = purchase_days(purchases)
    births = (
        days.group_by("customer_id")
        .aggregate(first_day=days.day.min())
        .filter(lambda t: t.first_day <= calibration_end)
    )
    dated = days.join(births, "customer_id")
    repeats = dated.filter(dated.day > dated.first_day)
    return repeats.group_by("day").aggregate(repeats=repeats.count()).order_by("day")


def bank_purchases(transactions: ir.Table, *, offset_minutes: int) -> ir.Table:
    """The ledger's customer-initiated transactions as purchases on the bank's local day, the
    amount in yuan. Interest postings and other system bookings are not the customer's acts."""
    own = transactions.filter(transactions.customer_initiated)
    return own.select(
        "customer_id",
        day=((own.booked_min + offset_minutes) // MINUTES_PER_DAY).cast("int64"),
        amount=own.signed_cents.abs().cast("float64") / 100,
    )
