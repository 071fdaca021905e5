"""Risk-based loan pricing (风险定价) and the RAROC of a quote.

Pure: a loan, its base rate and the customer's relationship in; a quote out. Every rate is
per cent a year and every spread percentage points of it, rounded to four decimals::

    rate = base + expected loss + capital + funding + operating − discount

within the policy floor and ceiling of the product, where

- *base* is the LPR of the term (``rate_table``);
- *expected loss* is PD × LGD;
- *capital* is the hurdle rate on the capital K held against unexpected loss, K from the
  Basel IRB formula (:func:`capital_requirement`);
- *funding* is the bank's funds transfer price above the base rate;
- *operating* is a fixed yuan amount a year spread over the amount, plus a variable part,
  so a small loan costs more per yuan;
- *discount* is the relationship discount (quadrant, value tier, loyalty; capped). It never
  takes the rate below the floor: the discount a quote reports is what it took off.

A worse grade is never priced lower, all else equal: expected loss rises with PD, and K is
held at its peak beyond the PD where Basel's formula turns down (see
:func:`capital_requirement`), so every term of the rate is monotone in PD.

The RAROC of the quote is its risk-adjusted return on the capital K::

    RAROC = (rate − (base + funding) × (1 − K) − operating − expected loss) / K

Only 1 − K of the loan is funded at the transfer price; the rest is the bank's own capital.
A quote without discount therefore earns the hurdle plus the cost of funds on K, which is
the room a discount has before the RAROC falls below the hurdle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from bankcrm.core.config import PricingSettings, RelationshipDiscounts
from bankcrm.core.enums import CustomerType, ProductCategory, Quadrant, ValueTier
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.credit.rate_table import BaseRate

PLACES = Decimal("0.0001")
"""Rates, spreads and the RAROC are per cent rounded to four decimals (a hundredth of a
basis point)."""
PER_CENT = 100
CONFIDENCE = 0.999
"""Basel IRB: capital covers the losses of all but one year in a thousand."""
MIN_PD = 0.0003
"""Basel's floor on the PD of a corporate or retail exposure."""
MATURITY_YEARS = (1.0, 5.0)
"""Basel holds the effective maturity of a corporate exposure within one and five years."""
CORRELATION = {
    CustomerType.CORPORATE: (0.12, 0.24, 50.0),
    CustomerType.INDIVIDUAL: (0.03, 0.16, 35.0),
}
"""Basel asset correlation (at high PD, at low PD, how fast it moves between them): the
corporate curve, and for individuals the one of *other retail* exposures."""
PRICED_CATEGORIES = frozenset({ProductCategory.LOAN, ProductCategory.CARD})
"""Products that lend, and so have a rate to quote."""


class Authority(StrEnum):
    """Who may agree a quote."""

    ACCOUNT_MANAGER = "account_manager"
    BRANCH_MANAGER = "branch_manager"
    HEAD_OFFICE = "head_office"


@dataclass(frozen=True)
class PricedProduct:
    """The product a loan is quoted for."""

    code: str
    category: ProductCategory
    term_months: int | None
    """The longest term the product is sold for; ``None`` when the catalogue sets none."""


@dataclass(frozen=True)
class Loan:
    """A loan to quote."""

    pd: float
    """One-year probability of default (the grade's, from the master scale)."""
    amount: Decimal
    """Yuan."""
    term_months: int
    borrower: CustomerType
    """Picks the Basel correlation: corporate, or other retail for individuals."""
    product: PricedProduct | None = None


@dataclass(frozen=True)
class Relationship:
    """The customer's place in the latest segmentation run."""

    quadrant: Quadrant
    value_tier: ValueTier
    loyalty_index: float
    """0–100."""


@dataclass(frozen=True)
class Spreads:
    """The parts of a rate above its base, percentage points."""

    expected_loss: Decimal
    capital: Decimal
    funding: Decimal
    operating: Decimal

    @property
    def total(self) -> Decimal:
        return self.expected_loss + self.capital + self.funding + self.operating

    def as_json(self) -> dict[str, float]:
        return {
            "expected_loss": float(self.expected_loss),
            "capital": float(self.capital),
            "funding": float(self.funding),
            "operating": float(self.operating),
        }


@dataclass(frozen=True)
class Quote:
    rate: Decimal
    """% a year: base + spreads − discount, within floor and ceiling."""
    floor: Decimal
    ceiling: Decimal
    base: BaseRate
    spreads: Spreads
    discount: Decimal
    """What the relationship discount took off the rate, after floor and ceiling."""
    raroc: Decimal
    """%."""
    authority: Authority
    capital_requirement: float
    """K, a share of the amount."""

    def as_json(self) -> dict[str, object]:
        return {
            "rate": float(self.rate),
            "floor": float(self.floor),
            "ceiling": float(self.ceiling),
            "base": float(_rounded(self.base.rate)),
            "spreads": self.spreads.as_json(),
            "discount": float(self.discount),
            "raroc": float(self.raroc),
            "authority": self.authority.value,
        }


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _percentage(share: float) -> Decimal:
    """A share (0.0135) as rounded per cent (1.35)."""
    return _rounded(Decimal(share) * PER_CENT)


# --- capital: the Basel IRB formula -----------------------------------------------------------


def asset_correlation(pd: float, borrower: CustomerType) -> float:
    """Basel's correlation of a borrower with the economy, falling as its PD rises."""
    low, high, speed = CORRELATION[borrower]
    weight = (1 - math.exp(-speed * pd)) / (1 - math.exp(-speed))
    return low * weight + high * (1 - weight)


def maturity_years(term_months: int) -> float:
    """Basel's effective maturity M of a term: the term in years, within one and five.

    An amortising loan's effective maturity is shorter than its term; taking the term errs
    towards more capital."""
    shortest, longest = MATURITY_YEARS
    return min(max(term_months / 12, shortest), longest)


def _capital_per_lgd(pd: float, borrower: CustomerType, maturity: float) -> float:
    """Basel K for an LGD of 1: the loss at the 99.9 % quantile less the expected loss,
    with the maturity adjustment for a corporate borrower."""
    # SciPy is imported here: the credit models import this module, and every command
    # that loads the models would otherwise pay SciPy's start-up
    from scipy.stats import norm

    correlation = asset_correlation(pd, borrower)
    stressed_pd = norm.cdf(
        (norm.ppf(pd) + math.sqrt(correlation) * norm.ppf(CONFIDENCE)) / math.sqrt(1 - correlation)
    )
    unexpected = float(stressed_pd) - pd
    if borrower is CustomerType.INDIVIDUAL:
        return unexpected
    slope = (0.11852 - 0.05478 * math.log(pd)) ** 2
    return unexpected * (1 + (maturity - 2.5) * slope) / (1 - 1.5 * slope)


@lru_cache(maxsize=128)
def _peak_pd(borrower: CustomerType, maturity: float) -> float:
    """The PD at which Basel K is highest (about 0.28–0.31 for corporates, 0.40 for retail);
    K rises up to it and falls beyond it, with one peak."""
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(
        lambda pd: -_capital_per_lgd(pd, borrower, maturity),
        bounds=(MIN_PD, 1 - 1e-9),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(found.x)


def capital_requirement(pd: float, lgd: float, *, borrower: CustomerType, maturity: float) -> float:
    """K: the capital held against a loan's unexpected loss, a share of its amount.

    Basel's K falls again at high PDs, because more of the loss is then expected, and
    expected loss is priced on its own. A worse grade must not cost less capital, so beyond
    the PD of its peak K is held at the peak; below Basel's PD floor of 0.03 % it is the
    floor's.
    """
    held = min(max(pd, MIN_PD), _peak_pd(borrower, maturity))
    return lgd * _capital_per_lgd(held, borrower, maturity)


# --- the quote --------------------------------------------------------------------------------


def operating_spread(amount: Decimal, settings: PricingSettings) -> Decimal:
    """The fixed yearly cost spread over the amount, plus the variable part."""
    return _rounded(settings.operating_fixed / amount * PER_CENT + settings.operating_variable)


def relationship_discount(
    relationship: Relationship | None, discounts: RelationshipDiscounts
) -> Decimal:
    """What the relationship earns off the rate, before floor and ceiling; none without one."""
    if relationship is None:
        return Decimal(0)
    loyalty = min(max(relationship.loyalty_index, 0.0), 100.0) / PER_CENT
    earned = (
        discounts.quadrant.get(relationship.quadrant, Decimal(0))
        + discounts.value_tier.get(relationship.value_tier, Decimal(0))
        + discounts.loyalty * Decimal(loyalty)
    )
    return _rounded(min(earned, discounts.cap))


def approver(
    *, amount: Decimal, discount: Decimal, raroc: Decimal, settings: PricingSettings
) -> Authority:
    """Who may agree a quote for ``amount`` yuan at this discount and RAROC."""
    limits = settings.authority
    if amount > limits.branch_manager_amount:
        return Authority.HEAD_OFFICE
    if (
        amount <= limits.account_manager_amount
        and discount <= limits.account_manager_discount
        and raroc >= settings.hurdle_rate
    ):
        return Authority.ACCOUNT_MANAGER
    return Authority.BRANCH_MANAGER


def check_loan(loan: Loan, settings: PricingSettings) -> None:
    """A ``ValidationFailed`` naming the field unless the loan can be quoted."""
    if not 0 < loan.pd <= 1:  # NaN fails it too
        raise ValidationFailed(f"a PD lies in (0, 1], not {loan.pd}", field="pd")
    if not loan.amount.is_finite() or loan.amount <= 0:
        raise ValidationFailed(f"the amount must be positive, not {loan.amount}", field="amount")
    longest = settings.max_term_months
    product = loan.product
    if product is not None:
        if product.category not in PRICED_CATEGORIES:
            raise ValidationFailed(
                f"{product.code} is a {product.category.value} product, which lends nothing",
                field="product",
            )
        if product.term_months is not None:
            longest = min(longest, product.term_months)
    if not 1 <= loan.term_months <= longest:
        raise ValidationFailed(
            f"the term must be 1 to {longest} months, not {loan.term_months}", field="term_months"
        )


def quote(
    loan: Loan,
    *,
    base: BaseRate,
    relationship: Relationship | None,
    settings: PricingSettings,
) -> Quote:
    """The rate for ``loan``, its RAROC and who may agree it.

    Raises
    ------
    ValidationFailed
        The loan cannot be quoted (see :func:`check_loan`).
    """
    check_loan(loan, settings)
    product = loan.product
    lgd = settings.lgd_of(product.category if product else None)
    bounds = settings.bounds_of(product.code if product else None)
    capital = capital_requirement(
        loan.pd, lgd, borrower=loan.borrower, maturity=maturity_years(loan.term_months)
    )
    spreads = Spreads(
        expected_loss=_percentage(loan.pd * lgd),
        capital=_percentage(float(settings.hurdle_rate) / PER_CENT * capital),
        funding=_rounded(settings.funding_spread),
        operating=operating_spread(loan.amount, settings),
    )
    base_rate = _rounded(base.rate)
    floor = _rounded(base_rate + bounds.floor)
    ceiling = _rounded(base_rate + bounds.ceiling)
    priced = base_rate + spreads.total
    undiscounted = min(max(priced, floor), ceiling)
    offered = relationship_discount(relationship, settings.discounts)
    rate = min(max(priced - offered, floor), ceiling)
    discount = undiscounted - rate
    cost_of_funds = (base_rate + spreads.funding) * (1 - Decimal(capital))
    raroc = _rounded(
        (rate - cost_of_funds - spreads.operating - spreads.expected_loss) / Decimal(capital)
    )
    return Quote(
        rate=rate,
        floor=floor,
        ceiling=ceiling,
        base=base,
        spreads=spreads,
        discount=discount,
        raroc=raroc,
        authority=approver(amount=loan.amount, discount=discount, raroc=raroc, settings=settings),
        capital_requirement=capital,
    )
