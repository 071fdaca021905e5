"""Calculators a manager quotes from: deposit interest, early withdrawal and loan repayment.

Money is ``Decimal`` yuan, rounded to the fen (0.01) half up where a Chinese bank rounds: a
deposit's interest once, when it is paid out; a loan's interest and payment in every
instalment. Rates are annual fractions (``Decimal("0.0275")`` is 2.75 %). Time is counted the
way the People's Bank's interest rules count it: a month is a twelfth of a year and 30 days,
a year 360 days, so a monthly rate is the annual rate divided by 12.

Nothing here touches the web or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.money import CENT

MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 360

MAX_TERM_MONTHS = 600
"""Fifty years: longer than any retail deposit or loan, and a bound on a schedule's length."""

_Vocabulary = TypeVar("_Vocabulary", bound=StrEnum)


class Compounding(StrEnum):
    """How a deposit earns interest on its interest."""

    SIMPLE = "simple"
    """Interest on the principal only, paid at maturity (a time deposit, 整存整取)."""
    MONTHLY = "monthly"
    ANNUAL = "annual"


class RepaymentMethod(StrEnum):
    EQUAL_INSTALMENT = "equal_instalment"
    """The same payment every month (等额本息): interest falls as principal repaid rises."""
    EQUAL_PRINCIPAL = "equal_principal"
    """The same principal every month (等额本金): payments fall with the interest."""


@dataclass(frozen=True)
class DepositQuote:
    """What a deposit pays when held to maturity.

    Attributes
    ----------
    principal : Decimal
        The amount deposited, in yuan.
    interest : Decimal
        Interest paid at maturity, rounded to the fen.
    """

    principal: Decimal
    interest: Decimal

    @property
    def maturity_amount(self) -> Decimal:
        """Principal and interest the customer collects at maturity."""
        return self.principal + self.interest


@dataclass(frozen=True)
class EarlyWithdrawalQuote:
    """What a time deposit pays when withdrawn before maturity, against holding it.

    Attributes
    ----------
    principal : Decimal
        The amount deposited, in yuan.
    interest_received : Decimal
        Interest at the demand-deposit rate for the time held, rounded to the fen.
    interest_at_maturity : Decimal
        Interest the deposit would pay if held to maturity.
    """

    principal: Decimal
    interest_received: Decimal
    interest_at_maturity: Decimal

    @property
    def amount_received(self) -> Decimal:
        """Principal and interest paid out on withdrawal."""
        return self.principal + self.interest_received

    @property
    def interest_forgone(self) -> Decimal:
        """What withdrawing early costs the customer: "you lose ¥X"."""
        return self.interest_at_maturity - self.interest_received


@dataclass(frozen=True)
class Instalment:
    """One month of a repayment schedule; ``balance`` is what remains owed after it."""

    period: int
    payment: Decimal
    principal_part: Decimal
    interest_part: Decimal
    balance: Decimal


@dataclass(frozen=True)
class AmortisationSchedule:
    """A loan's monthly instalments, first to last.

    Attributes
    ----------
    method : RepaymentMethod
        Equal instalments or equal principal.
    principal : Decimal
        The amount borrowed, in yuan.
    instalments : tuple of Instalment
        One per month; their principal parts add up to ``principal`` exactly.
    """

    method: RepaymentMethod
    principal: Decimal
    instalments: tuple[Instalment, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((instalment.interest_part for instalment in self.instalments), Decimal(0))

    @property
    def total_paid(self) -> Decimal:
        return self.principal + self.total_interest

    @property
    def first_payment(self) -> Decimal:
        return self.instalments[0].payment

    @property
    def last_payment(self) -> Decimal:
        return self.instalments[-1].payment


def deposit_interest(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    months: int,
    compounding: Compounding | str = Compounding.SIMPLE,
) -> DepositQuote:
    """Interest a deposit pays when held for its whole term.

    A Chinese time deposit pays simple interest at maturity: principal × annual rate × years.
    A product that compounds adds each period's interest to the principal; the interest is
    rounded once, when it is paid out.

    Parameters
    ----------
    principal : Decimal
        Amount deposited, in yuan, at most two decimal places.
    annual_rate : Decimal
        Annual rate as a fraction.
    months : int
        Term in months.
    compounding : Compounding or str, default ``"simple"``
        ``"annual"`` needs a term of whole years.

    Returns
    -------
    DepositQuote

    Raises
    ------
    ValidationFailed
        A principal that is not a positive amount in fen, a rate outside 0–1, a term outside
        1–600 months, an unknown compounding, or annual compounding over part of a year.
    """
    _check_principal(principal)
    _check_rate(annual_rate, field="annual_rate")
    _check_term(months, field="months")
    compounding = _parse(Compounding, compounding, field="compounding")
    if compounding is Compounding.SIMPLE:
        interest = principal * annual_rate * months / MONTHS_PER_YEAR
    elif compounding is Compounding.MONTHLY:
        interest = principal * ((1 + annual_rate / MONTHS_PER_YEAR) ** months - 1)
    else:
        years, part_year = divmod(months, MONTHS_PER_YEAR)
        if part_year:
            raise ValidationFailed(
                "annual compounding needs a term of whole years (a multiple of 12 months)",
                field="months",
            )
        interest = principal * ((1 + annual_rate) ** years - 1)
    return DepositQuote(principal=principal, interest=_to_fen(interest))


def early_withdrawal(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    demand_rate: Decimal,
    term_months: int,
    months_held: int = 0,
    days_held: int = 0,
) -> EarlyWithdrawalQuote:
    """What a whole time deposit pays when withdrawn before maturity.

    The withdrawn deposit earns the demand-deposit (活期) rate for the time it was held, whole
    months counted as 30 days and odd days as they fall, over a 360-day year; the time-deposit
    rate is lost.

    Parameters
    ----------
    principal : Decimal
        Amount deposited, in yuan, at most two decimal places.
    annual_rate : Decimal
        The time deposit's annual rate as a fraction.
    demand_rate : Decimal
        The demand-deposit annual rate on the day of withdrawal, as a fraction.
    term_months : int
        The deposit's term in months.
    months_held, days_held : int, default 0
        Time from deposit to withdrawal; together shorter than the term.

    Returns
    -------
    EarlyWithdrawalQuote

    Raises
    ------
    ValidationFailed
        Invalid principal, rates or term as for :func:`deposit_interest`, a negative time
        held, or a time held that reaches maturity.
    """
    _check_term(term_months, field="term_months")
    _check_rate(demand_rate, field="demand_rate")
    at_maturity = deposit_interest(principal=principal, annual_rate=annual_rate, months=term_months)
    for count, field in ((months_held, "months_held"), (days_held, "days_held")):
        if not _is_int(count) or count < 0:
            raise ValidationFailed("must be a whole number, 0 or more", field=field)
    held_days = months_held * DAYS_PER_MONTH + days_held
    if held_days >= term_months * DAYS_PER_MONTH:
        raise ValidationFailed(
            "a withdrawal at or after maturity is not early: quote the deposit instead",
            field="days_held" if days_held else "months_held",
        )
    return EarlyWithdrawalQuote(
        principal=principal,
        interest_received=_to_fen(principal * demand_rate * held_days / DAYS_PER_YEAR),
        interest_at_maturity=at_maturity.interest,
    )


def amortisation(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    months: int,
    method: RepaymentMethod | str,
) -> AmortisationSchedule:
    """The monthly repayment schedule of a loan.

    Each month's interest is the outstanding balance times the monthly rate, rounded to the
    fen. With equal instalments the payment is the annuity payment
    ``P·r·(1+r)^n / ((1+r)^n − 1)`` (``P / n`` at a zero rate) rounded to the fen; with equal
    principal the principal part is ``P / n`` rounded to the fen. The last instalment repays
    whatever balance remains, so the rounding ends there and the balance at exactly 0.00. A
    small loan at a high rate over decades can be repaid by the rounded payments before its
    last month; the months after that are empty (0.00), never an overpayment.

    Parameters
    ----------
    principal : Decimal
        Amount borrowed, in yuan, at most two decimal places.
    annual_rate : Decimal
        Annual rate as a fraction.
    months : int
        Term in months, one instalment a month.
    method : RepaymentMethod or str
        ``"equal_instalment"`` (等额本息) or ``"equal_principal"`` (等额本金).

    Returns
    -------
    AmortisationSchedule

    Raises
    ------
    ValidationFailed
        A principal that is not a positive amount in fen, a rate outside 0–1, a term outside
        1–600 months, or an unknown method.
    """
    _check_principal(principal)
    _check_rate(annual_rate, field="annual_rate")
    _check_term(months, field="months")
    method = _parse(RepaymentMethod, method, field="method")
    monthly_rate = annual_rate / MONTHS_PER_YEAR
    equal_principal = method is RepaymentMethod.EQUAL_PRINCIPAL
    fixed_part_or_payment = _to_fen(
        principal / months if equal_principal else _annuity_payment(principal, monthly_rate, months)
    )

    balance = principal
    instalments = []
    for period in range(1, months + 1):
        interest_part = _to_fen(balance * monthly_rate)
        if period == months:
            principal_part = balance
        elif equal_principal:
            principal_part = fixed_part_or_payment
        else:
            principal_part = fixed_part_or_payment - interest_part
        # Fractions of a fen, carried with interest for years, can outgrow a small loan.
        principal_part = min(principal_part, balance)
        balance -= principal_part
        instalments.append(
            Instalment(
                period=period,
                payment=principal_part + interest_part,
                principal_part=principal_part,
                interest_part=interest_part,
                balance=balance,
            )
        )
    return AmortisationSchedule(method=method, principal=principal, instalments=tuple(instalments))


def _annuity_payment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    if not monthly_rate:
        return principal / months
    growth = (1 + monthly_rate) ** months
    return principal * monthly_rate * growth / (growth - 1)


def _to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_principal(principal: Decimal) -> None:
    if not isinstance(principal, Decimal) or not principal.is_finite() or principal <= 0:
        raise ValidationFailed("must be an amount above 0", field="principal")
    if principal != principal.quantize(CENT):
        raise ValidationFailed("more than two decimal places", field="principal")


def _check_rate(rate: Decimal, *, field: str) -> None:
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
        raise ValidationFailed("must be a rate of 0 or more", field=field)
    if rate > 1:
        raise ValidationFailed("a rate is a fraction of the amount: 2.75 % is 0.0275", field=field)


def _check_term(months: int, *, field: str) -> None:
    if not _is_int(months) or not 1 <= months <= MAX_TERM_MONTHS:
        raise ValidationFailed(
            f"must be a whole number of months, 1 to {MAX_TERM_MONTHS}", field=field
        )


def _parse(vocabulary: type[_Vocabulary], value: str, *, field: str) -> _Vocabulary:
    try:
        return vocabulary(value)
    except ValueError:
        choices = ", ".join(member.value for member in vocabulary)
        raise ValidationFailed(f"must be one of {choices}", field=field) from None
