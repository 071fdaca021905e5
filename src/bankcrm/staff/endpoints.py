from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import ValidationError

from bankcrm.core.enums import SessionKind
from bankcrm.core.exceptions import AuthenticationFailed, ValidationFailed
from bankcrm.core.security import create_access_token, read_access_token
from bankcrm.staff import service
from bankcrm.staff.schemas import LoginCreate, StaffUserRead, TokenRead
from bankcrm.web.deps import BearerToken, CurrentUser, DbSession, UsersManage, user_from_token
from bankcrm.web.ratelimit import FailedLogins, client_address

router = APIRouter(tags=["auth", "staff"])

_TOKEN_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                    "required": ["username", "password"],
                }
            },
            "application/json": {"schema": LoginCreate.model_json_schema()},
        },
        "required": True,
    }
}


async def _read_login(request: Request) -> LoginCreate:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return LoginCreate.model_validate(await request.json())
        form = await request.form()
        return LoginCreate.model_validate(
            {"username": form.get("username"), "password": form.get("password")}
        )
    except (ValidationError, ValueError) as error:
        raise ValidationFailed(
            "username and password are required (form fields or JSON)", field="username"
        ) from error


@router.post(
    "/auth/token",
    response_model=TokenRead,
    openapi_extra=_TOKEN_BODY,
    responses={
        429: {
            "description": "Too many failed logins from this address, or for this user from "
            "this address; see Retry-After"
        }
    },
)
async def issue_token(
    request: Request, session: DbSession, failed_logins: FailedLogins
) -> TokenRead:
    """Exchange a username and password for a bearer token."""
    address = client_address(request)
    retry_after = failed_logins.retry_after(address)
    if retry_after is not None:
        # not a domain error: the wait is about the connection, and the answer needs its header
        raise HTTPException(
            status_code=429,
            detail=f"too many failed logins from this address; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )
    login = await _read_login(request)
    try:
        user = service.authenticate(
            session, username=login.username, password=login.password, address=address
        )
    except service.LoginBackedOff as error:
        session.commit()
        raise HTTPException(
            status_code=429, detail=error.message, headers={"Retry-After": str(error.seconds)}
        ) from error
    except AuthenticationFailed:
        # the failed attempt must count towards the back-off even though the request fails
        session.commit()
        failed_logins.record(address)
        raise
    session_key = service.open_session(session, user=user, kind=SessionKind.API)
    return TokenRead(access_token=create_access_token(user.id, session_key))


@router.post("/auth/logout", status_code=204, responses={401: {"description": "Not logged in"}})
def revoke_token(session: DbSession, token: BearerToken) -> Response:
    """End the session of this token: it is refused from now on."""
    user_from_token(session, token)
    _, session_key = read_access_token(token)
    service.close_session(session, key=session_key)
    return Response(status_code=204)


@router.get("/me", response_model=StaffUserRead)
def read_me(user: CurrentUser) -> StaffUserRead:
    return StaffUserRead.model_validate(user)


@router.get("/staff", response_model=list[StaffUserRead])
def list_staff(session: DbSession, _admin: UsersManage) -> list[StaffUserRead]:
    return [StaffUserRead.model_validate(user) for user in service.list_users(session)]
