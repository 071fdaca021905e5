"""The table registry: every feature's models, so ``Base.metadata`` knows all tables.

It lives above the features (``core`` imports none of them); Alembic, backups and tests
import it."""

from bankcrm.accounts.models import Account, AccountParty, Holding, StandingOrder, Transaction
from bankcrm.audit.models import AuditEntry, AuditHead
from bankcrm.branches.models import Branch, BranchStaffingPlan
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignSend,
    HoldoutMember,
    MarketingConsent,
    MarketingHoldout,
    SavedSegment,
)
from bankcrm.campaigns.planning.models import (
    MarketingPlan,
    MarketingPlanAction,
    MarketingPlanBudgetLine,
    MarketingPlanCampaign,
    MarketingPlanChecklistAnswer,
    MarketingPlanCompetitor,
    MarketingPlanPest,
    MarketingPlanSection,
)
from bankcrm.campaigns.prospects.models import (
    Prospect,
    ProspectEvent,
    ProspectFollowUp,
    ProspectObjection,
)
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintModel,
    ComplaintRecovery,
)
from bankcrm.credit.models import (
    CorporateRating,
    CreditScore,
    LoanPrequalification,
    PricingQuote,
)
from bankcrm.customers.models import Customer, Interaction, ManagerAssignment, Note
from bankcrm.jobs.models import JobRun
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.products.models import Product
from bankcrm.quality.models import (
    ImprovementAction,
    Inspection,
    InspectionResult,
    ManagementPrediction,
    ServicePromise,
    ServiceStandard,
    SurveyInvitation,
    SurveyResponse,
    SurveyWave,
)
from bankcrm.segmentation.models import CustomerSegment, SegmentRun
from bankcrm.staff.incentives.models import (
    IncentiveClawback,
    IncentivePool,
    IncentiveStatement,
)
from bankcrm.staff.models import LoginBackoff, StaffSession, StaffUser
from bankcrm.staff.performance.models import KpiMonth
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance, TrainingCourse
from bankcrm.tasks.models import Task

__all__ = [
    "Account",
    "AccountParty",
    "AuditEntry",
    "AuditHead",
    "Branch",
    "BranchStaffingPlan",
    "Campaign",
    "CampaignMember",
    "CampaignSend",
    "ChurnRun",
    "ChurnScore",
    "ClvRun",
    "Complaint",
    "ComplaintEvent",
    "ComplaintModel",
    "ComplaintRecovery",
    "CorporateRating",
    "CreditScore",
    "Customer",
    "CustomerSegment",
    "CustomerValue",
    "Holding",
    "HoldoutMember",
    "ImprovementAction",
    "IncentiveClawback",
    "IncentivePool",
    "IncentiveStatement",
    "Inspection",
    "InspectionResult",
    "Interaction",
    "JobRun",
    "KpiMonth",
    "LoanPrequalification",
    "LoginBackoff",
    "ManagementPrediction",
    "ManagerAssignment",
    "MarketingConsent",
    "MarketingHoldout",
    "MarketingPlan",
    "MarketingPlanAction",
    "MarketingPlanBudgetLine",
    "MarketingPlanCampaign",
    "MarketingPlanChecklistAnswer",
    "MarketingPlanCompetitor",
    "MarketingPlanPest",
    "MarketingPlanSection",
    "Note",
    "OfferScore",
    "PricingQuote",
    "PrivacyRequest",
    "Product",
    "Prospect",
    "ProspectEvent",
    "ProspectFollowUp",
    "ProspectObjection",
    "QueueTicket",
    "RiskAssessment",
    "Sale",
    "SavedSegment",
    "SegmentRun",
    "ServicePromise",
    "ServiceStandard",
    "StaffCertificate",
    "StaffSession",
    "StaffUser",
    "StandingOrder",
    "SurveyInvitation",
    "SurveyResponse",
    "SurveyWave",
    "Task",
    "TrainingAttendance",
    "TrainingCourse",
    "Transaction",
]
