"""Deposit, early-withdrawal and loan calculators against published figures and invariants.

Each source is named beside its figures; pages that print a loan's total interest compute it
from a formula (payment × months − principal), which a schedule rounded month by month
matches only to within its rounding.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.offers.calculators import (
    AmortisationSchedule,
    Compounding,
    RepaymentMethod,
    amortisation,
    deposit_interest,
    early_withdrawal,
)

EQUAL_INSTALMENT = RepaymentMethod.EQUAL_INSTALMENT
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL

principals = st.decimals(min_value=Decimal("1000.00"), max_value=Decimal("10000000.00"), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal("0.2400"), places=4)
terms = st.integers(min_value=1, max_value=360)
methods = st.sampled_from(RepaymentMethod)


def _loan(principal: str, rate: str, months: int, method: RepaymentMethod) -> AmortisationSchedule:
    return amortisation(
        principal=Decimal(principal), annual_rate=Decimal(rate), months=months, method=method
    )


def _half_fen_per_month(months: int) -> Decimal:
    return Decimal("0.005") * months


# --- deposits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "rate", "months", "interest"),
    [
        # wzkpw.com/zh-my/kp/80xdrr.html "存款三年利息如何计算?": ICBC 3-year time deposit,
        # 10,000 × 2.75 % × 3 = 825.
        ("10000", "0.0275", 36, "825.00"),
        # qxbk.net/changshi/AbxNOr10gG.html: 100,000 × 2.75 % × 3 = 8,250.
        ("100000", "0.0275", 36, "8250.00"),
        # m.zdbk.net/changshi/DEv0MMlr9d.html: 200,000 × 3 % × 3 = 18,000.
        ("200000", "0.03", 36, "18000.00"),
        # bjdnbx.com/bk/230954.html: 10,000 × 3 % × 1 year = 300.
        ("10000", "0.03", 12, "300.00"),
    ],
)
def test_time_deposit_pays_simple_interest_at_maturity(
    principal: str, rate: str, months: int, interest: str
) -> None:
    quote = deposit_interest(principal=Decimal(principal), annual_rate=Decimal(rate), months=months)
    assert quote.interest == Decimal(interest)
    assert quote.maturity_amount == Decimal(principal) + Decimal(interest)


def test_a_three_month_deposit_earns_a_quarter_of_the_annual_rate() -> None:
    quote = deposit_interest(principal=Decimal("50000"), annual_rate=Decimal("0.0125"), months=3)
    assert quote.interest == Decimal("156.25")


@pytest.mark.parametrize(
    ("rate", "months", "compounding", "maturity_amount"),
    [
        # algebra.com, solution 837496: 10,000 × 1.05^10 = 16,288.95.
        ("0.05", 120, Compounding.ANNUAL, "16288.95"),
        # studyqas.com "Find the ending amount of an investment of $10,000 for 5 years at
        # 10 % ... compounded monthly": 10,000 × (1 + 0.10/12)^60 = 16,453.09.
        ("0.10", 60, Compounding.MONTHLY, "16453.09"),
    ],
)
def test_compound_deposit_matches_the_textbook_future_value(
    rate: str, months: int, compounding: Compounding, maturity_amount: str
) -> None:
    quote = deposit_interest(
        principal=Decimal("10000"),
        annual_rate=Decimal(rate),
        months=months,
        compounding=compounding,
    )
    assert quote.maturity_amount == Decimal(maturity_amount)


def test_compounding_is_named_by_its_text_too() -> None:
    quote = deposit_interest(
        principal=Decimal("10000"), annual_rate=Decimal("0.05"), months=24, compounding="annual"
    )
    assert quote.interest == Decimal("1025.00")


@given(principal=principals, rate=rates, years=st.integers(min_value=1, max_value=30))
def test_compounding_never_pays_less_than_simple_interest(
    principal: Decimal, rate: Decimal, years: int
) -> None:
    def interest(compounding: Compounding) -> Decimal:
        return deposit_interest(
            principal=principal, annual_rate=rate, months=12 * years, compounding=compounding
        ).interest

    assert (
        interest(Compounding.SIMPLE)
        <= interest(Compounding.ANNUAL)
        <= interest(Compounding.MONTHLY)
    )


# --- early withdrawal -------------------------------------------------------------------


def test_early_withdrawal_earns_the_demand_rate_and_names_the_loss() -> None:
    # 13l.net/index.php/l/2208936725138547348.html: a time deposit withdrawn early earns the
    # demand rate, "一万元一年才35元" at 0.35 %; held to maturity the 3-year deposit at 2.75 %
    # pays 825 (wzkpw.com, above).
    quote = early_withdrawal(
        principal=Decimal("10000"),
        annual_rate=Decimal("0.0275"),
        demand_rate=Decimal("0.0035"),
        term_months=36,
        months_held=12,
    )
    assert quote.interest_received == Decimal("35.00")
    assert quote.amount_received == Decimal("10035.00")
    assert quote.interest_at_maturity == Decimal("825.00")
    assert quote.interest_forgone == Decimal("790.00")


def test_odd_days_count_as_they_fall_over_a_360_day_year() -> None:
    quote = early_withdrawal(
        principal=Decimal("100000"),
        annual_rate=Decimal("0.0175"),
        demand_rate=Decimal("0.003"),
        term_months=12,
        months_held=3,
        days_held=10,
    )
    assert quote.interest_received == Decimal("83.33")  # 100,000 × 0.3 % × 100 / 360


@given(
    principal=principals,
    demand_rate=st.decimals(min_value=Decimal(0), max_value=Decimal("0.0100"), places=4),
    rate_above_demand=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.05"), places=4),
    term_months=st.integers(min_value=1, max_value=60),
    data=st.data(),
)
def test_early_withdrawal_never_pays_more_than_holding_to_maturity(
    principal: Decimal,
    demand_rate: Decimal,
    rate_above_demand: Decimal,
    term_months: int,
    data: st.DataObject,
) -> None:
    days_held = data.draw(st.integers(min_value=0, max_value=30 * term_months - 1))
    quote = early_withdrawal(
        principal=principal,
        annual_rate=demand_rate + rate_above_demand,
        demand_rate=demand_rate,
        term_months=term_months,
        days_held=days_held,
    )
    assert quote.interest_received <= quote.interest_at_maturity
    assert quote.interest_forgone >= 0


# --- loans: published schedules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "rate", "months", "payment", "first_interest", "first_principal_part"),
    [
        # The widely quoted 1,000,000 yuan over 30 years at 4.9 %; the annuity formula gives
        # 5,307.2672… a month.
        ("1000000", "0.049", 360, "5307.27", "4083.33", "1223.94"),
        # vdgb.cn/wenda/220578.html: 630,000 over 30 years at 4.9 %, 月供 3,343.58.
        ("630000", "0.049", 360, "3343.58", "2572.50", "771.08"),
        # 372181.com/wenda/229816.html: 1,000,000 over 20 years at 4.9 %: 6,544.44,
        # first month 4,083.33 interest and 2,461.11 principal.
        ("1000000", "0.049", 240, "6544.44", "4083.33", "2461.11"),
        # m.372181.com/wenda/244623.html: 730,000 over 23 years at 4.9 %: 4,414.40,
        # first month 2,980.83 interest and 1,433.57 principal.
        ("730000", "0.049", 276, "4414.40", "2980.83", "1433.57"),
        # numpy.org numpy.pmt docs: $200,000 over 15 years at 7.5 % needs $1,854.02 a month.
        ("200000", "0.075", 180, "1854.02", "1250.00", "604.02"),
    ],
)
def test_equal_instalment_payment_and_first_split(
    principal: str,
    rate: str,
    months: int,
    payment: str,
    first_interest: str,
    first_principal_part: str,
) -> None:
    schedule = _loan(principal, rate, months, EQUAL_INSTALMENT)
    first = schedule.instalments[0]
    assert schedule.first_payment == Decimal(payment)
    assert (first.interest_part, first.principal_part) == (
        Decimal(first_interest),
        Decimal(first_principal_part),
    )


def test_equal_instalment_second_month_split() -> None:
    # m.789yingshi.cn/wenda/244196.html: 100,000 over 10 years at 4.9 %: 1,055.77 a month;
    # month 1 pays 408.33 interest and 647.44 principal, month 2 405.69 and 650.08.
    schedule = _loan("100000", "0.049", 120, EQUAL_INSTALMENT)
    first, second = schedule.instalments[:2]
    assert first.payment == second.payment == Decimal("1055.77")
    assert (first.interest_part, first.principal_part) == (Decimal("408.33"), Decimal("647.44"))
    assert (second.interest_part, second.principal_part) == (Decimal("405.69"), Decimal("650.08"))


@pytest.mark.parametrize(
    ("principal", "months", "published_total_interest"),
    [
        # Totals computed as the rounded payment × months − principal: m.789yingshi.cn
        # (above) 26,692.40; 372181.com (above) 570,665.60; m.372181.com (above) 488,374.40.
        ("100000", 120, "26692.40"),
        ("1000000", 240, "570665.60"),
        ("730000", 276, "488374.40"),
    ],
)
def test_equal_instalment_total_differs_from_payment_times_months_by_the_last_settlement(
    principal: str, months: int, published_total_interest: str
) -> None:
    schedule = _loan(principal, "0.049", months, EQUAL_INSTALMENT)
    settlement = schedule.last_payment - schedule.first_payment
    assert schedule.total_interest == Decimal(published_total_interest) + settlement


@pytest.mark.parametrize(
    ("principal", "months", "method", "formula_total_interest"),
    [
        # Totals from the unrounded formulas, which no bank charges to the fen:
        # the 1,000,000 / 30-year example, 910,616.19;
        ("1000000", 360, EQUAL_INSTALMENT, "910616.19"),
        # vdgb.cn/wenda/220578.html: 573,688.2 equal instalment, 464,336.25 equal principal;
        ("630000", 360, EQUAL_INSTALMENT, "573688.20"),
        ("630000", 360, EQUAL_PRINCIPAL, "464336.25"),
        # m.372181.com/wenda/244623.html: 412,845.42 equal principal.
        ("730000", 276, EQUAL_PRINCIPAL, "412845.42"),
    ],
)
def test_schedule_total_is_within_half_a_fen_a_month_of_the_formula(
    principal: str, months: int, method: RepaymentMethod, formula_total_interest: str
) -> None:
    schedule = _loan(principal, "0.049", months, method)
    difference = abs(schedule.total_interest - Decimal(formula_total_interest))
    assert difference <= _half_fen_per_month(months)


@pytest.mark.parametrize(
    ("principal", "months", "first_payment", "first_principal_part", "monthly_decrease"),
    [
        # Equal principal on the 1,000,000 / 30-year example: 2,777.78 + 4,083.33 = 6,861.11.
        ("1000000", 360, "6861.11", "2777.78", "11.34"),
        # vdgb.cn/wenda/220578.html: first payment 4,322.50, then 7.15 less each month.
        ("630000", 360, "4322.50", "1750.00", "7.15"),
        # m.372181.com/wenda/244623.html: first month 2,644.93 principal, 5,625.76 in all.
        ("730000", 276, "5625.76", "2644.93", "10.80"),
    ],
)
def test_equal_principal_first_payment_and_decrease(
    principal: str,
    months: int,
    first_payment: str,
    first_principal_part: str,
    monthly_decrease: str,
) -> None:
    schedule = _loan(principal, "0.049", months, EQUAL_PRINCIPAL)
    first, second = schedule.instalments[:2]
    assert first.payment == Decimal(first_payment)
    assert first.principal_part == second.principal_part == Decimal(first_principal_part)
    assert first.payment - second.payment == Decimal(monthly_decrease)


# --- loans: edge cases ------------------------------------------------------------------


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_zero_rate_repays_principal_over_months(method: RepaymentMethod) -> None:
    schedule = _loan("1000", "0", 3, method)
    assert [instalment.payment for instalment in schedule.instalments] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.34"),
    ]
    assert schedule.total_interest == 0
    assert schedule.total_paid == Decimal("1000")


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_one_month_loan_repays_everything_with_a_month_of_interest(
    method: RepaymentMethod,
) -> None:
    schedule = _loan("12000", "0.06", 1, method)
    assert schedule.last_payment == Decimal("12060.00")


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_a_loan_of_a_few_yuan_is_never_overpaid(method: RepaymentMethod) -> None:
    # 0.15 / 10 rounds up to 0.02 a month, which would repay 0.18.
    schedule = _loan("0.15", "0", 10, method)
    assert sum(instalment.principal_part for instalment in schedule.instalments) == Decimal("0.15")
    assert all(instalment.balance >= 0 for instalment in schedule.instalments)


# --- loans: invariants ------------------------------------------------------------------


@given(principal=principals, rate=rates, months=terms, method=methods)
def test_schedule_repays_the_principal_exactly(
    principal: Decimal, rate: Decimal, months: int, method: RepaymentMethod
) -> None:
    schedule = amortisation(principal=principal, annual_rate=rate, months=months, method=method)
    instalments = schedule.instalments
    assert [instalment.period for instalment in instalments] == list(range(1, months + 1))
    assert sum(instalment.principal_part for instalment in instalments) == principal
    assert instalments[-1].balance == Decimal("0.00")
    balance = principal
    for instalment in instalments:
        assert instalment.payment == instalment.principal_part + instalment.interest_part
        assert instalment.principal_part >= 0
        balance -= instalment.principal_part
        assert instalment.balance == balance
    assert schedule.total_paid == sum(instalment.payment for instalment in instalments)


@given(principal=principals, rate=rates, months=terms)
def test_equal_principal_payments_never_rise_before_the_last(
    principal: Decimal, rate: Decimal, months: int
) -> None:
    payments = [
        instalment.payment
        for instalment in amortisation(
            principal=principal, annual_rate=rate, months=months, method=EQUAL_PRINCIPAL
        ).instalments
    ]
    assert all(later <= earlier for earlier, later in pairwise(payments[:-1]))


@given(principal=principals, rate=rates, months=terms)
def test_equal_instalment_payments_are_constant_until_the_last(
    principal: Decimal, rate: Decimal, months: int
) -> None:
    schedule = amortisation(
        principal=principal, annual_rate=rate, months=months, method=EQUAL_INSTALMENT
    )
    regular = schedule.first_payment
    # Up to a fen of rounding a month (payment and interest), carried with interest to the
    # end: a few fen on short loans, a few yuan on a 30-year mortgage.
    monthly_rate = rate / 12
    carried_months = (
        ((1 + monthly_rate) ** months - 1) / monthly_rate if monthly_rate else Decimal(months)
    )
    rounding_carry = Decimal("0.01") * (carried_months + 1)
    # A carry as large as a payment could repay the loan early (see the test below).
    assume(rounding_carry < regular)
    assert all(instalment.payment == regular for instalment in schedule.instalments[:-1])
    assert abs(schedule.last_payment - regular) <= rounding_carry


def test_rounding_that_repays_a_small_long_loan_early_leaves_empty_months() -> None:
    # 10.53 a month is 10.5254… rounded up; at 12.31 % over 30 years the extra fractions of a
    # fen grow into more than a payment, so the loan is repaid in month 359.
    schedule = _loan("1000.00", "0.1231", 360, EQUAL_INSTALMENT)
    *_, repaid, empty = schedule.instalments
    assert (repaid.payment, repaid.balance) == (Decimal("4.06"), Decimal("0.00"))
    assert (empty.payment, empty.balance) == (Decimal("0.00"), Decimal("0.00"))
    assert sum(instalment.principal_part for instalment in schedule.instalments) == Decimal(
        "1000.00"
    )


@given(
    principal=st.decimals(
        min_value=Decimal("10000.00"), max_value=Decimal("10000000.00"), places=2
    ),
    rate=st.decimals(min_value=Decimal("0.0100"), max_value=Decimal("0.2400"), places=4),
    months=st.integers(min_value=12, max_value=360),
)
def test_equal_principal_costs_less_interest_than_equal_instalment(
    principal: Decimal, rate: Decimal, months: int
) -> None:
    def total_interest(method: RepaymentMethod) -> Decimal:
        return amortisation(
            principal=principal, annual_rate=rate, months=months, method=method
        ).total_interest

    assert total_interest(EQUAL_PRINCIPAL) < total_interest(EQUAL_INSTALMENT)


# --- validation -------------------------------------------------------------------------

VALID_LOAN: dict[str, object] = {
    "principal": Decimal("100000"),
    "annual_rate": Decimal("0.049"),
    "months": 120,
    "method": EQUAL_INSTALMENT,
}


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"principal": Decimal(0)}, "principal"),
        ({"principal": Decimal("-5")}, "principal"),
        ({"principal": Decimal("100.001")}, "principal"),
        ({"principal": Decimal("NaN")}, "principal"),
        ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
        ({"annual_rate": Decimal("4.9")}, "annual_rate"),
        ({"months": 0}, "months"),
        ({"months": 601}, "months"),
        ({"months": True}, "months"),
        ({"method": "balloon"}, "method"),
    ],
)
def test_amortisation_refuses_invalid_input_naming_the_field(
    override: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        amortisation(**{**VALID_LOAN, **override})  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"months": 18, "compounding": Compounding.ANNUAL}, "months"),
        ({"compounding": "daily"}, "compounding"),
        ({"principal": Decimal("-1")}, "principal"),
    ],
)
def test_deposit_interest_refuses_invalid_input_naming_the_field(
    override: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "principal": Decimal("10000"),
        "annual_rate": Decimal("0.0275"),
        "months": 36,
    }
    with pytest.raises(ValidationFailed) as refused:
        deposit_interest(**{**arguments, **override})  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"months_held": 36}, "months_held"),
        ({"months_held": 35, "days_held": 30}, "days_held"),
        ({"days_held": -1}, "days_held"),
        ({"demand_rate": Decimal("-0.001")}, "demand_rate"),
        ({"term_months": 0}, "term_months"),
    ],
)
def test_early_withdrawal_refuses_invalid_input_naming_the_field(
    override: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "principal": Decimal("10000"),
        "annual_rate": Decimal("0.0275"),
        "demand_rate": Decimal("0.0035"),
        "term_months": 36,
        "months_held": 12,
    }
    with pytest.raises(ValidationFailed) as refused:
        early_withdrawal(**{**arguments, **override})  # type: ignore[arg-type]
    assert refused.value.field == field
