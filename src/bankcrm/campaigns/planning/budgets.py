"""The four ways of setting a promotion budget (确定促销预算的方法), on amounts in yuan.

* affordable (量力而行法): what the bank can spend — revenue less costs less the profit it
  must keep; never below zero;
* percent of sales (销售额比例法): a share of last year's or the forecast revenue;
* competitive parity (竞争比较法): a competitor's spend scaled by our market share over
  theirs, or, without a competitor's figure, the sector's spend-to-sales ratio applied to
  our sales;
* objective and task (目标任务法): the sum of the costed tasks the objectives need.

Pure: amounts are ``Decimal``, results are rounded half up to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bankcrm.core.enums import BudgetMethod
from bankcrm.core.exceptions import ValidationFailed

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _not_negative(value: Decimal, field: str) -> None:
    if value < 0:
        raise ValidationFailed(f"{field} cannot be negative", field=field)


def affordable(*, revenue: Decimal, costs: Decimal, target_profit: Decimal) -> Decimal:
    for value, field in ((revenue, "revenue"), (costs, "costs"), (target_profit, "target_profit")):
        _not_negative(value, field)
    return _fen(max(revenue - costs - target_profit, Decimal(0)))


def percent_of_sales(*, sales: Decimal, percent: Decimal) -> Decimal:
    _not_negative(sales, "sales")
    if not 0 <= percent <= 100:
        raise ValidationFailed("a per cent from 0 to 100", field="sales_percent")
    return _fen(sales * percent / HUNDRED)


def competitor_parity(
    *, competitor_spend: Decimal, competitor_share: Decimal, own_share: Decimal
) -> Decimal:
    """The competitor's spend × our share ÷ their share (shares in per cent)."""
    _not_negative(competitor_spend, "competitor_spend")
    if not 0 < competitor_share <= 100:
        raise ValidationFailed("a per cent above 0 and up to 100", field="competitor_share")
    if not 0 <= own_share <= 100:
        raise ValidationFailed("a per cent from 0 to 100", field="own_share")
    return _fen(competitor_spend * own_share / competitor_share)


def sector_parity(*, sales: Decimal, sector_percent: Decimal) -> Decimal:
    """Our sales × the sector's spend-to-sales ratio (in per cent)."""
    _not_negative(sales, "sales")
    if not 0 <= sector_percent <= 100:
        raise ValidationFailed("a per cent from 0 to 100", field="sector_percent")
    return _fen(sales * sector_percent / HUNDRED)


def objective_and_task(task_costs: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for cost in task_costs:
        _not_negative(cost, "cost")
        total += cost
    return _fen(total)


@dataclass(frozen=True)
class BudgetInputs:
    """What the planner gives; a method whose inputs are missing is left out."""

    revenue: Decimal | None = None
    costs: Decimal | None = None
    target_profit: Decimal | None = None
    sales: Decimal | None = None
    sales_percent: Decimal | None = None
    competitor_spend: Decimal | None = None
    competitor_share: Decimal | None = None
    own_share: Decimal | None = None
    sector_percent: Decimal | None = None


def compare(
    inputs: BudgetInputs, task_costs: Iterable[Decimal]
) -> dict[BudgetMethod, Decimal | None]:
    """The budget by each method side by side (``None`` where inputs are missing).

    Competitive parity takes a competitor's spend when one is given, else the sector's
    ratio."""
    results: dict[BudgetMethod, Decimal | None] = dict.fromkeys(BudgetMethod)
    if inputs.revenue is not None and inputs.costs is not None and inputs.target_profit is not None:
        results[BudgetMethod.AFFORDABLE] = affordable(
            revenue=inputs.revenue, costs=inputs.costs, target_profit=inputs.target_profit
        )
    if inputs.sales is not None and inputs.sales_percent is not None:
        results[BudgetMethod.PERCENT_OF_SALES] = percent_of_sales(
            sales=inputs.sales, percent=inputs.sales_percent
        )
    if (
        inputs.competitor_spend is not None
        and inputs.competitor_share is not None
        and inputs.own_share is not None
    ):
        results[BudgetMethod.COMPETITIVE_PARITY] = competitor_parity(
            competitor_spend=inputs.competitor_spend,
            competitor_share=inputs.competitor_share,
            own_share=inputs.own_share,
        )
    elif inputs.sales is not None and inputs.sector_percent is not None:
        results[BudgetMethod.COMPETITIVE_PARITY] = sector_parity(
            sales=inputs.sales, sector_percent=inputs.sector_percent
        )
    costs = list(task_costs)
    if costs:
        results[BudgetMethod.OBJECTIVE_AND_TASK] = objective_and_task(costs)
    return results


def campaign_spend(*, fixed_cost: Decimal, cost_per_contact: Decimal, contacted: int) -> Decimal:
    """A campaign's actual spend: its fixed cost plus the cost of each customer contacted."""
    return _fen(fixed_cost + cost_per_contact * contacted)
