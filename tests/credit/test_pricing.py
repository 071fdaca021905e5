"""Risk-based pricing: a worse grade never costs less, quotes stay within their bounds, the
RAROC of a quote as computed by hand, who may agree a quote, the LPR in force on the day,
and ``bankcrm pricing quote`` end to end."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
import time_machine
import typer
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.pricing import register
from bankcrm.core.config import PricingSettings, RateBounds
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import (
    AnalyticsEngine,
    CreditGrade,
    CustomerType,
    LifecycleStage,
    LoyaltyFactor,
    ProductCategory,
    Quadrant,
    ValueTier,
)
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.credit.grades import DEFAULT_MASTER_SCALE, GRADES, pd_of
from bankcrm.credit.pricing import (
    Authority,
    Loan,
    PricedProduct,
    Quote,
    Relationship,
    approver,
    capital_requirement,
    operating_spread,
    quote,
    relationship_discount,
)
from bankcrm.credit.rate_table import BaseRate, Tenor, load_rate_table, parse_rate_table
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from tests import factories
from tests.timing import move_to_bank_day

SETTINGS = PricingSettings()
BASE = BaseRate(rate=Decimal("3.00"), tenor=Tenor.ONE_YEAR, effective=date(2025, 5, 20))
JSON_KEYS = {"rate", "floor", "ceiling", "base", "spreads", "discount", "raroc", "authority"}

grades = st.sampled_from(GRADES)
pds = st.floats(min_value=1e-6, max_value=1.0)
amounts = st.decimals(min_value=Decimal("1000"), max_value=Decimal("1e9"), places=2)
terms = st.integers(min_value=1, max_value=360)
borrowers = st.sampled_from(CustomerType)
relationships = st.none() | st.builds(
    Relationship,
    quadrant=st.sampled_from(Quadrant),
    value_tier=st.sampled_from(ValueTier),
    loyalty_index=st.floats(min_value=0, max_value=100),
)


@st.composite
def pricing_settings(draw: st.DrawFn) -> PricingSettings:
    """Any sensible policy: hurdle, funding, bounds and discounts drawn, the rest default."""
    floor = draw(st.decimals(min_value=-2, max_value=2, places=2))
    width = draw(st.decimals(min_value=Decimal("0.5"), max_value=20, places=2))
    return PricingSettings(
        hurdle_rate=draw(st.decimals(min_value=1, max_value=50, places=2)),
        funding_spread=draw(st.decimals(min_value=-1, max_value=1, places=2)),
        bounds=RateBounds(floor=floor, ceiling=floor + width),
        discounts={"cap": draw(st.decimals(min_value=0, max_value=2, places=2))},
    )


@dataclass(frozen=True)
class Case:
    """Everything a quote depends on but the PD."""

    amount: Decimal
    term_months: int
    borrower: CustomerType
    relationship: Relationship | None
    settings: PricingSettings

    def quote(self, pd: float) -> Quote:
        loan = Loan(pd=pd, amount=self.amount, term_months=self.term_months, borrower=self.borrower)
        return quote(loan, base=BASE, relationship=self.relationship, settings=self.settings)


cases = st.builds(
    Case,
    amount=amounts,
    term_months=terms,
    borrower=borrowers,
    relationship=relationships,
    settings=pricing_settings(),
)


def _quote(
    pd: float,
    *,
    amount: Decimal = Decimal(1_000_000),
    term_months: int = 36,
    borrower: CustomerType = CustomerType.CORPORATE,
    relationship: Relationship | None = None,
    settings: PricingSettings = SETTINGS,
    product: PricedProduct | None = None,
) -> Quote:
    loan = Loan(pd=pd, amount=amount, term_months=term_months, borrower=borrower, product=product)
    return quote(loan, base=BASE, relationship=relationship, settings=settings)


# --- a worse grade never costs less ---------------------------------------------------------


@given(grades, grades, cases)
def test_a_worse_grade_is_never_priced_lower(
    first: CreditGrade, second: CreditGrade, case: Case
) -> None:
    better, worse = sorted((first, second), key=GRADES.index)
    rates = [case.quote(pd_of(grade, DEFAULT_MASTER_SCALE)).rate for grade in (better, worse)]
    assert rates[0] <= rates[1]


@given(pds, pds, cases)
def test_a_higher_pd_is_never_priced_lower(first: float, second: float, case: Case) -> None:
    lower, higher = sorted((first, second))
    low, high = case.quote(lower), case.quote(higher)
    assert low.spreads.expected_loss <= high.spreads.expected_loss
    assert low.spreads.capital <= high.spreads.capital
    assert low.rate <= high.rate


@pytest.mark.parametrize("borrower", list(CustomerType))
@pytest.mark.parametrize("maturity", [1.0, 2.5, 5.0])
@pytest.mark.parametrize("hurdle", [0.05, 0.12, 0.30, 1.0])
def test_expected_loss_and_capital_charge_rise_over_the_master_scale(
    borrower: CustomerType, maturity: float, hurdle: float
) -> None:
    lowest, highest = min(DEFAULT_MASTER_SCALE.values()), max(DEFAULT_MASTER_SCALE.values())
    steps = 2_000
    grid = [lowest * (highest / lowest) ** (step / steps) for step in range(steps + 1)]
    charges = [
        pd * 0.45 + hurdle * capital_requirement(pd, 0.45, borrower=borrower, maturity=maturity)
        for pd in grid
    ]
    assert all(before <= after for before, after in pairwise(charges))


def _basel_k(pd: float, lgd: float, maturity: float, *, corporate: bool) -> float:
    """Basel IRB K as the accord writes it (corporate, or other retail)."""
    if corporate:
        weight = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
        correlation = 0.12 * weight + 0.24 * (1 - weight)
    else:
        weight = (1 - math.exp(-35 * pd)) / (1 - math.exp(-35))
        correlation = 0.03 * weight + 0.16 * (1 - weight)
    conditional = norm.cdf(
        (norm.ppf(pd) + math.sqrt(correlation) * norm.ppf(0.999)) / math.sqrt(1 - correlation)
    )
    k = lgd * (conditional - pd)
    if not corporate:
        return float(k)
    b = (0.11852 - 0.05478 * math.log(pd)) ** 2
    return float(k * (1 + (maturity - 2.5) * b) / (1 - 1.5 * b))


def test_capital_is_held_where_the_basel_formula_turns_down() -> None:
    # Basel's K peaks near a PD of 0.29 for a three-year corporate loan; grade C (0.35)
    # lies beyond it, where the formula would ask for less capital than grade CC's peak.
    assert _basel_k(0.35, 0.45, 3, corporate=True) < _basel_k(0.29, 0.45, 3, corporate=True)
    held = capital_requirement(0.35, 0.45, borrower=CustomerType.CORPORATE, maturity=3)
    assert held >= _basel_k(0.29, 0.45, 3, corporate=True) - 1e-12
    assert capital_requirement(
        1.0, 0.45, borrower=CustomerType.CORPORATE, maturity=3
    ) == pytest.approx(held)


@pytest.mark.parametrize(
    ("pd", "risk_weight"),
    [(0.0003, 14.44), (0.001, 29.65), (0.01, 92.32), (0.03, 128.44), (0.10, 193.09)],
)
def test_corporate_capital_matches_the_accords_illustrative_risk_weights(
    pd: float, risk_weight: float
) -> None:
    """Basel II, Annex 3: corporate exposures, LGD 45 %, maturity 2.5 years; a risk weight
    is K × 12.5."""
    k = capital_requirement(pd, 0.45, borrower=CustomerType.CORPORATE, maturity=2.5)
    assert k * 12.5 * 100 == pytest.approx(risk_weight, abs=0.005)


@pytest.mark.parametrize(("pd", "risk_weight"), [(0.0003, 4.45), (0.001, 11.16)])
def test_retail_capital_matches_the_accords_illustrative_risk_weights(
    pd: float, risk_weight: float
) -> None:
    """Basel II, Annex 3: other retail exposures, LGD 45 %."""
    k = capital_requirement(pd, 0.45, borrower=CustomerType.INDIVIDUAL, maturity=2.5)
    assert k * 12.5 * 100 == pytest.approx(risk_weight, abs=0.005)


# --- floor, ceiling, discount and amount ---------------------------------------------------


@given(pds, cases)
def test_a_quote_stays_within_its_floor_and_ceiling(pd: float, case: Case) -> None:
    result = case.quote(pd)
    assert result.floor == BASE.rate + case.settings.bounds.floor
    assert result.ceiling == BASE.rate + case.settings.bounds.ceiling
    assert result.floor <= result.rate <= result.ceiling


@given(pds, cases)
def test_a_discount_never_takes_the_rate_below_the_floor(pd: float, case: Case) -> None:
    plain = replace(case, relationship=None).quote(pd)
    kept = case.quote(pd)
    earned = relationship_discount(case.relationship, case.settings.discounts)
    assert plain.discount == 0
    assert 0 <= kept.discount <= earned <= case.settings.discounts.cap
    assert kept.rate == plain.rate - kept.discount
    assert kept.rate >= kept.floor
    if plain.rate < plain.ceiling:
        assert kept.rate == max(plain.rate - earned, kept.floor)


def test_the_discount_is_cut_at_the_floor() -> None:
    generous = PricingSettings(
        discounts={"quadrant": {"loyal": 3}, "cap": 5}, bounds=RateBounds(floor=0, ceiling=10)
    )
    best = Relationship(quadrant=Quadrant.LOYAL, value_tier=ValueTier.A, loyalty_index=100)
    plain = _quote(0.0003, settings=generous)
    kept = _quote(0.0003, relationship=best, settings=generous)
    assert kept.rate == kept.floor == Decimal("3.0000")
    assert kept.discount == plain.rate - kept.floor < 3


@given(amounts, amounts, pds, terms)
def test_a_larger_amount_never_costs_more_to_run(
    first: Decimal, second: Decimal, pd: float, term_months: int
) -> None:
    smaller, larger = sorted((first, second))
    assert operating_spread(smaller, SETTINGS) >= operating_spread(larger, SETTINGS)
    small = _quote(pd, amount=smaller, term_months=term_months)
    large = _quote(pd, amount=larger, term_months=term_months)
    assert small.spreads.operating >= large.spreads.operating
    assert small.rate >= large.rate


def test_a_small_loan_costs_more_per_yuan() -> None:
    # ¥1,000 a year over ¥20,000 is 5 points; over ¥2,000,000 it is 0.05
    assert operating_spread(Decimal(20_000), SETTINGS) == Decimal("5.3000")
    assert operating_spread(Decimal(2_000_000), SETTINGS) == Decimal("0.3500")


# --- RAROC by hand --------------------------------------------------------------------------


def test_raroc_of_a_bbb_quote_computed_by_hand() -> None:
    """BBB (PD 0.30 %), corporate, ¥1,000,000 over 36 months at a 3.00 % LPR, default
    settings: LGD 45 %, hurdle 12 %, no funding spread, ¥1,000 a year plus 0.30 %."""
    pd, lgd, base = 0.003, 0.45, 3.00
    k = _basel_k(pd, lgd, 3.0, corporate=True)  # 4.77 %
    expected_loss = pd * lgd * 100  # 0.135 points
    capital_charge = 0.12 * k * 100
    operating = 1_000 / 1_000_000 * 100 + 0.30  # 0.40 points
    rate = base + expected_loss + capital_charge + 0.0 + operating
    raroc = (rate - base * (1 - k) - operating - expected_loss) / k

    result = _quote(pd_of(CreditGrade.BBB, DEFAULT_MASTER_SCALE))

    assert result.capital_requirement == pytest.approx(k, rel=1e-9)
    assert float(result.spreads.expected_loss) == pytest.approx(expected_loss, abs=5e-5)
    assert float(result.spreads.capital) == pytest.approx(capital_charge, abs=5e-5)
    assert float(result.spreads.operating) == pytest.approx(operating, abs=5e-5)
    assert float(result.rate) == pytest.approx(rate, abs=1e-4)
    assert float(result.raroc) == pytest.approx(raroc, abs=5e-3)
    # without a discount the quote earns the hurdle plus the LPR on the capital it ties up
    assert float(result.raroc) == pytest.approx(12 + base, abs=5e-3)
    assert result.authority is Authority.ACCOUNT_MANAGER

    # a loyal, tier-A customer of loyalty 60 earns 0.20 + 0.15 + 0.06, capped at 0.30
    loyal = Relationship(quadrant=Quadrant.LOYAL, value_tier=ValueTier.A, loyalty_index=60)
    discounted = _quote(pd_of(CreditGrade.BBB, DEFAULT_MASTER_SCALE), relationship=loyal)
    assert discounted.discount == Decimal("0.3000")
    assert float(discounted.raroc) == pytest.approx(raroc - 0.30 / k, abs=5e-3)
    assert discounted.authority is Authority.BRANCH_MANAGER


# --- who may agree a quote ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "discount", "raroc", "authority"),
    [
        ("1000000", "0", "15", Authority.ACCOUNT_MANAGER),
        ("5000000", "0.10", "12", Authority.ACCOUNT_MANAGER),
        ("5000000.01", "0", "15", Authority.BRANCH_MANAGER),
        ("1000000", "0.1001", "15", Authority.BRANCH_MANAGER),
        ("1000000", "0", "11.9999", Authority.BRANCH_MANAGER),
        ("50000000", "0.30", "-5", Authority.BRANCH_MANAGER),
        ("50000000.01", "0", "15", Authority.HEAD_OFFICE),
    ],
)
def test_who_may_agree_a_quote(
    amount: str, discount: str, raroc: str, authority: Authority
) -> None:
    found = approver(
        amount=Decimal(amount), discount=Decimal(discount), raroc=Decimal(raroc), settings=SETTINGS
    )
    assert found is authority


def test_a_quote_held_at_its_ceiling_goes_to_the_branch() -> None:
    # grade C costs more than the ceiling allows, so the quote earns less than the hurdle
    result = _quote(pd_of(CreditGrade.C, DEFAULT_MASTER_SCALE))
    assert result.rate == result.ceiling
    assert result.raroc < SETTINGS.hurdle_rate
    assert result.authority is Authority.BRANCH_MANAGER


def test_a_product_brings_its_lgd_bounds_and_longest_term() -> None:
    settings = PricingSettings(
        product_bounds={"CARD-CRD": RateBounds(floor=Decimal(2), ceiling=Decimal(15))}
    )
    card = PricedProduct(code="CARD-CRD", category=ProductCategory.CARD, term_months=None)
    result = _quote(0.01, product=card, settings=settings)
    assert result.spreads.expected_loss == Decimal("0.7500")  # LGD 75 % for cards
    assert (result.floor, result.ceiling) == (Decimal("5.0000"), Decimal("18.0000"))
    short = PricedProduct(code="LOAN-WC", category=ProductCategory.LOAN, term_months=12)
    with pytest.raises(ValidationFailed, match="1 to 12 months"):
        _quote(0.01, product=short, term_months=24)


# --- the LPR in force -----------------------------------------------------------------------


def test_the_shipped_table_takes_the_one_year_rate_up_to_five_years() -> None:
    table = load_rate_table()
    day = date(2025, 6, 1)
    assert table.base_rate(term_months=60, day=day).rate == Decimal("3.00")
    assert table.base_rate(term_months=61, day=day).rate == Decimal("3.50")
    assert table.base_rate(term_months=61, day=day).tenor is Tenor.FIVE_YEAR
    assert table.in_force(date(2024, 10, 20)).one_year == Decimal("3.35")
    assert table.in_force(date(2024, 10, 21)).one_year == Decimal("3.10")


def test_a_rate_table_out_of_order_is_refused() -> None:
    text = """
one_year_up_to_months = 60
[[versions]]
effective = 2025-05-20
one_year = 3.00
five_year = 3.50
[[versions]]
effective = 2024-10-21
one_year = 3.10
five_year = 3.60
"""
    with pytest.raises(ValidationFailed, match=r"bank.toml: .*2024-10-21 follows 2025-05-20"):
        parse_rate_table(text, origin="bank.toml")


runner = CliRunner()


def _pricing_app() -> typer.Typer:
    # The group alone: importing every command module of `bankcrm` costs seconds here.
    app = typer.Typer()
    register(app)
    return app


def _run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(_pricing_app(), ["pricing", "quote", *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    reset_caches()
    yield
    reset_caches()


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(
    ("day", "term", "base"),
    [
        (date(2025, 5, 19), "36", 3.10),
        (date(2025, 5, 20), "36", 3.00),
        (date(2025, 5, 19), "120", 3.60),
        (date(2025, 5, 20), "120", 3.50),
        (date(2024, 10, 18), "36", 3.35),
    ],
)
def test_the_quote_takes_the_lpr_in_force_on_the_bank_day(
    time_machine: time_machine.TimeMachineFixture, day: date, term: str, base: float
) -> None:
    move_to_bank_day(time_machine, day)
    code, stdout, stderr = _run(
        "--grade", "A", "--amount", "500000", "--term-months", term, "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["base"] == base


@pytest.mark.usefixtures("fresh_settings")
def test_the_bank_day_decides_at_midnight_in_shanghai(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # 2025-05-19 16:30 UTC is already 00:30 on the 20th in Shanghai
    time_machine.move_to(datetime(2025, 5, 19, 16, 30, tzinfo=UTC), tick=False)
    code, stdout, _ = _run("--grade", "A", "--amount", "500000", "--term-months", "12", "--json")
    assert code == 0
    assert json.loads(stdout)["base"] == 3.00


# --- the command ----------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_settings")
def test_the_json_quote_has_exactly_its_keys_and_adds_up() -> None:
    code, stdout, stderr = _run(
        "--grade", "BBB", "--amount", "1,000,000", "--term-months", "36", "--json"
    )
    assert code == 0, stderr
    printed = json.loads(stdout)
    assert set(printed) == JSON_KEYS
    assert set(printed["spreads"]) == {"expected_loss", "capital", "funding", "operating"}
    parts = [Decimal(str(printed["base"]))] + [
        Decimal(str(value)) for value in printed["spreads"].values()
    ]
    assert Decimal(str(printed["rate"])) == sum(parts) - Decimal(str(printed["discount"]))
    assert printed["authority"] == "account_manager"
    assert printed["floor"] < printed["rate"] < printed["ceiling"]


@pytest.mark.usefixtures("fresh_settings")
def test_the_summary_names_the_rate_table_version() -> None:
    code, stdout, _ = _run("--grade", "BBB", "--amount", "1000000", "--term-months", "36")
    assert code == 0
    assert "1Y LPR in force since 2025-05-20" in stdout
    assert "RAROC" in stdout and "account manager may agree it" in stdout


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--grade", "BBB+", "--amount", "100", "--term-months", "12"], "unknown grade 'BBB+'"),
        (["--grade", "A", "--amount", "0", "--term-months", "12"], "must be positive"),
        (["--grade", "A", "--amount", "-10", "--term-months", "12"], "must be positive"),
        (["--grade", "A", "--amount", "lots", "--term-months", "12"], "a number of yuan"),
        (["--grade", "A", "--amount", "100", "--term-months", "0"], "1 to 360 months"),
        (["--grade", "A", "--amount", "100", "--term-months", "361"], "1 to 360 months"),
    ],
)
def test_bad_input_is_refused_with_a_message(arguments: list[str], message: str) -> None:
    code, stdout, stderr = _run(*arguments, "--json")
    assert code == 1
    assert stdout == ""
    assert message in stderr and "Traceback" not in stderr


@pytest.mark.usefixtures("fresh_settings")
def test_a_bank_rate_table_is_used_and_a_broken_one_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "rates.toml"
    table.write_text(
        "one_year_up_to_months = 60\n[[versions]]\neffective = 2020-01-01\n"
        "one_year = 4.00\nfive_year = 4.50\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BANKCRM_PRICING__RATE_TABLE", str(table))
    reset_caches()
    code, stdout, _ = _run("--grade", "A", "--amount", "100000", "--term-months", "72", "--json")
    assert code == 0
    assert json.loads(stdout)["base"] == 4.50

    table.write_text("one_year_up_to_months = 60\nversions = []\n", encoding="utf-8")
    code, _, stderr = _run("--grade", "A", "--amount", "100000", "--term-months", "72")
    assert code == 1
    assert f"{table}: versions:" in stderr


@dataclass(frozen=True)
class PricingBank:
    segmented: str
    """A corporate customer: problem-1, tier B, loyalty 50 in the latest run."""
    unsegmented: str
    loan: str
    deposit: str


def _segment(run_id: int, customer_id: int) -> CustomerSegment:
    scores = {f"{factor.value}_score": 50.0 for factor in LoyaltyFactor}
    return CustomerSegment(
        run_id=run_id,
        customer_id=customer_id,
        customer_type=CustomerType.CORPORATE,
        business_volume_cents=100_000_00,
        business_share=0.01,
        loyalty_index=50.0,
        quadrant=Quadrant.PROBLEM_1,
        value_tier=ValueTier.B,
        recency_score=3,
        frequency_score=3,
        monetary_score=3,
        lifecycle_stage=LifecycleStage.MATURE,
        **scores,
    )


@pytest.fixture
def pricing_bank(app_settings: str) -> PricingBank:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        branch = factories.branch(session)
        segmented, unsegmented = (
            factories.customer(
                session, branch_id=branch.id, manager_id=None, customer_type=CustomerType.CORPORATE
            )
            for _ in range(2)
        )
        loan = factories.product(session, category=ProductCategory.LOAN)
        deposit = factories.product(session)
        for as_of in (date(2026, 3, 31), date(2026, 9, 30)):
            run = SegmentRun(
                as_of=as_of,
                engine=AnalyticsEngine.DUCKDB,
                period_months=12,
                customers=1,
                settings={},
                summary={},
                finished_at=datetime(2026, 10, 1, tzinfo=UTC),
            )
            session.add(run)
            session.flush()
            if as_of == date(2026, 9, 30):
                session.add(_segment(run.id, segmented.id))
            else:
                session.add(_segment(run.id, unsegmented.id))
        bank = PricingBank(
            segmented=segmented.external_id,
            unsegmented=unsegmented.external_id,
            loan=loan.external_id,
            deposit=deposit.external_id,
        )
        session.commit()
    engine.dispose()
    return bank


QUOTE = ("--grade", "BBB", "--amount", "1000000", "--term-months", "36", "--json")


def test_a_customer_gets_the_discount_of_their_latest_segment(pricing_bank: PricingBank) -> None:
    code, stdout, stderr = _run(*QUOTE, "--product", pricing_bank.loan)
    assert code == 0, stderr
    plain = json.loads(stdout)
    code, stdout, stderr = _run(
        *QUOTE, "--product", pricing_bank.loan, "--customer", pricing_bank.segmented
    )
    assert code == 0, stderr
    kept = json.loads(stdout)
    # problem-1 0.10 + tier B 0.05 + loyalty 50/100 × 0.10
    assert kept["discount"] == 0.20
    assert Decimal(str(kept["rate"])) == Decimal(str(plain["rate"])) - Decimal("0.20")
    assert kept["spreads"] == plain["spreads"]
    assert kept["authority"] == "branch_manager"  # above the manager's 0.10


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--product", "LOAN-NONE"], "no product 'LOAN-NONE' on sale"),
        (["--product", "{deposit}"], "is a deposit product, which lends nothing"),
        (["--customer", "C-NOBODY"], "no customer 'C-NOBODY'"),
        (["--customer", "{unsegmented}"], "is not in the segmentation run of 2026-09-30"),
        (
            ["--customer", "{segmented}", "--customer-type", "individual"],
            "is corporate, not individual",
        ),
    ],
)
def test_unknown_products_and_customers_are_refused(
    pricing_bank: PricingBank, extra: list[str], message: str
) -> None:
    arguments = [
        part.format(deposit=pricing_bank.deposit, unsegmented=pricing_bank.unsegmented,
                    segmented=pricing_bank.segmented)
        for part in extra
    ]  # fmt: skip
    code, stdout, stderr = _run(*QUOTE, *arguments)
    assert code == 1
    assert stdout == ""
    assert message in stderr and "Traceback" not in stderr


def test_a_customer_without_any_segmentation_run_is_refused(app_settings: str) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        branch = factories.branch(session)
        customer = factories.customer(session, branch_id=branch.id, manager_id=None)
        number = customer.external_id
        session.commit()
    engine.dispose()
    code, _, stderr = _run(*QUOTE, "--customer", number)
    assert code == 1
    assert "segmentation has not run yet" in stderr
