"""The one place where "who may see this customer" is applied to queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from bankcrm.core.permissions import ROLE_SCOPE, Scope
from bankcrm.customers.models import Customer
from bankcrm.staff.models import StaffUser

StatementT = TypeVar("StatementT", bound=Select[*tuple[Any, ...]])


def customer_scope(viewer: StaffUser) -> ColumnElement[bool]:
    """The condition on ``customers`` rows that ``viewer`` may see."""
    return ownership_scope(viewer, branch=Customer.branch_id, owners=(Customer.manager_id,))


def ownership_scope(
    viewer: StaffUser,
    *,
    branch: ColumnElement[Any] | InstrumentedAttribute[Any],
    owners: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
) -> ColumnElement[bool]:
    """Rows of the viewer's branch, or rows one of whose ``owners`` is the viewer, as the
    role's scope says."""
    scope = ROLE_SCOPE[viewer.role]
    if scope is Scope.ALL:
        return true()
    if scope is Scope.BRANCH:
        return branch == viewer.branch_id if viewer.branch_id else false()
    return or_(*(owner == viewer.id for owner in owners))


class ScopedRepository:
    """Base for repositories of customer-owned data: every query is narrowed to the viewer."""

    def __init__(self, session: Session, viewer: StaffUser) -> None:
        self.session = session
        self.viewer = viewer

    def scoped(self, statement: StatementT) -> StatementT:
        """Restrict a statement that selects from or joins ``customers`` to the viewer's scope."""
        return statement.where(customer_scope(self.viewer))
