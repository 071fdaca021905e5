"""What each role may do, as data; ``docs/security.md`` is generated from it. Which rows the
role then sees is ``bankcrm.scope``'s."""

from __future__ import annotations

from enum import StrEnum

from bankcrm.core.enums import Role


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    """The customer list and customer 360, personal data masked."""
    CUSTOMERS_WRITE = "customers:write"
    PERSONAL_DATA_VIEW = "personal_data:view"
    """ID numbers, phones, e-mail and addresses unmasked (every such read is audited)."""
    PERSONAL_DATA_REVEAL = "personal_data:reveal"
    """Unmask one customer's personal data on demand, giving a reason (audited)."""
    ANALYTICS_READ = "analytics:read"
    """Customer matrix, lifetime value and churn warnings."""
    PRIVACY_REQUESTS = "privacy:requests"
    """Register and carry out a customer's privacy request (access, correction, deletion)."""
    PRIVACY_APPROVE = "privacy:approve"
    """Approve another person's correction or deletion (maker–checker)."""
    COMPLAINTS_READ = "complaints:read"
    """Complaint cases, their timelines and the case-analysis reports."""
    COMPLAINTS_HANDLE = "complaints:handle"
    """Register a complaint, move it through its workflow, propose recovery actions."""
    COMPLAINTS_APPROVE = "complaints:approve"
    """Approve another person's refund or compensation above the limit (maker–checker)."""
    QUALITY_READ = "quality:read"
    """Survey results, the gap diagnosis, standards, inspections and the PDCA board."""
    QUALITY_MANAGE = "quality:manage"
    """Run survey waves, keep the standards and promises, raise actions from the diagnosis."""
    QUALITY_INSPECT = "quality:inspect"
    """Record inspections, answer the management survey, work improvement actions."""
    OFFERS_SELL = "offers:sell"
    """Assess a customer's risk tolerance, see their suitable offers, sell and cancel."""
    OFFERS_APPROVE = "offers:approve"
    """Approve or reject another person's sale that the suitability gate refused
    (maker–checker)."""
    OFFERS_READ = "offers:read"
    """Risk assessments, sales and every suitability decision."""
    OFFERS_SUMMARY = "offers:summary"
    """Sales and refusals counted by product, level and month, without customers."""
    CREDIT_READ = "credit:read"
    """Credit scores, grades and their reasons, corporate ratings, quotes and
    pre-qualifications."""
    CREDIT_ASSESS = "credit:assess"
    """Enter a corporate rating, quote a loan's price, pre-qualify a loan application."""
    CREDIT_APPROVE = "credit:approve"
    """Review another person's corporate rating; approve a quote beyond their authority
    (maker–checker)."""
    CAMPAIGNS_READ = "campaigns:read"
    """Campaigns with their members counted, evaluations, marketing plans and budgets."""
    CAMPAIGNS_DESIGN = "campaigns:design"
    """Build segments, design campaigns, write marketing plans and budgets, launch and stop
    an approved campaign, import its responses."""
    CAMPAIGNS_APPROVE = "campaigns:approve"
    """Approve another person's campaign or marketing plan (maker–checker)."""
    CAMPAIGNS_CONTACT = "campaigns:contact"
    """Work campaign contact tasks, record what came of them, record a customer's
    marketing consent."""
    PROSPECTS_WORK = "prospects:work"
    """Keep one's own prospect pipeline: prospects, stages, objections, follow-ups."""
    PROSPECTS_READ = "prospects:read"
    """The pipelines and conversion funnels of the prospects the role sees."""
    PERFORMANCE_READ = "performance:read"
    """KPIs, scores and ranks: one's own; a branch manager their branch's."""
    INCENTIVES_READ = "incentives:read"
    """Incentive statements: one's own; a branch manager their branch's."""
    INCENTIVES_MANAGE = "incentives:manage"
    """Set the branch's monthly incentive pool, compute and approve its statements."""
    TRAINING_READ = "training:read"
    """Courses, attendance, assessments and certificates with their expiry."""
    TRAINING_MANAGE = "training:manage"
    """Keep the courses; record attendance, assessments and certificates."""
    QUEUE_RECORD = "queue:record"
    """Issue, call and serve queue tickets at the branch; import the queue system's file."""
    BRANCH_OPERATIONS_READ = "branches:read"
    """Queue times per counter and staff, the service flow, the counter staffing plan."""
    PRODUCTS_MANAGE = "products:manage"
    """Keep the product catalogue: levels, terms, rates, FAB talking points, withdrawal."""
    JOBS_READ = "jobs:read"
    """The scheduled jobs: their next run, past runs with duration, status and errors."""
    JOBS_RUN = "jobs:run"
    """Start a scheduled job now (one run of a job at a time)."""
    ANALYTICS_MODELS = "analytics:models"
    """The models behind the churn warnings and lifetime values: fit, validation, parameters."""
    TASKS_READ = "tasks:read"
    """The tasks of the customers the role sees and those assigned to them; their export."""
    TASKS_WORK = "tasks:work"
    """Mark a task done, postpone it with a reason, hand it over within the branch."""
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"
    IMPORTS_RUN = "imports:run"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.USERS_MANAGE,
            Permission.IMPORTS_RUN,
            Permission.PRODUCTS_MANAGE,
            Permission.PERFORMANCE_READ,
            Permission.INCENTIVES_READ,
            Permission.TRAINING_READ,
            Permission.TRAINING_MANAGE,
            Permission.BRANCH_OPERATIONS_READ,
            Permission.JOBS_READ,
            Permission.JOBS_RUN,
            Permission.TASKS_READ,
        }
    ),
    Role.MARKETING_ANALYST: frozenset(
        {
            Permission.JOBS_READ,
            Permission.JOBS_RUN,
            Permission.CUSTOMERS_READ,
            Permission.ANALYTICS_READ,
            Permission.ANALYTICS_MODELS,
            Permission.QUALITY_READ,
            Permission.OFFERS_SUMMARY,
            Permission.CAMPAIGNS_READ,
            Permission.CAMPAIGNS_DESIGN,
            Permission.BRANCH_OPERATIONS_READ,
        }
    ),
    Role.ACCOUNT_MANAGER: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.CUSTOMERS_WRITE,
            Permission.PERSONAL_DATA_VIEW,
            Permission.ANALYTICS_READ,
            Permission.PRIVACY_REQUESTS,
            Permission.COMPLAINTS_READ,
            Permission.COMPLAINTS_HANDLE,
            Permission.OFFERS_SELL,
            Permission.OFFERS_READ,
            Permission.CREDIT_READ,
            Permission.CREDIT_ASSESS,
            Permission.CAMPAIGNS_CONTACT,
            Permission.PROSPECTS_WORK,
            Permission.PERFORMANCE_READ,
            Permission.INCENTIVES_READ,
            Permission.TRAINING_READ,
            Permission.QUEUE_RECORD,
            Permission.TASKS_READ,
            Permission.TASKS_WORK,
        }
    ),
    Role.BRANCH_MANAGER: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.CUSTOMERS_WRITE,
            Permission.PERSONAL_DATA_VIEW,
            Permission.ANALYTICS_READ,
            Permission.PRIVACY_REQUESTS,
            Permission.PRIVACY_APPROVE,
            Permission.COMPLAINTS_READ,
            Permission.COMPLAINTS_HANDLE,
            Permission.COMPLAINTS_APPROVE,
            Permission.QUALITY_READ,
            Permission.QUALITY_INSPECT,
            Permission.OFFERS_SELL,
            Permission.OFFERS_APPROVE,
            Permission.OFFERS_READ,
            Permission.CREDIT_READ,
            Permission.CREDIT_ASSESS,
            Permission.CREDIT_APPROVE,
            Permission.CAMPAIGNS_READ,
            Permission.CAMPAIGNS_APPROVE,
            Permission.CAMPAIGNS_CONTACT,
            Permission.PROSPECTS_WORK,
            Permission.PROSPECTS_READ,
            Permission.PERFORMANCE_READ,
            Permission.INCENTIVES_READ,
            Permission.INCENTIVES_MANAGE,
            Permission.TRAINING_READ,
            Permission.TRAINING_MANAGE,
            Permission.QUEUE_RECORD,
            Permission.BRANCH_OPERATIONS_READ,
            Permission.TASKS_READ,
            Permission.TASKS_WORK,
        }
    ),
    Role.QUALITY_OFFICER: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.PERSONAL_DATA_REVEAL,
            Permission.COMPLAINTS_READ,
            Permission.COMPLAINTS_HANDLE,
            Permission.QUALITY_READ,
            Permission.QUALITY_MANAGE,
            Permission.QUALITY_INSPECT,
            Permission.BRANCH_OPERATIONS_READ,
        }
    ),
    Role.COMPLIANCE_AUDITOR: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.PERSONAL_DATA_REVEAL,
            Permission.PRIVACY_REQUESTS,
            Permission.PRIVACY_APPROVE,
            Permission.COMPLAINTS_READ,
            Permission.QUALITY_READ,
            Permission.OFFERS_READ,
            Permission.OFFERS_SUMMARY,
            Permission.CREDIT_READ,
            Permission.AUDIT_READ,
            Permission.CAMPAIGNS_READ,
            Permission.PROSPECTS_READ,
            Permission.TRAINING_READ,
        }
    ),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
