"""One place for every setting: environment (``BANKCRM_*``) and an optional ``bankcrm.toml``."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bankcrm.core import signing_key
from bankcrm.core.enums import (
    CreditGrade,
    LoyaltyFactor,
    ProductCategory,
    ProductRisk,
    Quadrant,
    ValueTier,
)

MIN_SECRET_LENGTH = 32
"""Characters a configured ``secret_key`` needs (e.g. ``openssl rand -hex 32``)."""
KEY_FILE_NAME = "bankcrm.secret-key"


class LifecycleRules(BaseModel):
    """Rules of the lifecycle stages, applied in the order of ``docs/segmentation.md``."""

    new_months: int = Field(default=6, ge=1)
    """A relationship younger than this is *new*."""
    dormant_months: int = Field(default=6, ge=1)
    """No customer-initiated transaction for this long makes a customer *dormant*."""
    lost_months: int = Field(default=12, ge=1)
    """No customer-initiated transaction for this long (or every account closed) is *lost*."""
    trend_threshold: float = Field(default=0.10, gt=0, lt=1)
    """Change of business volume, second half of the period against the first, that makes a
    customer *growing* (at least +threshold) or *declining* (at most −threshold)."""

    @model_validator(mode="after")
    def _lost_after_dormant(self) -> LifecycleRules:
        if self.lost_months < self.dormant_months:
            raise ValueError("lost_months must not be shorter than dormant_months")
        return self


class SegmentationSettings(BaseModel):
    """Customer matrix, value tiers and lifecycle (``[segmentation]`` in ``bankcrm.toml``)."""

    period_months: int = Field(default=12, ge=1, le=60)
    loyalty_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "trust": 1.0,
            "communication": 1.0,
            "transaction_frequency": 1.0,
            "annual_transactions": 1.0,
            "product_dependency": 1.0,
            "share_of_wallet": 1.0,
            "credit_grade": 1.0,
        }
    )
    high_share_cumulative: float = Field(default=0.80, gt=0, le=1)
    """High business share = the largest customers that together make this share of volume."""
    high_loyalty_quantile: float = Field(default=0.50, gt=0, lt=1)
    """High loyalty = a loyalty index above this quantile of the customer type."""
    value_tier_cuts: tuple[float, float] = (0.20, 0.50)
    """Tier A = the top 20 % of customers by contribution, B = the next 30 %, C = the rest."""
    lifecycle: LifecycleRules = Field(default_factory=LifecycleRules)
    downgrades: list[str] = Field(
        default_factory=lambda: [
            "loyal>problem_1",
            "loyal>problem_2",
            "loyal>ordinary",
            "problem_2>ordinary",
        ]
    )
    """Quadrant moves (``from>to``) that raise an alert and a task for the account manager.

    Problem-1 → ordinary is left out by default: small customers near the loyalty median
    cross it often, and an alert for each would bury the ones that matter."""

    @property
    def downgrade_moves(self) -> list[tuple[str, str]]:
        """``downgrades`` as (from quadrant, to quadrant) pairs."""
        return [
            (source, target) for source, _, target in (m.partition(">") for m in self.downgrades)
        ]

    @model_validator(mode="after")
    def _check(self) -> SegmentationSettings:
        factors = {factor.value for factor in LoyaltyFactor}
        unknown = set(self.loyalty_weights) - factors
        if unknown:
            raise ValueError(f"unknown loyalty factors: {', '.join(sorted(unknown))}")
        if any(weight < 0 for weight in self.loyalty_weights.values()):
            raise ValueError("loyalty weights must not be negative")
        if sum(self.loyalty_weights.values()) <= 0:
            raise ValueError("at least one loyalty weight must be positive")
        first, second = self.value_tier_cuts
        if not 0 < first < second < 1:
            raise ValueError("value_tier_cuts must be two shares with 0 < first < second < 1")
        quadrants = {quadrant.value for quadrant in Quadrant}
        for source, target in self.downgrade_moves:
            if source not in quadrants or target not in quadrants or source == target:
                raise ValueError(f"downgrade '{source}>{target}' is not 'quadrant>other quadrant'")
        return self


class ClvSettings(BaseModel):
    """Customer lifetime value (``[clv]`` in ``bankcrm.toml``); defined in ``docs/clv.md``."""

    horizon_months: int = Field(default=36, ge=1, le=240)
    """CLV adds up the margin expected over this many months."""
    annual_discount_rate: float = Field(default=0.08, ge=0, lt=1)
    """Future margin is discounted monthly at this yearly rate (the bank's cost of capital)."""
    margin_rate: float = Field(default=0.005, gt=0, le=1)
    """The bank's margin on a customer's own transactions, as a share of their amount."""
    holdout_months: int = Field(default=6, ge=1, le=24)
    """The model is checked on the last months before the as-of day, fitted on the rest."""


class ChurnSettings(BaseModel):
    """Churn early warning (``[churn]`` in ``bankcrm.toml``); defined in ``docs/models.md``."""

    inactive_months: int = Field(default=6, ge=1, le=24)
    """A customer has churned when every account is closed or there has been no
    customer-initiated transaction for this many months."""
    horizon_months: int = Field(default=6, ge=1, le=24)
    """A warning predicts churn within this many months."""
    warning_threshold: float = Field(default=0.5, gt=0, lt=1)
    """A probability at or above this opens a retention task for the manager."""
    early_warning_share: float = Field(default=0.10, gt=0, lt=1)
    """Of the still-active customers, this share with the highest probabilities is warned
    too, below the threshold: a customer who still transacts rarely scores 0.5 months
    before churning, and the top tenth is the list the top-decile lift measures."""
    min_customers: int = Field(default=1_000, ge=50)
    """Fewer customers to learn from than this, and the warning is 1 − P(alive)."""
    min_churners: int = Field(default=30, ge=5)
    """Fewer churners in the training window than this, and the warning is 1 − P(alive)."""
    acquisition_months: int = Field(default=6, ge=1, le=36)
    """A decline that began within this many months of the relationship's start is an
    acquisition problem (事前); a later one is a relationship crisis (事后)."""
    active_months: int = Field(default=2, ge=1, le=23)
    """A live customer whose last customer-initiated transaction lies at most this many
    months before the scoring day (or, without one, whose relationship is no older) is
    still active: the risk set an early warning is for. The others have lapsed and are
    listed for win-back instead."""

    @model_validator(mode="after")
    def _active_before_inactive(self) -> ChurnSettings:
        if self.active_months >= self.inactive_months:
            raise ValueError("churn active_months must be shorter than inactive_months")
        return self


class PrivacySettings(BaseModel):
    """Privacy requests and personal data (``[privacy]`` in ``bankcrm.toml``);
    defined in ``docs/security.md``."""

    request_days: int = Field(default=15, ge=1, le=60)
    """A privacy request is due this many calendar days after it was received."""
    retention_years: int = Field(default=5, ge=0, le=30)
    """Identity data must be kept this many years after the last account closed (the
    Anti-Money Laundering Law's record keeping); a deletion within that time is held."""


class QualitySettings(BaseModel):
    """Service quality (``[quality]`` in ``bankcrm.toml``); defined in ``docs/quality.md``."""

    corrective_days: int = Field(default=14, ge=1, le=365)
    """A corrective action opened by a failed inspection is due this many days later."""
    rate_window_days: int = Field(default=90, ge=1, le=730)
    """A standard's pass rate at a branch is measured over this many days."""
    inspection_period_days: int = Field(default=90, ge=1, le=730)
    """Inspection summaries cover this many days unless a period is asked for."""
    action_days: int = Field(default=30, ge=1, le=365)
    """An action created from the five-gap diagnosis is due this many days later."""
    min_branch_respondents: int = Field(default=5, ge=1, le=1000)
    """A branch with fewer complete respondents is listed but not ranked in a wave report."""
    reliable_alpha: float = Field(default=0.7, gt=0, lt=1)
    """Cronbach's α from which a dimension's answers count as reliable."""
    reminder_after_days: int = Field(default=3, ge=1, le=60)
    """An unanswered survey invitation is reminded this many days after the last contact."""
    max_reminders: int = Field(default=2, ge=0, le=10)


class ComplaintSettings(BaseModel):
    """Complaint handling (``[complaints]`` in ``bankcrm.toml``); the defaults follow the
    CBIRC 2020 measures on banking and insurance consumer complaints."""

    deadline_days: int = Field(default=15, ge=1, le=90)
    """A case must be decided this many days after it was received."""
    extension_days: int = Field(default=15, ge=0, le=90)
    """One extension, with a reason, adds at most this many days."""
    working_days: bool = False
    """Count deadlines in working days (Monday to Friday, less ``holidays``) instead of
    calendar days."""
    holidays: list[date] = Field(default_factory=list)
    """Public holidays skipped when ``working_days`` is on."""
    extra_working_days: list[date] = Field(default_factory=list)
    """Weekend days worked in lieu of a holiday (调休), counted when ``working_days`` is on."""
    reminder_days: int = Field(default=3, ge=0, le=30)
    """The owner gets a task this many days before the deadline."""
    approval_limit: Decimal = Field(default=Decimal("500"), ge=0)
    """A refund or compensation above this many yuan needs a second person's approval."""
    taxonomy: Path | None = None
    """A bank's own taxonomy file (product lines, issues, root causes); the shipped one
    otherwise."""
    min_training_cases: int = Field(default=100, ge=20)
    """The bank's own classifier is trained only from this many closed cases on."""


class OfferSettings(BaseModel):
    """Risk assessment, suitability, sales and next-best offers (``[offers]`` in
    ``bankcrm.toml``); defined in ``docs/offers.md``."""

    assessment_valid_months: int = Field(default=12, ge=1, le=36)
    """A risk assessment holds this long; after it only R1 products may be sold."""
    reassessment_notice_days: int = Field(default=30, ge=1, le=180)
    """The account manager gets a re-assessment task this many days before expiry."""
    cooling_off_hours: int = Field(default=24, ge=0, le=24 * 30)
    """After subscribing to a wealth, fund or insurance product the customer may cancel for
    this long (冷静期)."""
    elderly_age: int = Field(default=65, ge=50, le=100)
    """From this age nothing above ``elderly_max_risk`` is sold without an approved override."""
    elderly_max_risk: ProductRisk = ProductRisk.R3
    vulnerable_max_risk: ProductRisk = ProductRisk.R2
    """The limit for customers the manager marked as needing extra care."""
    questionnaire: Path | None = None
    """A bank's own risk questionnaire (TOML); the shipped one when unset."""
    window_months: int = Field(default=6, ge=1, le=24)
    """The next-best-offer model learns who took up what in this many months and predicts
    the same span ahead."""
    offers_shown: int = Field(default=5, ge=1, le=20)
    """Offers listed for a customer."""


DEFAULT_MASTER_SCALE: dict[CreditGrade, float] = {
    CreditGrade.AAA: 0.0003,
    CreditGrade.AA: 0.0005,
    CreditGrade.A: 0.0010,
    CreditGrade.BBB: 0.0030,
    CreditGrade.BB: 0.0100,
    CreditGrade.B: 0.0300,
    CreditGrade.CCC: 0.1000,
    CreditGrade.CC: 0.2000,
    CreditGrade.C: 0.3500,
}
"""Representative one-year PDs of the master scale (``bankcrm.credit.grades``). The floor
of 0.03 % is the Basel minimum PD for a corporate or retail exposure."""


def check_master_scale(scale: Mapping[CreditGrade, float]) -> None:
    """A ``ValueError`` unless every grade has a PD in (0, 1), rising from AAA to C."""
    grades = tuple(CreditGrade)
    missing = [grade.value for grade in grades if grade not in scale]
    if missing:
        raise ValueError(f"the master scale needs a PD for every grade; missing {missing}")
    pds = [scale[grade] for grade in grades]
    if not all(0 < pd < 1 for pd in pds):
        raise ValueError("every PD of the master scale lies strictly between 0 and 1")
    if any(better >= worse for better, worse in itertools.pairwise(pds)):
        raise ValueError("the master scale's PDs must rise from AAA to C")


class CreditSettings(BaseModel):
    """Credit grades and scorecards (``[credit]`` in ``bankcrm.toml``); defined in
    ``docs/credit.md``."""

    master_scale: dict[CreditGrade, float] = Field(
        default_factory=lambda: dict(DEFAULT_MASTER_SCALE)
    )
    """The one-year probability of default each grade stands for, rising from AAA to C."""
    points_to_double_odds: float = Field(default=20.0, gt=0)
    """Scorecard points that double the odds of being good (PDO)."""
    base_score: float = Field(default=600.0)
    """The score at which the odds of being good are ``base_odds``."""
    base_odds: float = Field(default=50.0, gt=0)
    """Good : bad odds at ``base_score`` (50 : 1 is a PD of about 2 %)."""
    min_bin_share: float = Field(default=0.05, gt=0, le=0.5)
    """Each bin of a scorecard feature holds at least this share of the loans."""
    max_bins: int = Field(default=6, ge=2, le=20)
    """At most this many bins per feature, besides missing values and special codes."""
    min_iv: float = Field(default=0.02, ge=0)
    """Features with a lower information value stay out of the scorecard."""

    @model_validator(mode="after")
    def _scale_rises(self) -> CreditSettings:
        check_master_scale(self.master_scale)
        return self


PercentagePoints = Annotated[Decimal, Field(ge=0, le=10)]
"""A discount, in percentage points of an annual rate."""


class RateBounds(BaseModel):
    """The policy range of a quote, in percentage points over the base rate (the LPR of the
    term), so that it moves with the LPR."""

    floor: Decimal = Field(default=Decimal("-0.50"), ge=-10, le=40)
    """The lowest rate: LPR − 50 bp by default."""
    ceiling: Decimal = Field(default=Decimal("12.00"), ge=-10, le=40)
    """The highest rate: LPR + 12 percentage points by default."""

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> RateBounds:
        if self.floor >= self.ceiling:
            raise ValueError("a rate floor must lie below its ceiling")
        return self


class RelationshipDiscounts(BaseModel):
    """What a quote gives back for the customer's worth to the bank, from their place in the
    latest segmentation run; percentage points of the annual rate."""

    quadrant: dict[Quadrant, PercentagePoints] = Field(
        default_factory=lambda: {
            Quadrant.LOYAL: Decimal("0.20"),
            Quadrant.PROBLEM_1: Decimal("0.10"),
        }
    )
    """By customer-matrix quadrant; a quadrant left out gets none. Loyal customers are kept
    with long-term terms, problem-1 customers (loyal but with a small share) are won over to
    bring more of their business."""
    value_tier: dict[ValueTier, PercentagePoints] = Field(
        default_factory=lambda: {ValueTier.A: Decimal("0.15"), ValueTier.B: Decimal("0.05")}
    )
    """By value tier; a tier left out gets none."""
    loyalty: PercentagePoints = Decimal("0.10")
    """At a loyalty index of 100; in proportion to the index below."""
    cap: PercentagePoints = Decimal("0.30")
    """The most the three together may take off."""


class PricingAuthority(BaseModel):
    """Who may agree a quote. Within the account manager's limits (and a RAROC at or above
    the hurdle) the account manager; else the branch manager up to the branch's amount; the
    head office beyond it."""

    account_manager_amount: Decimal = Field(default=Decimal("5000000"), gt=0)
    """The largest loan, in yuan, an account manager may agree."""
    account_manager_discount: PercentagePoints = Decimal("0.10")
    """The largest relationship discount an account manager may give."""
    branch_manager_amount: Decimal = Field(default=Decimal("50000000"), gt=0)
    """The largest loan, in yuan, a branch may agree."""

    @model_validator(mode="after")
    def _branch_above_manager(self) -> PricingAuthority:
        if self.account_manager_amount > self.branch_manager_amount:
            raise ValueError("account_manager_amount must not exceed branch_manager_amount")
        return self


class PricingSettings(BaseModel):
    """Risk-based loan pricing and RAROC (``[pricing]`` in ``bankcrm.toml``); defined in
    ``docs/credit.md``. Rates and spreads are per cent a year."""

    hurdle_rate: Decimal = Field(default=Decimal("12"), gt=0, le=100)
    """The return on capital a loan must earn (% a year): the price of the capital held
    against its unexpected loss, and the bar its RAROC is held to."""
    lgd: dict[ProductCategory, float] = Field(
        default_factory=lambda: {ProductCategory.LOAN: 0.45, ProductCategory.CARD: 0.75}
    )
    """Loss given default by product category, a share of the amount: 45 % is the Basel
    foundation IRB figure for senior unsecured claims; card balances recover less."""
    default_lgd: float = Field(default=0.45, gt=0, le=1)
    """The LGD of a category left out of ``lgd``, and of a quote without a product."""
    funding_spread: Decimal = Field(default=Decimal("0"), ge=-5, le=5)
    """The bank's funds transfer price above the base rate of the same term (negative when
    its funds cost less than the LPR); 0 takes the LPR as the cost of the money lent."""
    operating_fixed: Decimal = Field(default=Decimal("1000"), ge=0)
    """Yuan a year that any loan costs to run (appraisal, monitoring, servicing), whatever
    its amount: spread over the amount, so a small loan costs more per yuan."""
    operating_variable: Decimal = Field(default=Decimal("0.30"), ge=0, le=10)
    """Operating cost growing with the amount, % a year."""
    discounts: RelationshipDiscounts = Field(default_factory=RelationshipDiscounts)
    bounds: RateBounds = Field(default_factory=RateBounds)
    """The policy floor and ceiling of a product without bounds of its own."""
    product_bounds: dict[str, RateBounds] = Field(default_factory=dict)
    """Floor and ceiling by product code (``[pricing.product_bounds.LOAN-MTG]``)."""
    authority: PricingAuthority = Field(default_factory=PricingAuthority)
    max_term_months: int = Field(default=360, ge=1, le=600)
    """The longest term quoted (30 years, the longest home loan)."""
    rate_table: Path | None = None
    """A bank's own rate table (TOML, as ``credit/data/rate_table.toml``); the shipped LPR
    history when unset."""

    @model_validator(mode="after")
    def _lgd_is_a_share(self) -> PricingSettings:
        for category, lgd in self.lgd.items():
            if not 0 < lgd <= 1:
                raise ValueError(f"lgd.{category.value} must lie in (0, 1], not {lgd}")
        return self

    def lgd_of(self, category: ProductCategory | None) -> float:
        """The LGD of a product category; the default without one."""
        if category is None:
            return self.default_lgd
        return self.lgd.get(category, self.default_lgd)

    def bounds_of(self, product: str | None) -> RateBounds:
        """The floor and ceiling of a product (by code); the default ones without one."""
        if product is None:
            return self.bounds
        return self.product_bounds.get(product, self.bounds)


class SendingSettings(BaseModel):
    """How campaign messages leave the bank (``[campaigns.sending]``): e-mail through the
    bank's SMTP relay, text messages through its SMS gateway (the HTTP contract is in
    ``docs/sms-gateway.md``). Unset hosts leave the channel to a file export."""

    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = ""
    """The From address of campaign e-mail."""
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    sms_gateway_url: str = ""
    """The gateway's send endpoint (``https://sms.example.bank/v1/messages``)."""
    sms_gateway_token: str = ""
    """Sent as ``Authorization: Bearer …``."""
    messages_per_second: float = Field(default=10.0, gt=0, le=10_000)
    """The most messages a campaign sends a second on one channel: what the relay or the
    gateway accepts without throttling the bank."""
    max_attempts: int = Field(default=3, ge=1, le=10)
    """Tries per member before the send is logged as failed; only transient failures
    (a refused connection, a 5xx or 429 from the gateway) are tried again."""
    retry_seconds: float = Field(default=2.0, ge=0, le=600)
    """The wait before the second try; it doubles before each further one."""
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class CampaignSettings(BaseModel):
    """Campaign targeting and contact rules (``[campaigns]`` in ``bankcrm.toml``)."""

    control_share: float = Field(default=0.1, ge=0, lt=1)
    """The share of a campaign's members held out as its control group, when the campaign
    does not set its own."""
    frequency_cap: int = Field(default=2, ge=1, le=100)
    """The most campaign contacts one customer receives within ``cap_window_days``, over all
    campaigns and channels."""
    cap_window_days: int = Field(default=30, ge=1, le=366)
    sending: SendingSettings = Field(default_factory=SendingSettings)


class TrainingSettings(BaseModel):
    """Training records and qualifications (``[training]`` in ``bankcrm.toml``)."""

    enforce_qualifications: bool = True
    """Whether a sale of a product whose risk level needs a qualification (wealth-sales for
    R3 and above) requires the seller to hold a valid certificate on the day; a bank that
    keeps its qualification records elsewhere turns it off."""
    expiry_warning_days: int = Field(default=30, ge=1, le=365)
    """Certificates expiring within this many days are listed first and flagged."""
    qualifications: Path | None = None
    """The bank's own qualifications file, instead of the one shipped."""


class ShiftTemplate(BaseModel):
    """A shift the counter roster is built from, on the bank's clock (whole minutes)."""

    name: str = Field(min_length=1, max_length=32)
    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    end: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> ShiftTemplate:
        if self.end <= self.start:
            raise ValueError(f"shift {self.name!r} must end after it starts")
        return self


class BranchStaffingTargets(BaseModel):
    """One branch's own targets; a value left out is the ``[staffing]`` default."""

    service_minutes: float | None = Field(default=None, gt=0, le=240)
    target_wait_seconds: float | None = Field(default=None, ge=0, le=7_200)
    service_level: float | None = Field(default=None, gt=0, lt=1)


class StaffingSettings(BaseModel):
    """Counter staffing plans of the branches (``[staffing]`` in ``bankcrm.toml``); defined
    in ``docs/staffing.md``."""

    slot_minutes: int = Field(default=30, ge=5, le=240)
    history_days: int = Field(default=365, ge=28, le=1_096)
    """The plan's forecast learns from this many days of tickets before the week."""
    service_minutes: float = Field(default=8.0, gt=0, le=240)
    """Mean handling time of a customer at a counter."""
    target_wait_seconds: float = Field(default=300.0, ge=0, le=7_200)
    service_level: float = Field(default=0.8, gt=0, lt=1)
    """The share of customers to be called within ``target_wait_seconds``."""
    replications: int = Field(default=20, ge=2, le=200)
    """Simulated days behind each slot's simulated service level."""
    shifts: list[ShiftTemplate] = Field(
        default_factory=lambda: [
            ShiftTemplate(name="full_day", start="09:00", end="17:00"),
            ShiftTemplate(name="morning", start="09:00", end="13:00"),
            ShiftTemplate(name="afternoon", start="13:00", end="17:00"),
        ],
        min_length=1,
    )
    branches: dict[str, BranchStaffingTargets] = Field(default_factory=dict)
    """Targets of single branches, by the branch's external id (``BR001``)."""


class JobSchedule(BaseModel):
    """When one job runs by itself: daily at ``at`` on the bank's clock (``timezone``)."""

    enabled: bool = True
    at: str = Field(default="02:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    """Time of day, ``HH:MM`` on the bank's wall clock."""


class JobsSettings(BaseModel):
    """Jobs that run by themselves (``[jobs]`` in ``bankcrm.toml``; one table per job, e.g.
    ``[jobs.segmentation] at = "01:30"``); run by ``bankcrm worker``."""

    run_in_serve: bool = False
    """Whether ``bankcrm serve`` runs the schedule too, so that no separate worker is needed."""
    heartbeat_seconds: float = Field(default=30.0, gt=0, le=3_600)
    """A running job marks itself alive this often."""
    stale_after_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """A run not marked alive for this long is taken for a killed process: it is recorded as
    failed and the job may start again."""
    misfire_grace_minutes: int = Field(default=60, ge=1, le=24 * 60)
    """A run missed while the worker was down is still made this long after its time."""
    follow_up_days: int = Field(default=1, ge=1, le=31)
    """The follow-up job invites customers with an interaction on the last this many bank
    days, to every open CSAT or NPS wave."""
    segmentation: JobSchedule = Field(default_factory=lambda: JobSchedule(at="02:00"))
    clv: JobSchedule = Field(default_factory=lambda: JobSchedule(at="02:30"))
    churn: JobSchedule = Field(default_factory=lambda: JobSchedule(at="03:30"))
    complaint_sweep: JobSchedule = Field(default_factory=lambda: JobSchedule(at="07:00"))
    survey_reminders: JobSchedule = Field(default_factory=lambda: JobSchedule(at="09:00"))
    survey_follow_ups: JobSchedule = Field(default_factory=lambda: JobSchedule(at="20:00"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BANKCRM_",
        env_nested_delimiter="__",
        toml_file="bankcrm.toml",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./bankcrm.db"
    secret_key: str = ""
    """Signs sessions, API tokens and audit fingerprints. Unset: the key kept in
    ``secret_key_file``, drawn at random on first run."""
    secret_key_file: Path | None = None
    """Where the drawn key is kept: beside the SQLite database, or ``bankcrm.secret-key`` in
    the working directory for a server database. Production names a key or a file."""
    session_max_age_seconds: int = Field(default=8 * 3600, ge=1)
    """A page session ends this long after login, however busy it has been."""
    session_idle_seconds: int = Field(default=1800, ge=1)
    """A page session ends after this long without a page request."""
    token_max_age_seconds: int = 3600
    cookie_secure: bool = False
    """Cookies only over HTTPS, and HSTS on every answer; required in production."""
    login_failures_per_window: int = Field(default=10, ge=1)
    """Failed logins one client address may make within ``login_window_seconds`` before
    further attempts are answered 429 without checking the password."""
    login_window_seconds: int = Field(default=60, ge=1)
    rate_limit_storage: str = "memory://"
    """Where the login rate limit counts (a ``limits`` storage URI). ``memory://`` counts per
    worker process; ``redis://host:6379`` shares the count among ``serve --workers`` processes
    (needs the ``redis`` package)."""
    trusted_proxies: str = ""
    """Addresses or networks of the bank's reverse proxies, comma-separated
    (``10.0.0.5,10.1.0.0/16``): only a connection from one of them may name the client's
    address in ``X-Forwarded-For``. Empty: the header is ignored, and the peer is the client."""
    request_body_limit_bytes: int = Field(default=1_048_576, ge=1_024)
    """The largest request body any route reads; a larger one is answered 413 unread."""
    default_locale: Literal["zh_CN", "zh_TW", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    """Time zone of the bank; imported date-times without an offset are read in it."""
    import_chunk_rows: int = Field(default=100_000, ge=1_000)
    import_max_field_bytes: int = Field(default=1 << 20, ge=1 << 10, le=256 << 20)
    """The most bytes (as UTF-8) one field of an imported file may have; a longer one refuses
    the import, naming file, row and column."""
    page_size_default: int = Field(default=25, ge=1, le=200)
    analytics_engine: Literal["duckdb", "spark"] = "duckdb"
    analytics_memory_limit: str = "3GB"
    """Memory DuckDB may use before it spills to disk."""
    spark_master: str = "local[2]"
    segmentation: SegmentationSettings = Field(default_factory=SegmentationSettings)
    clv: ClvSettings = Field(default_factory=ClvSettings)
    churn: ChurnSettings = Field(default_factory=ChurnSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    complaints: ComplaintSettings = Field(default_factory=ComplaintSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    offers: OfferSettings = Field(default_factory=OfferSettings)
    credit: CreditSettings = Field(default_factory=CreditSettings)
    pricing: PricingSettings = Field(default_factory=PricingSettings)
    campaigns: CampaignSettings = Field(default_factory=CampaignSettings)
    staffing: StaffingSettings = Field(default_factory=StaffingSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)

    _drawn_key_file: Path | None = PrivateAttr(default=None)
    _key_drawn_now: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _a_private_signing_key(self) -> Settings:
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"BANKCRM_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters"
                )
            return self
        if self.environment == "production" and self.secret_key_file is None:
            raise ValueError(
                "set BANKCRM_SECRET_KEY or BANKCRM_SECRET_KEY_FILE when "
                "BANKCRM_ENVIRONMENT=production (every server of the bank needs the same key)"
            )
        path = self.secret_key_file or self._default_key_file()
        try:
            self.secret_key, self._key_drawn_now = signing_key.load_or_create(path)
        except (OSError, signing_key.KeyFileError) as error:
            raise ValueError(f"the signing key: {error}") from error
        self._drawn_key_file = path
        return self

    @model_validator(mode="after")
    def _secure_cookies_in_production(self) -> Settings:
        if self.environment == "production" and not self.cookie_secure:
            raise ValueError(
                "BANKCRM_COOKIE_SECURE must be true when BANKCRM_ENVIRONMENT=production "
                "(serve over HTTPS)"
            )
        return self

    def _default_key_file(self) -> Path:
        database = self.sqlite_path
        if database is None or not database.name or database.name == ":memory:":
            return Path(KEY_FILE_NAME)
        return database.with_name(KEY_FILE_NAME)

    @property
    def key_file_note(self) -> str | None:
        """What start-up says about a drawn key: where it is kept and how to choose one."""
        if self._drawn_key_file is None:
            return None
        how = "drawn now and kept" if self._key_drawn_now else "kept"
        return (
            f"signing key: {how} in {self._drawn_key_file} (mode 0600); back it up with the "
            "database, or set BANKCRM_SECRET_KEY to choose your own"
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or "///" not in self.database_url:
            return None
        return Path(self.database_url.split("///", 1)[1].split("?", 1)[0])


@lru_cache
def get_settings() -> Settings:
    return Settings()
