"""The four budget methods against figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankcrm.campaigns.planning import budgets
from bankcrm.core.enums import BudgetMethod
from bankcrm.core.exceptions import ValidationFailed


def test_affordable_is_what_is_left_after_costs_and_profit() -> None:
    # 5,000,000 − 3,800,000 − 1,000,000 = 200,000
    assert budgets.affordable(
        revenue=Decimal("5000000"), costs=Decimal("3800000"), target_profit=Decimal("1000000")
    ) == Decimal("200000.00")
    assert budgets.affordable(
        revenue=Decimal(100), costs=Decimal(90), target_profit=Decimal(20)
    ) == Decimal("0.00")


def test_percent_of_sales() -> None:
    # 2.5 % of 12,345,678.90 = 308,641.9725 → 308,641.97
    assert budgets.percent_of_sales(
        sales=Decimal("12345678.90"), percent=Decimal("2.5")
    ) == Decimal("308641.97")


def test_competitive_parity_scales_the_competitor_by_share() -> None:
    # 900,000 × 12 % ÷ 18 % = 600,000
    assert budgets.competitor_parity(
        competitor_spend=Decimal("900000"), competitor_share=Decimal(18), own_share=Decimal(12)
    ) == Decimal("600000.00")
    # 0.8 % of 50,000,000 = 400,000
    assert budgets.sector_parity(
        sales=Decimal("50000000"), sector_percent=Decimal("0.8")
    ) == Decimal("400000.00")


def test_objective_and_task_adds_the_costed_tasks() -> None:
    assert budgets.objective_and_task(
        [Decimal("12000.50"), Decimal("3000"), Decimal("0.25")]
    ) == Decimal("15000.75")


def test_compare_shows_only_the_methods_with_inputs() -> None:
    inputs = budgets.BudgetInputs(sales=Decimal("1000000"), sales_percent=Decimal(3))
    results = budgets.compare(inputs, [Decimal(500), Decimal(700)])
    assert results == {
        BudgetMethod.AFFORDABLE: None,
        BudgetMethod.PERCENT_OF_SALES: Decimal("30000.00"),
        BudgetMethod.COMPETITIVE_PARITY: None,
        BudgetMethod.OBJECTIVE_AND_TASK: Decimal("1200.00"),
    }
    # without a competitor, parity falls back to the sector's ratio of our sales
    sector = budgets.compare(
        budgets.BudgetInputs(sales=Decimal("1000000"), sector_percent=Decimal("1.5")), []
    )
    assert sector[BudgetMethod.COMPETITIVE_PARITY] == Decimal("15000.00")


def test_campaign_spend_is_fixed_cost_plus_each_contact() -> None:
    # 2,000 + 1.50 × 37 = 2,055.50
    assert budgets.campaign_spend(
        fixed_cost=Decimal(2000), cost_per_contact=Decimal("1.50"), contacted=37
    ) == Decimal("2055.50")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: budgets.percent_of_sales(sales=Decimal(1), percent=Decimal(101)), "sales_percent"),
        (
            lambda: budgets.competitor_parity(
                competitor_spend=Decimal(1), competitor_share=Decimal(0), own_share=Decimal(1)
            ),
            "competitor_share",
        ),
        (
            lambda: budgets.affordable(
                revenue=Decimal(-1), costs=Decimal(0), target_profit=Decimal(0)
            ),
            "revenue",
        ),
    ],
)
def test_impossible_inputs_name_their_field(call: object, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
