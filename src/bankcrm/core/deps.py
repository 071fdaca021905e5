"""Request-scoped dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.db import session_scope
from bankcrm.core.exceptions import AuthenticationFailed, PermissionDenied
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.security import read_access_token
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


# Committed before the answer is sent (FastAPI's default ends it after): a commit that
# fails, such as the audit entry of a read, must reach the caller as an error, not as a
# success whose writes were lost.
DbSession = Annotated[Session, Depends(get_db, scope="function")]

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
        raise PermissionDenied(f"the role {user.role.value} may not {permission.value}")


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
