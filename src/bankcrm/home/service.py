"""What the work bench shows: for each kind of work the viewer may do, how much of it is due
and the most urgent items, read through each feature's own scoped service, so that a count
on the bench is the count of the list it links to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.audit import service as audit
from bankcrm.churn import service as churn
from bankcrm.churn.schemas import ChurnWarningRead
from bankcrm.clv import service as clv
from bankcrm.clv.schemas import ValuableCustomerRead
from bankcrm.complaints import service as complaints
from bankcrm.complaints.schemas import ComplaintRead
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import ActionStage, AuditAction, PrivacyRequestStatus, Role, WaveStatus
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.jobs import definitions as job_definitions
from bankcrm.jobs import service as jobs
from bankcrm.jobs.models import JobStatus
from bankcrm.jobs.schemas import JobRead
from bankcrm.privacy import service as privacy
from bankcrm.quality.improvement import service as improvement
from bankcrm.quality.improvement.schemas import ActionRead
from bankcrm.quality.surveys import service as surveys
from bankcrm.quality.surveys.schemas import WaveSummary
from bankcrm.segmentation import service as segmentation
from bankcrm.segmentation.schemas import SegmentChangeRead
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance import service as performance
from bankcrm.staff.performance.schemas import BranchVolumeRead
from bankcrm.tasks.models import Task
from bankcrm.tasks.repository import UNFINISHED, TaskRepository, overdue
from bankcrm.web.i18n import gettext

SHOWN = 5
"""The most urgent items a card lists; its count links to the whole list."""
DUE_SOON_DAYS = 7
AUDIT_WEEK_DAYS = 7


@dataclass(frozen=True)
class TaskCounts:
    overdue: int
    due_soon: int
    open: int


@dataclass(frozen=True)
class Runs:
    """The day each analytics run last looked at the bank (none when it never ran)."""

    segmentation: date | None
    clv: date | None
    churn: date | None


@dataclass
class Bench:
    today: date
    tasks: TaskCounts | None = None
    overdue_complaints: int | None = None
    due_soon_complaints: int | None = None
    urgent_complaints: list[ComplaintRead] = field(default_factory=list)
    early_warnings: int | None = None
    win_back: int | None = None
    warnings: list[ChurnWarningRead] = field(default_factory=list)
    churn_as_of: date | None = None
    overdue_actions: int | None = None
    open_actions: int | None = None
    urgent_actions: list[ActionRead] = field(default_factory=list)
    open_waves: list[WaveSummary] | None = None
    privacy_overdue: int | None = None
    privacy_open: int | None = None
    runs: Runs | None = None
    jobs: list[tuple[str, JobRead]] | None = None
    """Each job with its title in the reader's language."""
    failed_jobs: int = 0
    audit: AuditCounts | None = None
    valuable: list[ValuableOnBench] | None = None
    """An account manager's most valuable customers, each with what moved since the run before."""
    valuable_as_of: date | None = None
    branch_volume: BranchVolumeRead | None = None
    """A branch manager's branch: business volume against the month before."""


@dataclass(frozen=True)
class ValuableOnBench:
    customer: ValuableCustomerRead
    change: SegmentChangeRead | None


@dataclass(frozen=True)
class AuditCounts:
    """What the trail holds for an auditor to look at: the week from ``since``."""

    since: date
    entries: int
    exports: int
    reveals: int
    failed_logins: int


def _task_counts(session: Session, user: StaffUser, today: date) -> TaskCounts:
    tasks = TaskRepository(session, user)
    unfinished = Task.status.in_(UNFINISHED)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return TaskCounts(
        overdue=tasks.count(conditions=[overdue(today)]),
        due_soon=tasks.count(conditions=[unfinished, Task.due_on >= today, Task.due_on <= soon]),
        open=tasks.count(conditions=[unfinished]),
    )


def bench(session: Session, *, user: StaffUser, locale: str) -> Bench:
    """The viewer's bench: only the cards of the work their role does."""
    today = bank_today()
    allowed = {permission for permission in Permission if has_permission(user.role, permission)}
    result = Bench(today=today)
    if Permission.TASKS_READ in allowed:
        result.tasks = _task_counts(session, user, today)
    if Permission.COMPLAINTS_READ in allowed:
        overdue_page = complaints.list_complaints(session, user=user, overdue=True, page_size=SHOWN)
        result.overdue_complaints = overdue_page.total
        result.due_soon_complaints = complaints.list_complaints(
            session, user=user, due_soon=True, page_size=1
        ).total
        result.urgent_complaints = overdue_page.items
    if Permission.ANALYTICS_READ in allowed:
        _warnings(session, user, locale, result)
        result.runs = Runs(
            segmentation=next(iter(segmentation.run_dates(session)), None),
            clv=next(iter(clv.run_dates(session)), None),
            churn=result.churn_as_of,
        )
    if Permission.QUALITY_READ in allowed:
        actions = [
            action
            for action in improvement.list_actions(session, user=user, **_action_view(user))
            if action.stage != ActionStage.CLOSED
        ]
        late = [action for action in actions if action.overdue]
        result.open_actions = len(actions)
        result.overdue_actions = len(late)
        result.urgent_actions = late[:SHOWN]
    if Permission.QUALITY_MANAGE in allowed:
        waves = surveys.list_waves(session, user=user)
        result.open_waves = [wave for wave in waves if wave.status == WaveStatus.OPEN]
    if Permission.PRIVACY_REQUESTS in allowed:
        result.privacy_overdue = privacy.list_requests(
            session, user=user, overdue=True, page_size=1
        ).total
        result.privacy_open = privacy.list_requests(
            session, user=user, status=PrivacyRequestStatus.RECEIVED, page_size=1
        ).total
    if Permission.JOBS_READ in allowed:
        listed = jobs.list_jobs(session, settings=get_settings(), now=utcnow())
        result.jobs = [
            (gettext(locale, job_definitions.BY_NAME[job.name].title), job) for job in listed
        ]
        result.failed_jobs = sum(
            1 for job in listed if job.last_run and job.last_run.status == JobStatus.FAILED
        )
    if Permission.AUDIT_READ in allowed:
        result.audit = _audit_counts(session, since=today - timedelta(days=AUDIT_WEEK_DAYS - 1))
    if user.role == Role.ACCOUNT_MANAGER and Permission.ANALYTICS_READ in allowed:
        _valuable(session, user, result)
    if (
        user.role == Role.BRANCH_MANAGER
        and user.branch_id is not None
        and Permission.PERFORMANCE_READ in allowed
    ):
        result.branch_volume = performance.branch_volume(
            session, user=user, branch_id=user.branch_id
        )
    return result


def _valuable(session: Session, user: StaffUser, result: Bench) -> None:
    if not clv.run_dates(session):
        return
    top = clv.most_valuable(session, user=user, page_size=SHOWN)
    changes = segmentation.segment_changes(
        session, user=user, customer_ids=[row.customer_id for row in top.items]
    )
    result.valuable_as_of = top.as_of
    result.valuable = [ValuableOnBench(row, changes.get(row.customer_id)) for row in top.items]


def _audit_counts(session: Session, *, since: date) -> AuditCounts:
    def count(action: AuditAction | None = None) -> int:
        return audit.search(session, action=action, since=since, page_size=1).total

    return AuditCounts(
        since=since,
        entries=count(),
        exports=count(AuditAction.EXPORT),
        reveals=count(AuditAction.REVEAL),
        failed_logins=count(AuditAction.LOGIN_FAILED),
    )


def _action_view(user: StaffUser) -> dict[str, Any]:
    """An account manager's bench shows the actions they own, a branch manager's their
    branch's, everyone else's the whole board they see."""
    if user.role == Role.ACCOUNT_MANAGER:
        return {"mine": True}
    if user.role == Role.BRANCH_MANAGER and user.branch_id is not None:
        return {"branch_id": user.branch_id}
    return {}


def _warnings(session: Session, user: StaffUser, locale: str, result: Bench) -> None:
    dates = churn.run_dates(session)
    if not dates:
        return
    result.churn_as_of = dates[0]
    early = churn.churn_warnings(session, user=user, locale=locale, group="active", page_size=SHOWN)
    result.early_warnings = early.total
    result.warnings = early.items
    result.win_back = churn.churn_warnings(
        session, user=user, locale=locale, group="lapsed", page_size=1
    ).total
