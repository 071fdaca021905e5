"""Per-customer aggregates for segmentation, written once in Ibis for every engine.

All arithmetic is on integers (cents × minutes, counts), so DuckDB and Spark return the
same numbers to the last digit; averages are taken afterwards in ``matrix.py``.

Business volume is the time-weighted average balance of every account (deposits, settlement,
loans and cards, in absolute value) plus wealth, fund and insurance holdings over the period.
A balance is known after every transaction: the booked ``balance_after`` where the core system
sends it, otherwise reconstructed backwards from the account's current balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

OPEN_END = 2**40
"""A time far beyond any period end (minutes), for accounts and holdings still open."""

FEATURE_COLUMNS = (
    "customer_id",
    "customer_type",
    "status",
    "branch_id",
    "manager_id",
    "credit_grade",
    "other_banks_assets_cents",
    "onboarded_min",
    "last_transaction_min",
    "first_opened_min",
    "balance_minutes",
    "balance_minutes_first",
    "balance_minutes_second",
    "transactions",
    "turnover_cents",
    "active_slices",
    "interactions",
    "product_categories",
    "accounts_opened",
    "open_accounts",
)
"""The columns ``customer_features`` returns, in order: the input of ``scoring.score``."""


@dataclass(frozen=True)
class Period:
    """The period ``[start, end)`` in epoch minutes that ends with the as-of day."""

    as_of: date
    months: int
    start: int
    end: int

    @classmethod
    def ending(cls, as_of: date, months: int, timezone: str) -> Period:
        zone = ZoneInfo(timezone)
        end = datetime.combine(as_of + timedelta(days=1), time(), zone)
        first = months_before(as_of + timedelta(days=1), months)
        start = datetime.combine(first, time(), zone)
        return cls(as_of, months, int(start.timestamp()) // 60, int(end.timestamp()) // 60)

    @property
    def middle(self) -> int:
        return self.start + (self.end - self.start) // 2

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def slice_minutes(self) -> int:
        """One of ``months`` equal slices: the unit of transaction frequency."""
        return self.minutes // self.months


def earlier_as_of(as_of: date, months: int) -> date:
    """The as-of day ``months`` earlier, month end to month end (2026-09-30 → 2026-03-31)."""
    return months_before(as_of + timedelta(days=1), months) - timedelta(days=1)


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))


def _overlap(start: ir.IntegerValue, end: ir.IntegerValue, lo: int, hi: int) -> ir.IntegerValue:
    """Minutes of ``[start, end)`` inside ``[lo, hi)``, never negative."""
    clipped_start = ibis.greatest(start, ibis.literal(lo))
    clipped_end = ibis.least(end, ibis.literal(hi))
    length = clipped_end - clipped_start
    return ibis.greatest(length, ibis.literal(0))


def _weighted(balance: ir.IntegerValue, start: ir.IntegerValue, end: ir.IntegerValue, p: Period):
    """Balance × minutes in the whole period and in its two halves."""
    return {
        "bm": balance * _overlap(start, end, p.start, p.end),
        "bm_first": balance * _overlap(start, end, p.start, p.middle),
        "bm_second": balance * _overlap(start, end, p.middle, p.end),
    }


def account_balance_minutes(
    accounts: ir.Table, transactions: ir.Table, period: Period, *, books_balances: bool = True
) -> ir.Table:
    """Per account: balance × minutes in the period (and halves); one row per account.

    An account whose balances are reconstructed has the balance ``B(t) = current − Σ amounts
    booked after t`` from the earliest of its opening and first movement to the later of its
    closing and last movement, so its integral over ``[lo, hi)`` is one grouped aggregation,
    without sorting the movements::

        current × overlap(life, [lo, hi)) − Σ amount × overlap([start of life, booked), [lo, hi))

    and ``overlap([L, booked), [lo, hi)) = overlap([lo, booked), [lo, hi)) − clip(L − lo)``
    because no movement is booked before ``L``. Accounts whose core system books the balance
    after each movement keep those balances, which only the movements in time order give;
    a ledger known to book none (``books_balances`` false) is read once, without that path."""
    moves = transactions.select(
        "account_id", "transaction_id", "booked_min", "signed_cents", "balance_after_cents"
    )
    halves = {
        "bm": (period.start, period.end),
        "bm_first": (period.start, period.middle),
        "bm_second": (period.middle, period.end),
    }
    sums = moves.group_by("account_id").aggregate(
        first_min=moves.booked_min.min(),
        last_min=moves.booked_min.max(),
        total=moves.signed_cents.sum(),
        booked=moves.balance_after_cents.count(),
        **{
            f"after_{name}": (
                moves.signed_cents * _overlap(ibis.literal(lo), moves.booked_min, lo, hi)
            ).sum()
            for name, (lo, hi) in halves.items()
        },
    )
    reconstructed = sums.filter(sums.booked == 0).join(
        accounts.select("account_id", "opened_min", "closed_min", "balance_cents"), "account_id"
    )
    life_start = ibis.least(
        reconstructed.opened_min.fill_null(reconstructed.first_min), reconstructed.first_min
    )
    life_end = ibis.greatest(reconstructed.closed_min.fill_null(OPEN_END), reconstructed.last_min)
    whole = _weighted(reconstructed.balance_cents, life_start, life_end, period)
    moved = reconstructed.select(
        "account_id",
        **{
            name: whole[name]
            - reconstructed[f"after_{name}"]
            + reconstructed.total * _overlap(ibis.literal(lo), life_start, lo, hi)
            for name, (lo, hi) in halves.items()
        },
    )
    still = accounts.anti_join(sums.select("account_id"), "account_id")
    constant = _weighted(
        still.balance_cents, still.opened_min, still.closed_min.fill_null(OPEN_END), period
    )
    unmoved = still.select("account_id", **constant)
    if not books_balances:
        return moved.union(unmoved)
    booked = sums.filter(sums.booked > 0).select("account_id")
    return moved.union(booked_balance_minutes(accounts, moves, booked, period)).union(unmoved)


def booked_balance_minutes(
    accounts: ir.Table, moves: ir.Table, booked: ir.Table, period: Period
) -> ir.Table:
    """Balance × minutes of the ``booked`` accounts, movement by movement in time order: a
    balance holds from its movement to the next one (booked where the core system sends it,
    otherwise reconstructed from the current balance, as for every account before)."""
    moves = moves.semi_join(booked, "account_id").join(
        accounts.select("account_id", "opened_min", "closed_min", "balance_cents"), "account_id"
    )
    ordered = ibis.cumulative_window(
        group_by="account_id", order_by=["booked_min", "transaction_id"]
    )
    whole = ibis.window(group_by="account_id")
    by_time = ibis.window(group_by="account_id", order_by=["booked_min", "transaction_id"])
    moves = moves.mutate(
        running=moves.signed_cents.sum().over(ordered),
        total=moves.signed_cents.sum().over(whole),
        previous_min=moves.booked_min.lag().over(by_time),
        next_min=moves.booked_min.lead().over(by_time),
    )
    balance_after = moves.balance_after_cents.fill_null(
        moves.balance_cents - (moves.total - moves.running)
    )
    before_start = moves.previous_min.fill_null(
        ibis.least(moves.opened_min.fill_null(moves.booked_min), moves.booked_min)
    )
    # The last movement's balance lasts until the account closes (or beyond the period).
    after_end = ibis.ifelse(
        moves.next_min.isnull(), moves.closed_min.fill_null(OPEN_END), moves.booked_min
    )
    before = _weighted(balance_after - moves.signed_cents, before_start, moves.booked_min, period)
    after = _weighted(balance_after, moves.booked_min, after_end, period)
    segments = moves.select("account_id", **{name: before[name] + after[name] for name in before})
    return segments.group_by("account_id").aggregate(
        bm=segments.bm.sum(), bm_first=segments.bm_first.sum(), bm_second=segments.bm_second.sum()
    )


def customer_features(
    customers: ir.Table,
    accounts: ir.Table,
    transactions: ir.Table,
    holdings: ir.Table,
    interactions: ir.Table,
    period: Period,
    *,
    books_balances: bool = True,
) -> ir.Table:
    """One row per customer with the raw inputs of the matrix, tiers, RFM and lifecycle;
    ``books_balances`` false promises that no movement carries a booked balance."""
    accounts = accounts.filter(accounts.opened_min.isnull() | (accounts.opened_min < period.end))
    transactions_to_date = transactions.filter(transactions.booked_min < period.end)

    per_account = account_balance_minutes(
        accounts, transactions, period, books_balances=books_balances
    )
    per_account = per_account.join(accounts.select("account_id", "customer_id"), "account_id")
    account_volume = per_account.group_by("customer_id").aggregate(
        bm=per_account.bm.abs().sum(),
        bm_first=per_account.bm_first.abs().sum(),
        bm_second=per_account.bm_second.abs().sum(),
    )
    held = holdings.filter(holdings.started_min < period.end)
    holding_weights = _weighted(
        held.amount_cents, held.started_min, held.ended_min.fill_null(OPEN_END), period
    )
    holding_volume = (
        held.select("customer_id", **holding_weights)
        .group_by("customer_id")
        .aggregate(
            hbm=lambda t: t.bm.sum(),
            hbm_first=lambda t: t.bm_first.sum(),
            hbm_second=lambda t: t.bm_second.sum(),
        )
    )

    initiated = transactions_to_date.filter(transactions_to_date.customer_initiated)
    in_period = initiated.filter(initiated.booked_min >= period.start)
    activity = in_period.group_by("customer_id").aggregate(
        transactions=in_period.count(),
        turnover_cents=in_period.signed_cents.abs().sum(),
        active_slices=((period.end - 1 - in_period.booked_min) // period.slice_minutes).nunique(),
    )
    recency = initiated.group_by("customer_id").aggregate(
        last_transaction_min=initiated.booked_min.max()
    )
    contacts_in_period = interactions.filter(
        (interactions.occurred_min >= period.start) & (interactions.occurred_min < period.end)
    )
    contacts = contacts_in_period.group_by("customer_id").aggregate(
        interactions=contacts_in_period.count()
    )
    open_accounts = accounts.filter(
        accounts.closed_min.isnull() | (accounts.closed_min >= period.end)
    )
    active_holdings = held.filter(held.ended_min.isnull() | (held.ended_min >= period.end))
    categories = (
        open_accounts.select("customer_id", "category")
        .union(active_holdings.select("customer_id", "category"))
        .distinct()
    )
    products = categories.group_by("customer_id").aggregate(product_categories=categories.count())
    relationship = accounts.group_by("customer_id").aggregate(
        accounts_opened=accounts.count(),
        first_opened_min=accounts.opened_min.min(),
        open_accounts=(accounts.closed_min.isnull() | (accounts.closed_min >= period.end)).sum(),
    )

    base = customers.select(
        "customer_id",
        "customer_type",
        "status",
        "branch_id",
        "manager_id",
        "credit_grade",
        "other_banks_assets_cents",
        "onboarded_min",
    )
    joined = (
        base.left_join(account_volume, "customer_id")
        .drop("customer_id_right")
        .left_join(holding_volume, "customer_id")
        .drop("customer_id_right")
        .left_join(activity, "customer_id")
        .drop("customer_id_right")
        .left_join(recency, "customer_id")
        .drop("customer_id_right")
        .left_join(contacts, "customer_id")
        .drop("customer_id_right")
        .left_join(products, "customer_id")
        .drop("customer_id_right")
        .left_join(relationship, "customer_id")
        .drop("customer_id_right")
    )
    zero = ibis.literal(0, type="int64")
    return joined.select(
        "customer_id",
        "customer_type",
        "status",
        "branch_id",
        "manager_id",
        "credit_grade",
        "other_banks_assets_cents",
        "onboarded_min",
        "last_transaction_min",
        "first_opened_min",
        balance_minutes=joined.bm.fill_null(zero) + joined.hbm.fill_null(zero),
        balance_minutes_first=joined.bm_first.fill_null(zero) + joined.hbm_first.fill_null(zero),
        balance_minutes_second=(
            joined.bm_second.fill_null(zero) + joined.hbm_second.fill_null(zero)
        ),
        transactions=joined.transactions.fill_null(zero),
        turnover_cents=joined.turnover_cents.fill_null(zero),
        active_slices=joined.active_slices.fill_null(zero),
        interactions=joined.interactions.fill_null(zero),
        product_categories=joined.product_categories.fill_null(zero),
        accounts_opened=joined.accounts_opened.fill_null(zero),
        open_accounts=joined.open_accounts.fill_null(zero),
    ).order_by("customer_id")
