"""The branch and account-manager filters of list pages, limited to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.orm import Session

from bankcrm.branches import service as branches_service
from bankcrm.branches.models import Branch
from bankcrm.core.pagination import whole_number
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser


@dataclass(frozen=True)
class ScopeFilters:
    branches: list[Branch]
    """Branches to choose from: only for viewers who see the whole bank."""
    managers: list[StaffUser]
    """Account managers to choose from: none for an account manager (their own book)."""
    branch_id: int | None
    manager_id: int | None


def chosen_day(value: str | None, runs: list[date]) -> date | None:
    """A run date picked in a select box; one that is garbled or has no run means none."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day in runs else None


SortKey = TypeVar("SortKey", bound=StrEnum)


def chosen_sort(value: str | None, keys: type[SortKey], default: str) -> tuple[SortKey, bool]:
    """A list's sort picked by a column heading: one of ``keys``, with ``-`` before it for
    descending. Anything else (a column not offered, a garbled value) is ignored: the list
    keeps its ``default`` order, written the same way."""
    for text in (value or "", default):
        descending = text.startswith("-")
        key = text.removeprefix("-")
        if key in set(keys):
            return keys(key), descending
    raise ValueError(f"the default sort {default!r} is not one of {keys.__name__}")


def sort_text(key: StrEnum, descending: bool) -> str:
    """The sort as the query string carries it: ``name`` or ``-name``."""
    return f"-{key.value}" if descending else key.value


def chosen_id(value: str | None) -> int | None:
    """A filter picked in a select box; an empty or garbled value means no filter."""
    return whole_number(value)


def scope_filters(
    session: Session, user: StaffUser, *, branch_id: str | None, manager_id: str | None
) -> ScopeFilters:
    scope = ROLE_SCOPE[user.role]
    branches = branches_service.list_branches(session) if scope is Scope.ALL else []
    chosen_branch = chosen_id(branch_id) if scope is Scope.ALL else None
    managers = (
        staff_service.list_account_managers(
            session, branch_id=user.branch_id if scope is Scope.BRANCH else chosen_branch
        )
        if scope is not Scope.OWN_BOOK
        else []
    )
    return ScopeFilters(
        branches=branches,
        managers=managers,
        branch_id=chosen_branch,
        manager_id=chosen_id(manager_id) if managers else None,
    )
