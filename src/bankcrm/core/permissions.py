"""What each role may do, as data (documented in docs/security.md)."""

from __future__ import annotations

from enum import StrEnum

from bankcrm.core.enums import Role


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    USERS_MANAGE = "users:manage"
    IMPORTS_RUN = "imports:run"


class Scope(StrEnum):
    """Which customers a role sees."""

    OWN_BOOK = "own_book"
    BRANCH = "branch"
    ALL = "all"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MARKETING_ANALYST: frozenset({Permission.CUSTOMERS_READ}),
    Role.ACCOUNT_MANAGER: frozenset({Permission.CUSTOMERS_READ, Permission.CUSTOMERS_WRITE}),
    Role.BRANCH_MANAGER: frozenset({Permission.CUSTOMERS_READ, Permission.CUSTOMERS_WRITE}),
    Role.QUALITY_OFFICER: frozenset({Permission.CUSTOMERS_READ}),
    Role.COMPLIANCE_AUDITOR: frozenset({Permission.CUSTOMERS_READ}),
}

ROLE_SCOPE: dict[Role, Scope] = {
    Role.ADMIN: Scope.ALL,
    Role.MARKETING_ANALYST: Scope.ALL,
    Role.ACCOUNT_MANAGER: Scope.OWN_BOOK,
    Role.BRANCH_MANAGER: Scope.BRANCH,
    Role.QUALITY_OFFICER: Scope.ALL,
    Role.COMPLIANCE_AUDITOR: Scope.ALL,
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
