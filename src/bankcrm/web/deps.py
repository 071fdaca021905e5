"""Request dependencies above the features: the API caller from a bearer token and the
page user from the session cookie, with one ``Annotated`` alias per permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import Role
from bankcrm.core.exceptions import AuthenticationFailed, PermissionDenied
from bankcrm.core.messages import _
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.security import read_access_token
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.security import SESSION_KEY, SESSION_USER, csrf_token, keep_session_alive

_bearer = HTTPBearer(auto_error=False)


def user_from_token(session: Session, token: str) -> StaffUser:
    """The user of a valid token whose session still holds: a logout, a new password or
    role, or a disabled account ends it."""
    user_id, session_key = read_access_token(token)
    user = staff_service.session_user(session, key=session_key, user_id=user_id)
    if user is None:
        raise AuthenticationFailed("the access token has been revoked; log in again")
    audit_recorder.act_as(session, actor_id=user.id, label=user.username)
    return user


def get_bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("a bearer token is required")
    return credentials.credentials


BearerToken = Annotated[str, Depends(get_bearer_token)]


def get_current_user(session: DbSession, token: BearerToken) -> StaffUser:
    return user_from_token(session, token)


CurrentUser = Annotated[StaffUser, Depends(get_current_user)]


class RequirePermission:
    """A dependency that lets through only a user whose role has ``permission``.

    A class rather than a closure so that the route table says what each route needs
    (``core.access`` reads it for docs/security.md and the access-matrix test)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, user: CurrentUser) -> StaffUser:
        check_permission(user, self.permission)
        return user


def check_permission(user: StaffUser, permission: Permission) -> None:
    if not has_permission(user.role, permission):
        raise PermissionDenied(
            _("The role %(role)s may not %(permission)s."),
            params={"role": user.role.value, "permission": permission.value},
        )


CustomersRead = Annotated[StaffUser, Depends(RequirePermission(Permission.CUSTOMERS_READ))]
AnalyticsRead = Annotated[StaffUser, Depends(RequirePermission(Permission.ANALYTICS_READ))]
PersonalDataReveal = Annotated[
    StaffUser, Depends(RequirePermission(Permission.PERSONAL_DATA_REVEAL))
]
PrivacyRequests = Annotated[StaffUser, Depends(RequirePermission(Permission.PRIVACY_REQUESTS))]
PrivacyApprove = Annotated[StaffUser, Depends(RequirePermission(Permission.PRIVACY_APPROVE))]
ComplaintsRead = Annotated[StaffUser, Depends(RequirePermission(Permission.COMPLAINTS_READ))]
ComplaintsHandle = Annotated[StaffUser, Depends(RequirePermission(Permission.COMPLAINTS_HANDLE))]
QualityRead = Annotated[StaffUser, Depends(RequirePermission(Permission.QUALITY_READ))]
QualityManage = Annotated[StaffUser, Depends(RequirePermission(Permission.QUALITY_MANAGE))]
QualityInspect = Annotated[StaffUser, Depends(RequirePermission(Permission.QUALITY_INSPECT))]
ComplaintsApprove = Annotated[StaffUser, Depends(RequirePermission(Permission.COMPLAINTS_APPROVE))]
OffersSell = Annotated[StaffUser, Depends(RequirePermission(Permission.OFFERS_SELL))]
OffersApprove = Annotated[StaffUser, Depends(RequirePermission(Permission.OFFERS_APPROVE))]
OffersRead = Annotated[StaffUser, Depends(RequirePermission(Permission.OFFERS_READ))]
OffersSummary = Annotated[StaffUser, Depends(RequirePermission(Permission.OFFERS_SUMMARY))]
ProductsManage = Annotated[StaffUser, Depends(RequirePermission(Permission.PRODUCTS_MANAGE))]
CreditRead = Annotated[StaffUser, Depends(RequirePermission(Permission.CREDIT_READ))]
CreditAssess = Annotated[StaffUser, Depends(RequirePermission(Permission.CREDIT_ASSESS))]
CreditApprove = Annotated[StaffUser, Depends(RequirePermission(Permission.CREDIT_APPROVE))]
CampaignsRead = Annotated[StaffUser, Depends(RequirePermission(Permission.CAMPAIGNS_READ))]
CampaignsDesign = Annotated[StaffUser, Depends(RequirePermission(Permission.CAMPAIGNS_DESIGN))]
CampaignsApprove = Annotated[StaffUser, Depends(RequirePermission(Permission.CAMPAIGNS_APPROVE))]
CampaignsContact = Annotated[StaffUser, Depends(RequirePermission(Permission.CAMPAIGNS_CONTACT))]
ProspectsWork = Annotated[StaffUser, Depends(RequirePermission(Permission.PROSPECTS_WORK))]
ProspectsRead = Annotated[StaffUser, Depends(RequirePermission(Permission.PROSPECTS_READ))]
PerformanceRead = Annotated[StaffUser, Depends(RequirePermission(Permission.PERFORMANCE_READ))]
IncentivesRead = Annotated[StaffUser, Depends(RequirePermission(Permission.INCENTIVES_READ))]
IncentivesManage = Annotated[StaffUser, Depends(RequirePermission(Permission.INCENTIVES_MANAGE))]
TrainingRead = Annotated[StaffUser, Depends(RequirePermission(Permission.TRAINING_READ))]
TrainingManage = Annotated[StaffUser, Depends(RequirePermission(Permission.TRAINING_MANAGE))]
QueueRecord = Annotated[StaffUser, Depends(RequirePermission(Permission.QUEUE_RECORD))]
BranchOperationsRead = Annotated[
    StaffUser, Depends(RequirePermission(Permission.BRANCH_OPERATIONS_READ))
]
JobsRead = Annotated[StaffUser, Depends(RequirePermission(Permission.JOBS_READ))]
JobsRun = Annotated[StaffUser, Depends(RequirePermission(Permission.JOBS_RUN))]
TasksRead = Annotated[StaffUser, Depends(RequirePermission(Permission.TASKS_READ))]
TasksWork = Annotated[StaffUser, Depends(RequirePermission(Permission.TASKS_WORK))]
AuditRead = Annotated[StaffUser, Depends(RequirePermission(Permission.AUDIT_READ))]
UsersManage = Annotated[StaffUser, Depends(RequirePermission(Permission.USERS_MANAGE))]


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
PageAnalyticsModels = Annotated[
    StaffUser, Depends(RequirePagePermission(Permission.ANALYTICS_MODELS))
]
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
