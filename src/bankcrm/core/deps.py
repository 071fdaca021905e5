"""Request-scoped dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bankcrm.core.db import session_scope
from bankcrm.core.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.security import read_access_token
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False)


def user_from_token(session: Session, token: str) -> StaffUser:
    user_id = read_access_token(token)
    try:
        return staff_service.get_user(session, user_id=user_id)
    except NotFound as error:
        raise AuthenticationFailed("the access token is not valid") from error


def get_current_user(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("a bearer token is required")
    return user_from_token(session, credentials.credentials)


CurrentUser = Annotated[StaffUser, Depends(get_current_user)]


def require(permission: Permission) -> Callable[[StaffUser], StaffUser]:
    def check(user: CurrentUser) -> StaffUser:
        if not has_permission(user.role, permission):
            raise PermissionDenied(f"the role {user.role.value} may not {permission.value}")
        return user

    return check


CustomersRead = Annotated[StaffUser, Depends(require(Permission.CUSTOMERS_READ))]
UsersManage = Annotated[StaffUser, Depends(require(Permission.USERS_MANAGE))]
