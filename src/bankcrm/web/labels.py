"""UI labels of enumeration values, in the words of GLOSSARY.md, through the catalog."""

from __future__ import annotations

from enum import StrEnum

from bankcrm.core.enums import (
    AccountStatus,
    ActionOrigin,
    ActionStage,
    AuditAction,
    ChurnDiagnosis,
    ChurnMethod,
    ComplaintAction,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    CustomerConfirmation,
    CustomerStatus,
    CustomerType,
    Direction,
    InspectionKind,
    InteractionKind,
    LifecycleStage,
    LoyaltyFactor,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    ProductCategory,
    Quadrant,
    RecoveryKind,
    RecoveryStatus,
    Role,
    Severity,
    StandardCategory,
    SurveyKind,
    TargetDirection,
    TaskPriority,
    TaskStatus,
    TransactionChannel,
    WaveStatus,
)
from bankcrm.web.i18n import gettext, translations

Message = str | tuple[str, str]
"""A catalog message, or a (context, message) pair for a word that is translated
differently here than elsewhere."""


def _(message: str) -> str:
    """Marks a label for the catalog; it is translated when shown."""
    return message


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
