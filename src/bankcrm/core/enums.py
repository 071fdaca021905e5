"""Closed vocabularies shared by models, schemas, imports and the UI (names from GLOSSARY.md)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum


class Role(StrEnum):
    ADMIN = "admin"
    MARKETING_ANALYST = "marketing_analyst"
    ACCOUNT_MANAGER = "account_manager"
    BRANCH_MANAGER = "branch_manager"
    QUALITY_OFFICER = "quality_officer"
    COMPLIANCE_AUDITOR = "compliance_auditor"


class CustomerType(StrEnum):
    INDIVIDUAL = "individual"
    CORPORATE = "corporate"


class CustomerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    """Customer risk tolerance from the risk questionnaire (C1 most cautious)."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"


class ProductRisk(StrEnum):
    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"


class InvestmentGoal(StrEnum):
    """What the customer's money is for (the goal answer of the risk questionnaire), from the
    most cautious to the most ambitious."""

    PRESERVATION = "preservation"
    INCOME = "income"
    BALANCED = "balanced"
    GROWTH = "growth"


class SuitabilityReason(StrEnum):
    """Why the suitability gate refuses a product to a customer; the first two no override
    can answer (identity unverified, or no valid risk assessment)."""

    KYC_INCOMPLETE = "kyc_incomplete"
    """The customer is not an active customer with a verified identity document."""
    NO_VALID_ASSESSMENT = "no_valid_assessment"
    LEVEL_ABOVE = "level_above"
    HORIZON_LONGER = "horizon_longer"
    GOAL_MISMATCH = "goal_mismatch"
    ELDERLY_LIMIT = "elderly_limit"
    VULNERABLE_LIMIT = "vulnerable_limit"
    SELLER_UNQUALIFIED = "seller_unqualified"
    """The product's risk level needs a qualification the seller holds no valid certificate
    of on the day (wealth-sales for R3 and above); no override can answer it."""


class SaleStatus(StrEnum):
    """Where a sale stands. A suitable sale is subscribed at once; a mismatch waits for a
    second person; a subscription may be cancelled while its cooling-off period runs."""

    PENDING_APPROVAL = "pending_approval"
    SUBSCRIBED = "subscribed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class CreditGrade(StrEnum):
    AAA = "AAA"
    AA = "AA"
    A = "A"
    BBB = "BBB"
    BB = "BB"
    B = "B"
    CCC = "CCC"
    CC = "CC"
    C = "C"


class LoanClass(StrEnum):
    """The five-category loan classification (贷款五级分类); the last three are
    non-performing."""

    NORMAL = "normal"
    SPECIAL_MENTION = "special_mention"
    SUBSTANDARD = "substandard"
    DOUBTFUL = "doubtful"
    LOSS = "loss"


NON_PERFORMING = frozenset({LoanClass.SUBSTANDARD, LoanClass.DOUBTFUL, LoanClass.LOSS})


class RatingStatus(StrEnum):
    """A corporate rating waits for the branch manager's review; approved it sets the
    customer's credit grade."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class QuoteStatus(StrEnum):
    """A quote within the account manager's authority is agreed as given; one outside it
    waits for the branch manager (or head office)."""

    AGREED = "agreed"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProductCategory(StrEnum):
    DEPOSIT = "deposit"
    LOAN = "loan"
    CARD = "card"
    WEALTH = "wealth"
    FUND = "fund"
    INSURANCE = "insurance"
    PAYMENT = "payment"
    FEE_SERVICE = "fee_service"


class AccountStatus(StrEnum):
    OPEN = "open"
    DORMANT = "dormant"
    CLOSED = "closed"


class AccountPartyRole(StrEnum):
    OWNER = "owner"
    AUTHORISED = "authorised"


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class TransactionChannel(StrEnum):
    COUNTER = "counter"
    ATM = "atm"
    MOBILE = "mobile"
    ONLINE = "online"
    POS = "pos"
    SYSTEM = "system"


class InteractionKind(StrEnum):
    VISIT = "visit"
    CALL = "call"
    MESSAGE = "message"
    EMAIL = "email"
    WECHAT = "wechat"
    BRANCH_CONTACT = "branch_contact"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ComplaintChannel(StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    WEB = "web"
    APP = "app"
    LETTER = "letter"
    REGULATOR = "regulator"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    INVESTIGATING = "investigating"
    REPLIED = "replied"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"


class ComplaintAction(StrEnum):
    """What an officer does to a case; ``complaints.workflow`` says when each is allowed."""

    ACCEPT = "accept"
    INVESTIGATE = "investigate"
    REPLY = "reply"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    WITHDRAW = "withdraw"
    EXTEND = "extend"
    """Extend the deadline once, with a reason; the status stays."""


class ComplaintEventKind(StrEnum):
    """An entry on a case's timeline: a transition, or one of these."""

    TRANSITION = "transition"
    NOTE = "note"
    RECOVERY = "recovery"
    CLASSIFICATION = "classification"
    REMINDER = "reminder"


class CustomerConfirmation(StrEnum):
    """The customer's answer to the reply, recorded when the case is closed."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    NO_RESPONSE = "no_response"


class RecoveryKind(StrEnum):
    APOLOGY = "apology"
    FEE_REFUND = "fee_refund"
    COMPENSATION = "compensation"


class RecoveryStatus(StrEnum):
    PENDING = "pending"
    """Above the approval limit: waits for a second person (maker–checker)."""
    APPROVED = "approved"
    REJECTED = "rejected"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class SurveyKind(StrEnum):
    SERVQUAL = "servqual"
    CSAT = "csat"
    NPS = "nps"


class WaveStatus(StrEnum):
    """A survey wave: prepared, collecting answers, or closed for analysis."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class TargetDirection(StrEnum):
    """Which side of a target value is good: a wait of at most 15 minutes, an ATM
    availability of at least 99.5 %."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"


class StandardCategory(StrEnum):
    """The four kinds of branch service standard (服务规范): environment, etiquette,
    efficiency, process."""

    ENVIRONMENT = "environment"
    ETIQUETTE = "etiquette"
    EFFICIENCY = "efficiency"
    PROCESS = "process"


class InspectionKind(StrEnum):
    """The seed's ways of checking service (服务检查): the branch's own daily check, a
    callback to customers, a mystery shopper, announced and unannounced visits."""

    DAILY_CHECK = "daily_check"
    CALLBACK = "callback"
    MYSTERY_SHOPPER = "mystery_shopper"
    OPEN_VISIT = "open_visit"
    SECRET_VISIT = "secret_visit"


class ActionStage(StrEnum):
    """Plan–do–check–act (PDCA) of an improvement action, then closed."""

    PLAN = "plan"
    DO = "do"
    CHECK = "check"
    ACT = "act"
    CLOSED = "closed"


class ActionOrigin(StrEnum):
    """What raised an improvement action."""

    GAP = "gap"
    INSPECTION = "inspection"
    COMPLAINT = "complaint"
    OTHER = "other"


class LoyaltyFactor(StrEnum):
    """The seven factors of the loyalty index (客户忠诚度), in the handbook's order."""

    TRUST = "trust"
    COMMUNICATION = "communication"
    TRANSACTION_FREQUENCY = "transaction_frequency"
    ANNUAL_TRANSACTIONS = "annual_transactions"
    PRODUCT_DEPENDENCY = "product_dependency"
    SHARE_OF_WALLET = "share_of_wallet"
    CREDIT_GRADE = "credit_grade"


class Quadrant(StrEnum):
    """The customer matrix (客户矩阵): business share × loyalty."""

    LOYAL = "loyal"
    PROBLEM_1 = "problem_1"
    PROBLEM_2 = "problem_2"
    ORDINARY = "ordinary"


class ValueTier(StrEnum):
    """Pareto tiers (二八定律) by contribution within the customer type."""

    A = "A"
    B = "B"
    C = "C"


class LifecycleStage(StrEnum):
    PROSPECT = "prospect"
    NEW = "new"
    GROWING = "growing"
    MATURE = "mature"
    DECLINING = "declining"
    DORMANT = "dormant"
    LOST = "lost"


class AnalyticsEngine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class ClvModel(StrEnum):
    """The buy-till-you-die models ``bankcrm clv fit`` can estimate."""

    BGNBD = "bgnbd"
    GAMMAGAMMA = "gammagamma"


class ChurnMethod(StrEnum):
    MODEL = "model"
    """Gradient boosting learned from the bank's own churners, calibrated."""
    P_ALIVE = "p_alive"
    """1 − P(alive) of the BG/NBD model, for banks too small to learn from."""


class ChurnDiagnosis(StrEnum):
    """The handbook's before/after question (事前/事后) for a fading relationship."""

    ACQUISITION = "acquisition"
    """The decline began early: the relationship never settled (事前, an acquisition problem)."""
    RELATIONSHIP = "relationship"
    """The decline began after a stable period (事后, a relationship crisis)."""


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    BULK_INSERT = "bulk_insert"
    BULK_UPDATE = "bulk_update"
    BULK_DELETE = "bulk_delete"
    IMPORT = "import"
    READ_PERSONAL = "read_personal"
    """Personal data shown unmasked (customer 360, list, export)."""
    REVEAL = "reveal"
    """Personal data unmasked on demand by a role that sees it masked, with a reason."""
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    OFFERED = "offered"
    """Products shown to a customer as suitable offers."""
    SALE_REFUSED = "sale_refused"
    """A sale the suitability gate refused; no sale row is written."""


class SessionKind(StrEnum):
    PAGE = "page"
    """A browser session (the signed cookie)."""
    API = "api"
    """A bearer token."""


class PrivacyRequestKind(StrEnum):
    """The data subject's rights under PIPL articles 45–47."""

    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"


class PrivacyRequestStatus(StrEnum):
    RECEIVED = "received"
    """Registered; a correction or deletion waits for a second person's approval."""
    COMPLETED = "completed"
    REJECTED = "rejected"
    """Refused by the approver, with the reason."""
    HELD = "held"
    """A deletion blocked by a retention duty; the reason is shown."""


class CampaignObjective(StrEnum):
    """What the campaign's communication sets out to do (seed 002: inform, stimulate,
    persuade, remind, build preference)."""

    INFORM = "inform"
    STIMULATE = "stimulate"
    PERSUADE = "persuade"
    REMIND = "remind"
    BUILD_PREFERENCE = "build_preference"


class CampaignChannel(StrEnum):
    BRANCH = "branch"
    PHONE = "phone"
    SMS = "sms"
    APP = "app"
    EMAIL = "email"
    WECHAT = "wechat"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RUNNING = "running"
    STOPPED = "stopped"
    FINISHED = "finished"


class CampaignGroup(StrEnum):
    """A frozen member's place: contacted, held out at random, or left out with a reason."""

    TREATMENT = "treatment"
    CONTROL = "control"
    EXCLUDED = "excluded"


class SendStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class PlanStatus(StrEnum):
    """A marketing plan version: drafted, waiting for approval, approved (frozen) or returned
    to its author with a reason."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class PestFactor(StrEnum):
    POLITICAL = "political"
    ECONOMIC = "economic"
    SOCIAL = "social"
    TECHNOLOGICAL = "technological"


class ChecklistAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    PARTLY = "partly"


class BudgetMethod(StrEnum):
    """The four ways of setting a promotion budget in the handbook."""

    AFFORDABLE = "affordable"
    PERCENT_OF_SALES = "percent_of_sales"
    COMPETITIVE_PARITY = "competitive_parity"
    OBJECTIVE_AND_TASK = "objective_and_task"


class ProspectStage(StrEnum):
    """Where a prospect stands in the pipeline (营销阶段); ``lost`` ends it from any open
    stage."""

    IDENTIFY = "identify"
    NEEDS = "needs"
    PRESENTATION = "presentation"
    NEGOTIATION = "negotiation"
    DEAL = "deal"
    LOST = "lost"


class ProspectSource(StrEnum):
    REFERRAL = "referral"
    WALK_IN = "walk_in"
    CAMPAIGN = "campaign"
    EVENT = "event"
    EXISTING_CUSTOMER = "existing_customer"


class FollowUpChannel(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    BRANCH = "branch"
    WECHAT = "wechat"
    SMS = "sms"
    EMAIL = "email"


class FeeStage(StrEnum):
    """The fee-based (intermediate) business flow (中间业务): 业务洽谈 → 业务报价 → 服务实施
    → 回访 (seed 002), then done."""

    NEGOTIATION = "negotiation"
    QUOTATION = "quotation"
    DELIVERY = "delivery"
    FOLLOW_UP = "follow_up"
    COMPLETED = "completed"


class CultivationStep(StrEnum):
    """How a growth customer (成长型客户) is cultivated (seed 001)."""

    SATISFACTION = "satisfaction"
    ADDED_VALUE = "added_value"
    FREEDOM_OF_CHOICE = "freedom_of_choice"
    INCENTIVES = "incentives"


class PoolStatus(StrEnum):
    """A branch's monthly incentive pool: its statements drafted, then approved (frozen) by
    the branch manager."""

    DRAFT = "draft"
    APPROVED = "approved"


class TicketPriority(StrEnum):
    """Who a queue ticket is called before others for (NovoSGA's priorities)."""

    NORMAL = "normal"
    VIP = "vip"
    ELDERLY = "elderly"


class TicketStatus(StrEnum):
    """Where a queue ticket is: waiting, called to a counter, being served, done, or not
    answering when called (no-show)."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"


def db_enum(enum_class: type[StrEnum], name: str) -> SAEnum:
    """A portable enumeration column: VARCHAR plus a CHECK constraint, values stored as text."""
    return SAEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
