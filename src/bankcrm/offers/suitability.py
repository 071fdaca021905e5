"""The suitability gate: may this product be offered or sold to this customer?

China's investor-suitability rules grade customers C1–C5 by their risk assessment and
products R1–R5 by product governance; a product may be sold only when its level does not
exceed the customer's, its term fits the customer's horizon and its risk what the customer's
money is for. Offers, sales and the API all ask this one function; a refusal lists every
reason, so a manager sees at once what an override would have to answer for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bankcrm.core.enums import (
    InvestmentGoal,
    ProductCategory,
    ProductRisk,
    RiskLevel,
    SuitabilityReason,
)

INVESTMENT_CATEGORIES = frozenset(
    {ProductCategory.WEALTH, ProductCategory.FUND, ProductCategory.INSURANCE}
)
"""Products whose money is at risk: the horizon and goal rules apply to them. Every product
has a risk level, and the level rule applies to all."""

GOAL_MAX_RISK: Mapping[InvestmentGoal, ProductRisk] = MappingProxyType(
    {
        InvestmentGoal.PRESERVATION: ProductRisk.R1,
        InvestmentGoal.INCOME: ProductRisk.R2,
        InvestmentGoal.BALANCED: ProductRisk.R3,
        InvestmentGoal.GROWTH: ProductRisk.R5,
    }
)
"""The riskiest product each goal looks for: money meant to be kept is not put in a fund."""


def rank(level: RiskLevel | ProductRisk) -> int:
    """1 for C1 or R1 … 5 for C5 or R5: a product fits when its rank is at most the
    customer's."""
    return int(level.value[1])


@dataclass(frozen=True)
class SuitabilityRules:
    """The bank's rules beyond the level match (configurable, ``offers`` settings)."""

    elderly_age: int = 65
    """From this age a customer is offered nothing above ``elderly_max_risk`` without an
    override."""
    elderly_max_risk: ProductRisk = ProductRisk.R3
    vulnerable_max_risk: ProductRisk = ProductRisk.R2
    """For a customer the bank has marked vulnerable (an illness, a guardian, a recent
    bereavement)."""
    goal_max_risk: Mapping[InvestmentGoal, ProductRisk] = field(
        default_factory=lambda: GOAL_MAX_RISK
    )
    required_qualifications: Mapping[ProductRisk, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """The qualification the seller must hold to sell a product of each risk level
    (``staff/training/data/qualifications.toml``); a level not listed needs none."""


@dataclass(frozen=True)
class Investor:
    """What the gate knows of the customer. ``level`` is None when there is no valid risk
    assessment (never assessed, or expired): only R1 products are allowed then."""

    level: RiskLevel | None
    goal: InvestmentGoal | None = None
    horizon_months: int | None = None
    """The longest the customer can leave the money, from the assessment."""
    age: int | None = None
    vulnerable: bool = False


@dataclass(frozen=True)
class Offering:
    """What the gate knows of the product."""

    risk: ProductRisk
    category: ProductCategory
    term_months: int | None = None
    """The term, or the recommended holding period; None when it can be redeemed any day."""


@dataclass(frozen=True)
class Seller:
    """What the gate knows of who sells: the qualifications they hold a valid certificate
    of on the day of the sale."""

    qualifications: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Refusal:
    """One reason the product does not suit: the rule and the two values it compared."""

    reason: SuitabilityReason
    product: str
    customer: str

    def as_json(self) -> dict[str, str]:
        """As a sale's mismatch and an audited refusal keep it."""
        return {"reason": self.reason.value, "product": self.product, "customer": self.customer}


@dataclass(frozen=True)
class Verdict:
    refusals: tuple[Refusal, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def reasons(self) -> tuple[SuitabilityReason, ...]:
        return tuple(refusal.reason for refusal in self.refusals)


def judge(
    investor: Investor,
    offering: Offering,
    rules: SuitabilityRules | None = None,
    seller: Seller | None = None,
) -> Verdict:
    """Every reason ``offering`` does not suit ``investor`` (or may not be sold by
    ``seller``); none when it does. Without a seller only the customer is judged, as when
    offers are listed."""
    rules = rules or SuitabilityRules()
    refusals: list[Refusal] = []
    required = rules.required_qualifications.get(offering.risk)
    if seller is not None and required is not None and required not in seller.qualifications:
        refusals.append(
            Refusal(SuitabilityReason.SELLER_UNQUALIFIED, offering.risk.value, required)
        )
    risk = rank(offering.risk)
    if investor.level is None:
        if risk > rank(ProductRisk.R1):
            refusals.append(Refusal(SuitabilityReason.NO_VALID_ASSESSMENT, offering.risk.value, ""))
    elif risk > rank(investor.level):
        refusals.append(
            Refusal(SuitabilityReason.LEVEL_ABOVE, offering.risk.value, investor.level.value)
        )
    if offering.category in INVESTMENT_CATEGORIES:
        if (
            offering.term_months is not None
            and investor.horizon_months is not None
            and offering.term_months > investor.horizon_months
        ):
            refusals.append(
                Refusal(
                    SuitabilityReason.HORIZON_LONGER,
                    str(offering.term_months),
                    str(investor.horizon_months),
                )
            )
        if investor.goal is not None and risk > rank(rules.goal_max_risk[investor.goal]):
            refusals.append(
                Refusal(SuitabilityReason.GOAL_MISMATCH, offering.risk.value, investor.goal.value)
            )
    if (
        investor.age is not None
        and investor.age >= rules.elderly_age
        and risk > rank(rules.elderly_max_risk)
    ):
        refusals.append(
            Refusal(SuitabilityReason.ELDERLY_LIMIT, offering.risk.value, str(investor.age))
        )
    if investor.vulnerable and risk > rank(rules.vulnerable_max_risk):
        refusals.append(
            Refusal(
                SuitabilityReason.VULNERABLE_LIMIT,
                offering.risk.value,
                rules.vulnerable_max_risk.value,
            )
        )
    return Verdict(tuple(refusals))
