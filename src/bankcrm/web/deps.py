"""Dependencies of HTML pages: the logged-in user from the session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.deps import DbSession, check_permission
from bankcrm.core.enums import Role
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.security import SESSION_KEY, SESSION_USER, csrf_token, keep_session_alive


@dataclass(frozen=True)
class Viewer:
    """What pages show of the logged-in user; safe to use after the request's session ended."""

    id: int
    full_name: str
    role: Role
    preferred_locale: str | None

    def can(self, permission: str) -> bool:
        """Whether the role has ``permission`` (templates show only what the role may use)."""
        return has_permission(self.role, Permission(permission))


class LoginRequired(Exception):
    """Raised for a page that needs a login; answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.login_url = f"/login?next={quote(next_path, safe='/')}"


def get_page_user(request: Request, session: DbSession) -> StaffUser:
    user_id = request.session.get(SESSION_USER)
    session_key = request.session.get(SESSION_KEY)
    if (
        not isinstance(user_id, int)
        or not isinstance(session_key, str)
        or not keep_session_alive(request)
    ):
        raise LoginRequired(_path_with_query(request))
    user = staff_service.session_user(session, key=session_key, user_id=user_id)
    if user is None:
        request.session.clear()
        raise LoginRequired(_path_with_query(request))
    audit_recorder.act_as(session, actor_id=user.id, label=user.username)
    request.state.user = Viewer(
        id=user.id, full_name=user.full_name, role=user.role, preferred_locale=user.preferred_locale
    )
    csrf_token(request)
    return user


def _path_with_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


PageUser = Annotated[StaffUser, Depends(get_page_user)]


class RequirePagePermission:
    """A page dependency that lets through only a user whose role has ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, user: PageUser) -> StaffUser:
        check_permission(user, self.permission)
        return user


PageCustomersRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.CUSTOMERS_READ))]
PageAnalyticsRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.ANALYTICS_READ))]
PagePersonalDataReveal = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.PERSONAL_DATA_REVEAL))
]
PagePrivacyRequests = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.PRIVACY_REQUESTS))
]
PagePrivacyApprove = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.PRIVACY_APPROVE))
]
PageAuditRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.AUDIT_READ))]
PageJobsRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.JOBS_READ))]
PageJobsRun = Annotated[StaffUser, Depends(RequirePagePermission(Permission.JOBS_RUN))]
PageComplaintsRead = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.COMPLAINTS_READ))
]
PageComplaintsHandle = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.COMPLAINTS_HANDLE))
]
PageComplaintsApprove = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.COMPLAINTS_APPROVE))
]
PageQualityRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.QUALITY_READ))]
PageQualityManage = Annotated[StaffUser, Depends(RequirePagePermission(Permission.QUALITY_MANAGE))]
PageQualityInspect = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.QUALITY_INSPECT))
]
PageOffersSell = Annotated[StaffUser, Depends(RequirePagePermission(Permission.OFFERS_SELL))]
PageOffersRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.OFFERS_READ))]
PageOffersApprove = Annotated[StaffUser, Depends(RequirePagePermission(Permission.OFFERS_APPROVE))]
PageCreditRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.CREDIT_READ))]
PageCreditAssess = Annotated[StaffUser, Depends(RequirePagePermission(Permission.CREDIT_ASSESS))]
PageCreditApprove = Annotated[StaffUser, Depends(RequirePagePermission(Permission.CREDIT_APPROVE))]
PageCampaignsRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.CAMPAIGNS_READ))]
PageCampaignsDesign = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.CAMPAIGNS_DESIGN))
]
PageCampaignsApprove = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.CAMPAIGNS_APPROVE))
]
PageCampaignsContact = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.CAMPAIGNS_CONTACT))
]
PageProspectsWork = Annotated[StaffUser, Depends(RequirePagePermission(Permission.PROSPECTS_WORK))]
PageProspectsRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.PROSPECTS_READ))]
PagePerformanceRead = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.PERFORMANCE_READ))
]
PageIncentivesRead = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.INCENTIVES_READ))
]
PageIncentivesManage = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.INCENTIVES_MANAGE))
]
PageTrainingRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.TRAINING_READ))]
PageTrainingManage = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.TRAINING_MANAGE))
]
PageQueueRecord = Annotated[StaffUser, Depends(RequirePagePermission(Permission.QUEUE_RECORD))]
PageBranchOperationsRead = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.BRANCH_OPERATIONS_READ))
]
PageTasksRead = Annotated[StaffUser, Depends(RequirePagePermission(Permission.TASKS_READ))]
PageTasksWork = Annotated[StaffUser, Depends(RequirePagePermission(Permission.TASKS_WORK))]
PageProductsManage = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.PRODUCTS_MANAGE))
]
