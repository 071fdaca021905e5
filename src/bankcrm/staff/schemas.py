from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.enums import Role
from bankcrm.core.inputs import Input
from bankcrm.core.security import PASSWORD_MAX_LENGTH


class StaffUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    username: str
    full_name: str
    role: Role
    branch_id: int | None
    is_active: bool


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"


class LoginCreate(Input):
    username: str = Field(max_length=64, pattern=STORABLE_TEXT)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
