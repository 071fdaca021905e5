"""UI labels of enumeration values, in the words of GLOSSARY.md, through the catalog."""

from __future__ import annotations

from enum import StrEnum

from bankcrm.campaigns.targeting import Exclusion
from bankcrm.core.enums import (
    AccountStatus,
    ActionOrigin,
    ActionStage,
    AuditAction,
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    ChurnDiagnosis,
    ChurnMethod,
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CultivationStep,
    CustomerConfirmation,
    CustomerStatus,
    CustomerType,
    Direction,
    FeeStage,
    FollowUpChannel,
    InspectionKind,
    InteractionKind,
    InvestmentGoal,
    LifecycleStage,
    LoanClass,
    LoyaltyFactor,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    ProductCategory,
    ProspectSource,
    ProspectStage,
    Quadrant,
    QuoteStatus,
    RatingStatus,
    RecoveryKind,
    RecoveryStatus,
    Role,
    SaleStatus,
    Severity,
    StandardCategory,
    SuitabilityReason,
    SurveyKind,
    TargetDirection,
    TaskPriority,
    TaskStatus,
    TransactionChannel,
    WaveStatus,
)
from bankcrm.core.messages import _
from bankcrm.credit.prequalification import Outcome
from bankcrm.credit.pricing import Authority
from bankcrm.offers.objections import ObjectionKind
from bankcrm.web.i18n import gettext, translations

Message = str | tuple[str, str]
"""A catalog message, or a (context, message) pair for a word that is translated
differently here than elsewhere."""


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Marks a label kept in the catalog under ``msgctxt``: a complaint that is "closed"
    (已办结) is not an account that is "closed" (已关闭)."""
    return (context, message)


ENTRIES: tuple[tuple[StrEnum, Message], ...] = (
    (Role.ADMIN, _("administrator")),
    (Role.MARKETING_ANALYST, _("marketing analyst")),
    (Role.ACCOUNT_MANAGER, _("account manager")),
    (Role.BRANCH_MANAGER, _("branch manager")),
    (Role.QUALITY_OFFICER, _("service-quality officer")),
    (Role.COMPLIANCE_AUDITOR, _("compliance auditor")),
    (CustomerType.INDIVIDUAL, _("individual")),
    (CustomerType.CORPORATE, _("corporate")),
    (CustomerStatus.PROSPECT, _("prospect")),
    (CustomerStatus.ACTIVE, _("active")),
    (CustomerStatus.CLOSED, _("closed")),
    (AccountStatus.OPEN, _("open")),
    (AccountStatus.DORMANT, _("dormant")),
    (AccountStatus.CLOSED, _("closed")),
    (Direction.CREDIT, _("credit")),
    (Direction.DEBIT, _("debit")),
    (TransactionChannel.COUNTER, _("counter")),
    (TransactionChannel.ATM, _("ATM")),
    (TransactionChannel.MOBILE, _("mobile banking")),
    (TransactionChannel.ONLINE, _("online banking")),
    (TransactionChannel.POS, _("POS")),
    (TransactionChannel.SYSTEM, _("system")),
    (InteractionKind.VISIT, _("visit")),
    (InteractionKind.CALL, _("call")),
    (InteractionKind.MESSAGE, _("message")),
    (InteractionKind.EMAIL, _("e-mail")),
    (InteractionKind.WECHAT, _("WeChat")),
    (InteractionKind.BRANCH_CONTACT, _("branch contact")),
    (TaskStatus.OPEN, _("open")),
    (TaskStatus.IN_PROGRESS, _("in progress")),
    (TaskStatus.DONE, _("done")),
    (TaskStatus.CANCELLED, _("cancelled")),
    (TaskPriority.LOW, _("low")),
    (TaskPriority.NORMAL, _("normal")),
    (TaskPriority.HIGH, _("high")),
    (TaskPriority.URGENT, _("urgent")),
    (ProductCategory.DEPOSIT, _("deposit")),
    (ProductCategory.LOAN, _("loan")),
    (ProductCategory.CARD, _("card")),
    (ProductCategory.WEALTH, _("wealth management")),
    (ProductCategory.FUND, _("fund")),
    (ProductCategory.INSURANCE, _("insurance")),
    (ProductCategory.PAYMENT, _("payment")),
    (ProductCategory.FEE_SERVICE, _("fee-based service")),
    (Quadrant.LOYAL, _("loyal customer")),
    (Quadrant.PROBLEM_1, _("problem customer 1")),
    (Quadrant.PROBLEM_2, _("problem customer 2")),
    (Quadrant.ORDINARY, _("ordinary customer")),
    (LifecycleStage.PROSPECT, _("prospect")),
    (LifecycleStage.NEW, _("new")),
    (LifecycleStage.GROWING, _("growing")),
    (LifecycleStage.MATURE, _("mature")),
    (LifecycleStage.DECLINING, _("declining")),
    (LifecycleStage.DORMANT, _("dormant")),
    (LifecycleStage.LOST, _("lost")),
    (LoyaltyFactor.TRUST, _("trust")),
    (LoyaltyFactor.COMMUNICATION, _("communication")),
    (LoyaltyFactor.TRANSACTION_FREQUENCY, _("transaction frequency")),
    (LoyaltyFactor.ANNUAL_TRANSACTIONS, _("annual transactions")),
    (LoyaltyFactor.PRODUCT_DEPENDENCY, _("product dependency")),
    (LoyaltyFactor.SHARE_OF_WALLET, _("share of wallet")),
    (LoyaltyFactor.CREDIT_GRADE, _("credit grade")),
    (ChurnMethod.MODEL, _("learned churn model")),
    (ChurnMethod.P_ALIVE, _("1 − P(alive)")),
    (ChurnDiagnosis.ACQUISITION, _("acquisition problem")),
    (ChurnDiagnosis.RELATIONSHIP, _("relationship crisis")),
    (PrivacyRequestKind.ACCESS, _("access and copy")),
    (PrivacyRequestKind.CORRECTION, _("correction")),
    (PrivacyRequestKind.DELETION, _("deletion")),
    (PrivacyRequestStatus.RECEIVED, _("received")),
    (PrivacyRequestStatus.COMPLETED, _("completed")),
    (PrivacyRequestStatus.REJECTED, _("rejected")),
    (PrivacyRequestStatus.HELD, _("held")),
    (AuditAction.CREATE, _("created")),
    (AuditAction.UPDATE, _("updated")),
    (AuditAction.DELETE, _("deleted")),
    (AuditAction.BULK_INSERT, _("bulk insert")),
    (AuditAction.BULK_UPDATE, _("bulk update")),
    (AuditAction.BULK_DELETE, _("bulk delete")),
    (AuditAction.IMPORT, _("data import")),
    (AuditAction.READ_PERSONAL, _("personal data read")),
    (AuditAction.REVEAL, _("personal data revealed")),
    (AuditAction.EXPORT, _("export")),
    (AuditAction.LOGIN, _("login")),
    (AuditAction.LOGIN_FAILED, _("failed login")),
    (AuditAction.LOGOUT, _("logout")),
    (ComplaintStatus.RECEIVED, pgettext("complaint", "received")),
    (ComplaintStatus.ACCEPTED, _("accepted")),
    (ComplaintStatus.INVESTIGATING, _("investigating")),
    (ComplaintStatus.REPLIED, _("replied")),
    (ComplaintStatus.CLOSED, pgettext("complaint", "closed")),
    (ComplaintStatus.REOPENED, _("reopened")),
    (ComplaintStatus.ESCALATED, _("escalated")),
    (ComplaintStatus.WITHDRAWN, _("withdrawn")),
    (ComplaintAction.ACCEPT, _("accept")),
    (ComplaintAction.INVESTIGATE, _("investigate")),
    (ComplaintAction.REPLY, _("reply")),
    (ComplaintAction.CLOSE, _("close")),
    (ComplaintAction.REOPEN, _("reopen")),
    (ComplaintAction.ESCALATE, _("escalate")),
    (ComplaintAction.WITHDRAW, _("withdraw")),
    (ComplaintAction.EXTEND, _("extend the deadline")),
    (ComplaintChannel.COUNTER, _("counter")),
    (ComplaintChannel.PHONE, _("phone")),
    (ComplaintChannel.WEB, _("website")),
    (ComplaintChannel.APP, _("mobile app")),
    (ComplaintChannel.LETTER, _("letter")),
    (ComplaintChannel.REGULATOR, _("referred by the regulator")),
    (Severity.LOW, _("low")),
    (Severity.MEDIUM, _("medium")),
    (Severity.HIGH, _("high")),
    (Severity.CRITICAL, _("critical")),
    (CustomerConfirmation.SATISFIED, _("satisfied")),
    (CustomerConfirmation.UNSATISFIED, _("unsatisfied")),
    (CustomerConfirmation.NO_RESPONSE, _("no response")),
    (RecoveryKind.APOLOGY, _("apology")),
    (RecoveryKind.FEE_REFUND, _("fee refund")),
    (RecoveryKind.COMPENSATION, _("compensation")),
    (RecoveryStatus.PENDING, _("awaiting approval")),
    (RecoveryStatus.APPROVED, _("approved")),
    (RecoveryStatus.REJECTED, _("rejected")),
    (ComplaintEventKind.TRANSITION, _("status change")),
    (ComplaintEventKind.NOTE, _("note")),
    (ComplaintEventKind.RECOVERY, _("service recovery")),
    (ComplaintEventKind.CLASSIFICATION, _("labels")),
    (ComplaintEventKind.REMINDER, _("deadline reminder")),
    (SurveyKind.SERVQUAL, _("SERVQUAL survey")),
    (SurveyKind.CSAT, _("satisfaction (CSAT)")),
    (SurveyKind.NPS, _("recommendation (NPS)")),
    (WaveStatus.DRAFT, _("draft")),
    (WaveStatus.OPEN, _("collecting answers")),
    (WaveStatus.CLOSED, _("finished")),
    (TargetDirection.AT_MOST, _("at most")),
    (TargetDirection.AT_LEAST, _("at least")),
    (StandardCategory.ENVIRONMENT, _("service environment")),
    (StandardCategory.ETIQUETTE, _("service etiquette")),
    (StandardCategory.EFFICIENCY, _("service efficiency")),
    (StandardCategory.PROCESS, _("service process")),
    (InspectionKind.DAILY_CHECK, _("daily check")),
    (InspectionKind.CALLBACK, _("customer callback")),
    (InspectionKind.MYSTERY_SHOPPER, _("mystery shopper")),
    (InspectionKind.OPEN_VISIT, _("announced visit")),
    (InspectionKind.SECRET_VISIT, _("unannounced visit")),
    (ActionStage.PLAN, _("plan")),
    (ActionStage.DO, _("do")),
    (ActionStage.CHECK, _("check")),
    (ActionStage.ACT, _("act")),
    (ActionStage.CLOSED, _("done")),
    (ActionOrigin.GAP, _("service gap")),
    (ActionOrigin.INSPECTION, _("inspection")),
    (ActionOrigin.COMPLAINT, _("complaint")),
    (ActionOrigin.OTHER, _("other")),
    (InvestmentGoal.PRESERVATION, _("capital preservation")),
    (InvestmentGoal.INCOME, _("steady income")),
    (InvestmentGoal.BALANCED, _("balanced")),
    (InvestmentGoal.GROWTH, _("growth")),
    (SaleStatus.PENDING_APPROVAL, _("waiting for approval")),
    (SaleStatus.SUBSCRIBED, _("subscribed")),
    (SaleStatus.REJECTED, _("rejected")),
    (SaleStatus.CANCELLED, pgettext("sale", "cancelled")),
    (QuoteStatus.AGREED, _("agreed")),
    (QuoteStatus.PENDING_APPROVAL, _("waiting for approval")),
    (QuoteStatus.APPROVED, _("approved")),
    (QuoteStatus.REJECTED, _("rejected")),
    (RatingStatus.SUBMITTED, _("waiting for review")),
    (RatingStatus.APPROVED, _("approved")),
    (RatingStatus.REJECTED, _("rejected")),
    (LoanClass.NORMAL, pgettext("loan class", "normal")),
    (LoanClass.SPECIAL_MENTION, pgettext("loan class", "special mention")),
    (LoanClass.SUBSTANDARD, pgettext("loan class", "substandard")),
    (LoanClass.DOUBTFUL, pgettext("loan class", "doubtful")),
    (LoanClass.LOSS, pgettext("loan class", "loss")),
    (Authority.ACCOUNT_MANAGER, _("account manager")),
    (Authority.BRANCH_MANAGER, _("branch manager")),
    (Authority.HEAD_OFFICE, _("head office")),
    (Outcome.PASS, pgettext("pre-qualification", "pass")),
    (Outcome.REFER, pgettext("pre-qualification", "refer to a credit officer")),
    (Outcome.DECLINE, pgettext("pre-qualification", "decline")),
    (SuitabilityReason.KYC_INCOMPLETE, _("identity check incomplete")),
    (SuitabilityReason.NO_VALID_ASSESSMENT, _("no valid risk assessment")),
    (SuitabilityReason.LEVEL_ABOVE, _("risk above the customer's tolerance")),
    (SuitabilityReason.HORIZON_LONGER, _("term longer than the customer's horizon")),
    (SuitabilityReason.GOAL_MISMATCH, _("does not fit the customer's goal")),
    (SuitabilityReason.ELDERLY_LIMIT, _("above the limit for elderly customers")),
    (SuitabilityReason.VULNERABLE_LIMIT, _("above the limit for vulnerable customers")),
    (SuitabilityReason.SELLER_UNQUALIFIED, _("the seller lacks the qualification")),
    (ProspectStage.IDENTIFY, pgettext("pipeline stage", "identify")),
    (ProspectStage.NEEDS, pgettext("pipeline stage", "needs analysis")),
    (ProspectStage.PRESENTATION, pgettext("pipeline stage", "presentation")),
    (ProspectStage.NEGOTIATION, pgettext("pipeline stage", "negotiation")),
    (ProspectStage.DEAL, pgettext("pipeline stage", "deal")),
    (ProspectStage.LOST, pgettext("pipeline stage", "lost")),
    (ProspectSource.REFERRAL, _("referral")),
    (ProspectSource.WALK_IN, _("walk-in")),
    (ProspectSource.CAMPAIGN, pgettext("prospect source", "campaign")),
    (ProspectSource.EVENT, _("event")),
    (ProspectSource.EXISTING_CUSTOMER, _("existing customer")),
    (FollowUpChannel.PHONE, pgettext("follow-up channel", "phone")),
    (FollowUpChannel.VISIT, _("visit")),
    (FollowUpChannel.BRANCH, pgettext("follow-up channel", "at the branch")),
    (FollowUpChannel.WECHAT, pgettext("follow-up channel", "WeChat")),
    (FollowUpChannel.SMS, pgettext("follow-up channel", "SMS")),
    (FollowUpChannel.EMAIL, pgettext("follow-up channel", "e-mail")),
    (FeeStage.NEGOTIATION, pgettext("fee-based business", "negotiation")),
    (FeeStage.QUOTATION, pgettext("fee-based business", "quotation")),
    (FeeStage.DELIVERY, pgettext("fee-based business", "delivery")),
    (FeeStage.FOLLOW_UP, pgettext("fee-based business", "follow-up")),
    (FeeStage.COMPLETED, pgettext("fee-based business", "completed")),
    (CultivationStep.SATISFACTION, _("satisfaction first")),
    (CultivationStep.ADDED_VALUE, _("added value")),
    (CultivationStep.FREEDOM_OF_CHOICE, _("freedom of choice")),
    (CultivationStep.INCENTIVES, _("incentives")),
    (ObjectionKind.MISUNDERSTANDING, _("misunderstanding")),
    (ObjectionKind.DOUBT, _("doubt")),
    (ObjectionKind.SHORTCOMING, _("shortcoming")),
    (ObjectionKind.COMPLAINT, pgettext("objection", "complaint")),
    (ObjectionKind.PRICE_BUDGET, _("no budget for it")),
    (ObjectionKind.PRICE_ELSEWHERE, _("cheaper elsewhere")),
    (ObjectionKind.PRICE_VALUE, _("value not seen")),
    (CampaignObjective.INFORM, pgettext("campaign objective", "inform")),
    (CampaignObjective.STIMULATE, pgettext("campaign objective", "stimulate")),
    (CampaignObjective.PERSUADE, pgettext("campaign objective", "persuade")),
    (CampaignObjective.REMIND, pgettext("campaign objective", "remind")),
    (CampaignObjective.BUILD_PREFERENCE, pgettext("campaign objective", "build preference")),
    (CampaignChannel.BRANCH, pgettext("campaign channel", "at the branch")),
    (CampaignChannel.PHONE, pgettext("campaign channel", "phone")),
    (CampaignChannel.SMS, pgettext("campaign channel", "SMS")),
    (CampaignChannel.APP, pgettext("campaign channel", "mobile app")),
    (CampaignChannel.EMAIL, pgettext("campaign channel", "e-mail")),
    (CampaignChannel.WECHAT, pgettext("campaign channel", "WeChat")),
    (CampaignStatus.DRAFT, pgettext("campaign status", "draft")),
    (CampaignStatus.APPROVED, pgettext("campaign status", "approved")),
    (CampaignStatus.RUNNING, pgettext("campaign status", "running")),
    (CampaignStatus.STOPPED, pgettext("campaign status", "stopped")),
    (CampaignStatus.FINISHED, pgettext("campaign status", "finished")),
    (CampaignGroup.TREATMENT, _("treatment group")),
    (CampaignGroup.CONTROL, _("control group")),
    (CampaignGroup.EXCLUDED, _("excluded")),
    (Exclusion.HOLDOUT, _("in the bank-wide holdout")),
    (Exclusion.CONTROL_ELSEWHERE, _("in another campaign's control group")),
    (Exclusion.OPTED_OUT, _("said no to marketing on this channel")),
    (Exclusion.NO_CONSENT, _("no consent to marketing on this channel")),
    (Exclusion.NO_ADDRESS, _("no address for this channel")),
    (Exclusion.FREQUENCY_CAP, _("contacted too often lately")),
    (Exclusion.UNSUITABLE, _("the product does not suit the customer")),
)
"""Each value with its label. Values of different enumerations may be equal strings
(``received`` of a privacy request and of a complaint), so labels are looked up by
enumeration and value, never by the value alone."""

LABELS: dict[tuple[type[StrEnum], str], Message] = {
    (type(member), member.value): message for member, message in ENTRIES
}


def label_for(value: object, locale: str) -> str:
    """Enumerations get their catalog label; levels and grades (C3, R2, AA) stay as they are."""
    if isinstance(value, StrEnum):
        message = LABELS.get((type(value), value.value))
        if isinstance(message, tuple):
            return str(translations(locale).pgettext(*message))
        if message is not None:
            return gettext(locale, message)
    return str(value)


STORED_WORDS: dict[str, str] = {
    # gender, as the bank's core system and the Berka import store it
    "男": _("male"),
    "女": _("female"),
    # income bands (annual income, yuan)
    "10万以下": _("under ¥100,000"),
    "10-30万": _("¥100,000–300,000"),
    "30-60万": _("¥300,000–600,000"),
    "60-100万": _("¥600,000–1,000,000"),
    "100万以上": _("¥1,000,000 and over"),
    # best time to visit
    "工作日上午": _("weekday mornings"),
    "工作日下午": _("weekday afternoons"),
    "工作日晚间": _("weekday evenings"),
    "周末上午": _("weekend mornings"),
    "周末下午": _("weekend afternoons"),
    # transaction descriptions the core system writes for its transaction kinds
    "代发工资": _("salary credit"),
    "转账收入": _("incoming transfer"),
    "现金存入": _("cash deposit"),
    "消费支付": _("purchase"),
    "转账支出": _("outgoing transfer"),
    "现金支取": _("cash withdrawal"),
    "POS消费": _("card payment (POS)"),
    "结息": _("interest credited"),
    # units typed with a service promise
    "天": _("days"),
}
"""Coded values that are stored in Chinese words (from the core banking system or typed
by staff), with the catalog message that shows them in the reader's language."""

STORED_PREFIXES: dict[str, str] = {
    "整改 ": _("Corrective action: %(subject)s"),
}
"""Prefixes of titles the application writes (an inspection's corrective action is titled
``整改 <standard> …``), with the catalog message that words the whole title."""


def _catalog_or_stored(stored: str, message: str, locale: str) -> str:
    """The catalog's words for ``message``; the stored words themselves where the Chinese
    catalog has no translation yet (the stored words are already Chinese)."""
    translated = gettext(locale, message)
    if translated == message and locale.startswith("zh"):
        return stored
    return translated


def stored_word(value: object, locale: str) -> object:
    """A coded value stored in Chinese words (gender, income band, best time to visit, a
    transaction description, a unit, an action title prefix) in the reader's language;
    anything else (free text, a masked value, ``None``) is returned as it is."""
    if not isinstance(value, str):
        return value
    message = STORED_WORDS.get(value.strip())
    if message is not None:
        return _catalog_or_stored(value, message, locale)
    for prefix, prefix_message in STORED_PREFIXES.items():
        if value.startswith(prefix):
            subject = value.removeprefix(prefix)
            translated = gettext(locale, prefix_message)
            if translated == prefix_message and locale.startswith("zh"):
                return value
            return translated % {"subject": subject}
    return value
