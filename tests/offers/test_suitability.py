"""The suitability gate refuses exactly what the rules forbid, with every reason, and asking
for less never makes a product less suitable."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bankcrm.core.enums import (
    InvestmentGoal,
    ProductCategory,
    ProductRisk,
    RiskLevel,
    SuitabilityReason,
)
from bankcrm.offers.suitability import (
    INVESTMENT_CATEGORIES,
    Investor,
    Offering,
    SuitabilityRules,
    judge,
    rank,
)

RULES = SuitabilityRules()
investors = st.builds(
    Investor,
    level=st.none() | st.sampled_from(RiskLevel),
    goal=st.none() | st.sampled_from(InvestmentGoal),
    horizon_months=st.none() | st.integers(0, 600),
    age=st.none() | st.integers(18, 110),
    vulnerable=st.booleans(),
)
offerings = st.builds(
    Offering,
    risk=st.sampled_from(ProductRisk),
    category=st.sampled_from(ProductCategory),
    term_months=st.none() | st.integers(0, 600),
)


def _broken_rules(investor: Investor, offering: Offering) -> set[SuitabilityReason]:
    """The rules as a compliance officer states them, one by one."""
    broken = set()
    risk = int(offering.risk.value[1])
    if investor.level is None and offering.risk is not ProductRisk.R1:
        broken.add(SuitabilityReason.NO_VALID_ASSESSMENT)
    if investor.level is not None and risk > int(investor.level.value[1]):
        broken.add(SuitabilityReason.LEVEL_ABOVE)
    at_risk = offering.category in INVESTMENT_CATEGORIES
    term, horizon = offering.term_months, investor.horizon_months
    if at_risk and term is not None and horizon is not None and term > horizon:
        broken.add(SuitabilityReason.HORIZON_LONGER)
    seeks = {"preservation": 1, "income": 2, "balanced": 3, "growth": 5}
    if at_risk and investor.goal is not None and risk > seeks[investor.goal.value]:
        broken.add(SuitabilityReason.GOAL_MISMATCH)
    if investor.age is not None and investor.age >= 65 and risk > 3:
        broken.add(SuitabilityReason.ELDERLY_LIMIT)
    if investor.vulnerable and risk > 2:
        broken.add(SuitabilityReason.VULNERABLE_LIMIT)
    return broken


@given(investors, offerings)
def test_a_product_is_refused_for_exactly_the_rules_it_breaks(
    investor: Investor, offering: Offering
) -> None:
    verdict = judge(investor, offering, RULES)
    assert set(verdict.reasons) == _broken_rules(investor, offering)
    assert len(verdict.reasons) == len(set(verdict.reasons))
    assert verdict.allowed == (not verdict.reasons)
    if verdict.allowed:
        ceiling = rank(investor.level) if investor.level else 1
        assert rank(offering.risk) <= ceiling


@given(investors, offerings, st.sampled_from(ProductRisk))
def test_a_less_risky_product_is_never_less_suitable(
    investor: Investor, offering: Offering, lower: ProductRisk
) -> None:
    if rank(lower) > rank(offering.risk):
        return
    safer = judge(investor, replace(offering, risk=lower), RULES)
    assert set(safer.reasons) <= set(judge(investor, offering, RULES).reasons)


@given(investors, offerings, st.sampled_from(RiskLevel), st.integers(0, 600))
def test_a_bolder_customer_with_more_time_is_never_refused_more(
    investor: Investor, offering: Offering, higher: RiskLevel, more_months: int
) -> None:
    before = set(judge(investor, offering, RULES).reasons)
    level = investor.level if investor.level and rank(investor.level) > rank(higher) else higher
    horizon = None if investor.horizon_months is None else investor.horizon_months + more_months
    bolder = judge(replace(investor, level=level, horizon_months=horizon), offering, RULES)
    if investor.level is None:  # "no assessment" becomes "level above" when C1 is too low
        assert bolder.allowed or before
    else:
        assert set(bolder.reasons) <= before


def test_the_cases_a_branch_meets() -> None:
    balanced_c3 = Investor(
        level=RiskLevel.C3, goal=InvestmentGoal.BALANCED, horizon_months=36, age=45
    )
    equity_fund = Offering(ProductRisk.R4, ProductCategory.FUND)
    assert judge(balanced_c3, equity_fund).reasons == (
        SuitabilityReason.LEVEL_ABOVE,
        SuitabilityReason.GOAL_MISMATCH,
    )
    refusal = judge(balanced_c3, equity_fund).refusals[0]
    assert (refusal.product, refusal.customer) == ("R4", "C3")

    five_year_wealth = Offering(ProductRisk.R2, ProductCategory.WEALTH, term_months=60)
    assert judge(balanced_c3, five_year_wealth).reasons == (SuitabilityReason.HORIZON_LONGER,)
    five_year_deposit = Offering(ProductRisk.R1, ProductCategory.DEPOSIT, term_months=60)
    assert judge(balanced_c3, five_year_deposit).allowed

    never_assessed = Investor(level=None)
    assert judge(never_assessed, five_year_deposit).allowed
    assert judge(never_assessed, Offering(ProductRisk.R2, ProductCategory.WEALTH)).reasons == (
        SuitabilityReason.NO_VALID_ASSESSMENT,
    )

    retired_c5 = Investor(level=RiskLevel.C5, goal=InvestmentGoal.GROWTH, age=70)
    assert judge(retired_c5, equity_fund).reasons == (SuitabilityReason.ELDERLY_LIMIT,)
    stricter = SuitabilityRules(elderly_age=75)
    assert judge(retired_c5, equity_fund, stricter).allowed
