"""Who may see which rows, applied in one place: every query of customer-owned rows starts
from the base select this module builds for the viewer.

``access.py`` says which routes a role may call; this module says which rows the role then
sees. A role sees its own book, its branch or the whole bank (:data:`ROLE_SCOPE`). Each
table that holds a customer's data is registered in :data:`OWNERSHIP` with the way its rows
reach the row that decides who sees them (the customer; for a complaint or a survey answer
its own branch as well). Repositories get their statements from
:meth:`ScopedRepository.owned` and its companions, never from ``select``: the viewer's
condition is already in the statement, so no query can forget it. Jobs that act for the
whole bank (the analytics runs, the complaint sweep, the demo, the respondent's one-time
link) use a :class:`SystemRepository`, whose class name says so. ``tests/security/
test_row_scope.py`` fails on a query of a registered table anywhere else, and calls every
public method of every scoped repository as a viewer of one book and one branch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, Update, and_, false, or_, select, true, update
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account, AccountParty, Holding, StandingOrder, Transaction
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.campaigns.models import CampaignMember, CampaignSend, HoldoutMember, MarketingConsent
from bankcrm.campaigns.prospects.models import (
    Prospect,
    ProspectEvent,
    ProspectFollowUp,
    ProspectObjection,
)
from bankcrm.churn.models import ChurnScore
from bankcrm.clv.models import CustomerValue
from bankcrm.complaints.models import Complaint, ComplaintEvent, ComplaintRecovery
from bankcrm.core.enums import Role
from bankcrm.credit.models import (
    CorporateRating,
    CreditScore,
    LoanPrequalification,
    PricingQuote,
)
from bankcrm.customers.models import (
    Customer,
    CustomerCount,
    Interaction,
    ManagerAssignment,
    Note,
)
from bankcrm.offers.models import OfferScore, RiskAssessment, Sale
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.quality.models import Inspection, InspectionResult, SurveyInvitation, SurveyResponse
from bankcrm.segmentation.models import CustomerSegment
from bankcrm.staff.incentives.models import IncentiveClawback, IncentiveStatement
from bankcrm.staff.models import StaffUser
from bankcrm.staff.performance.models import KpiMonth
from bankcrm.staff.training.models import StaffCertificate, TrainingAttendance
from bankcrm.tasks.models import Task


class Scope(StrEnum):
    """Which customers a role sees."""

    OWN_BOOK = "own_book"
    BRANCH = "branch"
    ALL = "all"


ROLE_SCOPE: dict[Role, Scope] = {
    Role.ADMIN: Scope.ALL,
    Role.MARKETING_ANALYST: Scope.ALL,
    Role.ACCOUNT_MANAGER: Scope.OWN_BOOK,
    Role.BRANCH_MANAGER: Scope.BRANCH,
    Role.QUALITY_OFFICER: Scope.ALL,
    Role.COMPLIANCE_AUDITOR: Scope.ALL,
}


def ownership_scope(
    viewer: StaffUser,
    *,
    branch: Any,
    owners: Sequence[Any],
) -> ColumnElement[bool]:
    """Rows of the viewer's branch, or rows one of whose ``owners`` is the viewer, as the
    role's scope says."""
    scope = ROLE_SCOPE[viewer.role]
    if scope is Scope.ALL:
        return true()
    if scope is Scope.BRANCH:
        return branch == viewer.branch_id if viewer.branch_id else false()
    return or_(*(owner == viewer.id for owner in owners))


def customer_scope(viewer: StaffUser) -> ColumnElement[bool]:
    """The condition on ``customers`` rows that ``viewer`` may see."""
    return ownership_scope(viewer, branch=Customer.branch_id, owners=(Customer.manager_id,))


def sees_branch(viewer: StaffUser, branch_id: int | None) -> bool:
    """Whether the viewer sees (and may act for) the whole of branch ``branch_id``."""
    scope = ROLE_SCOPE[viewer.role]
    if scope is Scope.ALL:
        return True
    return scope is Scope.BRANCH and branch_id is not None and branch_id == viewer.branch_id


# --- what belongs to whom -------------------------------------------------------------------

Join = tuple[Any, ColumnElement[bool], bool]
"""A table to join, the condition, and whether the join is outer."""


def _to_customer(model: Any) -> Join:
    return (Customer, Customer.id == model.customer_id, False)


def _complaint_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """A case is seen by its branch, its owner and the customer's account manager."""
    return ownership_scope(
        viewer, branch=Complaint.branch_id, owners=(Complaint.owner_id, Customer.manager_id)
    )


def _answer_visible(model: Any) -> Callable[[StaffUser], ColumnElement[bool]]:
    """A survey answer or invitation is seen by the branch it is about and by the
    customer's account manager (an anonymous answer by the branch alone)."""

    def visible(viewer: StaffUser) -> ColumnElement[bool]:
        return ownership_scope(viewer, branch=model.branch_id, owners=(Customer.manager_id,))

    return visible


def _inspection_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """An inspection is seen by its branch and by the staff member it observed."""
    return ownership_scope(viewer, branch=Inspection.branch_id, owners=(Inspection.staff_id,))


def _prospect_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """A prospect is seen by its branch and by the account manager who owns it, whether or
    not it is a customer yet."""
    return ownership_scope(viewer, branch=Prospect.branch_id, owners=(Prospect.owner_id,))


def _staff_visible(model: Any) -> Callable[[StaffUser], ColumnElement[bool]]:
    """A row about one member of staff (their KPIs, incentive, training) is seen by them and
    by their branch."""

    def visible(viewer: StaffUser) -> ColumnElement[bool]:
        return ownership_scope(viewer, branch=model.branch_id, owners=(model.staff_id,))

    return visible


def _ticket_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """A queue ticket holds no customer's data: everyone at its branch works the queue."""
    if ROLE_SCOPE[viewer.role] is Scope.ALL:
        return true()
    return QueueTicket.branch_id == viewer.branch_id if viewer.branch_id else false()


def _task_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """A task is seen by its customer's branch and account manager, and by the member of
    staff it is assigned to (who may have been handed it from another book)."""
    return ownership_scope(
        viewer, branch=Customer.branch_id, owners=(Customer.manager_id, Task.assignee_id)
    )


def _count_visible(viewer: StaffUser) -> ColumnElement[bool]:
    """A count of customers is seen by whoever sees the customers it counts."""
    return ownership_scope(
        viewer, branch=CustomerCount.branch_id, owners=(CustomerCount.manager_key,)
    )


def _prospect_part(model: Any) -> Ownership:
    """A row of a prospect's (a move, an objection, a follow-up) goes with its prospect."""
    joins: tuple[Join, ...] = ((Prospect, Prospect.id == model.prospect_id, False),)
    return Ownership(
        to_customer=(*joins, _to_customer(Prospect)), joins=joins, visible=_prospect_visible
    )


@dataclass(frozen=True)
class Ownership:
    """How the rows of one table reach the rows that decide who sees them."""

    to_customer: tuple[Join, ...] | None
    """Inner joins from the table to ``customers`` (none for ``customers`` itself); ``None``
    for rows that belong to no customer."""
    joins: tuple[Join, ...] | None = None
    """The joins of the table's own rule, when it is not its customer's."""
    visible: Callable[[StaffUser], ColumnElement[bool]] | None = None
    """The table's own rule, when it is not its customer's."""

    def own_joins(self) -> tuple[Join, ...]:
        if self.joins is not None:
            return self.joins
        assert self.to_customer is not None
        return self.to_customer

    def own_condition(self, viewer: StaffUser) -> ColumnElement[bool]:
        return self.visible(viewer) if self.visible is not None else customer_scope(viewer)


_CASE_JOINS: tuple[Join, ...] = ((Customer, Customer.id == Complaint.customer_id, True),)

OWNERSHIP: dict[type[Any], Ownership] = {
    Customer: Ownership(to_customer=()),
    ManagerAssignment: Ownership(to_customer=(_to_customer(ManagerAssignment),)),
    Interaction: Ownership(to_customer=(_to_customer(Interaction),)),
    Note: Ownership(to_customer=(_to_customer(Note),)),
    Account: Ownership(to_customer=(_to_customer(Account),)),
    Holding: Ownership(to_customer=(_to_customer(Holding),)),
    Transaction: Ownership(to_customer=(_to_customer(Transaction),)),
    AccountParty: Ownership(to_customer=(_to_customer(AccountParty),)),
    StandingOrder: Ownership(
        to_customer=(
            (Account, Account.id == StandingOrder.account_id, False),
            _to_customer(Account),
        )
    ),
    Task: Ownership(
        to_customer=(_to_customer(Task),),
        joins=((Customer, Customer.id == Task.customer_id, True),),
        visible=_task_visible,
    ),
    PrivacyRequest: Ownership(to_customer=(_to_customer(PrivacyRequest),)),
    CustomerSegment: Ownership(to_customer=(_to_customer(CustomerSegment),)),
    CustomerValue: Ownership(to_customer=(_to_customer(CustomerValue),)),
    ChurnScore: Ownership(to_customer=(_to_customer(ChurnScore),)),
    RiskAssessment: Ownership(to_customer=(_to_customer(RiskAssessment),)),
    Sale: Ownership(to_customer=(_to_customer(Sale),)),
    OfferScore: Ownership(to_customer=(_to_customer(OfferScore),)),
    CorporateRating: Ownership(to_customer=(_to_customer(CorporateRating),)),
    PricingQuote: Ownership(to_customer=(_to_customer(PricingQuote),)),
    LoanPrequalification: Ownership(to_customer=(_to_customer(LoanPrequalification),)),
    CreditScore: Ownership(to_customer=(_to_customer(CreditScore),)),
    CampaignMember: Ownership(to_customer=(_to_customer(CampaignMember),)),
    CampaignSend: Ownership(to_customer=(_to_customer(CampaignSend),)),
    HoldoutMember: Ownership(to_customer=(_to_customer(HoldoutMember),)),
    MarketingConsent: Ownership(to_customer=(_to_customer(MarketingConsent),)),
    Complaint: Ownership(
        to_customer=(_to_customer(Complaint),), joins=_CASE_JOINS, visible=_complaint_visible
    ),
    ComplaintEvent: Ownership(
        to_customer=(
            (Complaint, Complaint.id == ComplaintEvent.complaint_id, False),
            _to_customer(Complaint),
        ),
        joins=((Complaint, Complaint.id == ComplaintEvent.complaint_id, False), *_CASE_JOINS),
        visible=_complaint_visible,
    ),
    ComplaintRecovery: Ownership(
        to_customer=(
            (Complaint, Complaint.id == ComplaintRecovery.complaint_id, False),
            _to_customer(Complaint),
        ),
        joins=((Complaint, Complaint.id == ComplaintRecovery.complaint_id, False), *_CASE_JOINS),
        visible=_complaint_visible,
    ),
    SurveyResponse: Ownership(
        to_customer=(_to_customer(SurveyResponse),),
        joins=((Customer, Customer.id == SurveyResponse.customer_id, True),),
        visible=_answer_visible(SurveyResponse),
    ),
    SurveyInvitation: Ownership(
        to_customer=(_to_customer(SurveyInvitation),),
        joins=((Customer, Customer.id == SurveyInvitation.customer_id, True),),
        visible=_answer_visible(SurveyInvitation),
    ),
    Inspection: Ownership(to_customer=None, joins=(), visible=_inspection_visible),
    InspectionResult: Ownership(
        to_customer=None,
        joins=((Inspection, Inspection.id == InspectionResult.inspection_id, False),),
        visible=_inspection_visible,
    ),
    Prospect: Ownership(to_customer=(_to_customer(Prospect),), joins=(), visible=_prospect_visible),
    ProspectEvent: _prospect_part(ProspectEvent),
    ProspectObjection: _prospect_part(ProspectObjection),
    ProspectFollowUp: _prospect_part(ProspectFollowUp),
    KpiMonth: Ownership(to_customer=None, joins=(), visible=_staff_visible(KpiMonth)),
    IncentiveStatement: Ownership(
        to_customer=None, joins=(), visible=_staff_visible(IncentiveStatement)
    ),
    IncentiveClawback: Ownership(
        to_customer=None, joins=(), visible=_staff_visible(IncentiveClawback)
    ),
    TrainingAttendance: Ownership(
        to_customer=None, joins=(), visible=_staff_visible(TrainingAttendance)
    ),
    StaffCertificate: Ownership(
        to_customer=None, joins=(), visible=_staff_visible(StaffCertificate)
    ),
    QueueTicket: Ownership(to_customer=None, joins=(), visible=_ticket_visible),
    CustomerCount: Ownership(to_customer=None, joins=(), visible=_count_visible),
}
"""Every table whose rows a role may or may not see. ``tests/security/test_row_scope.py``
checks that each table with a foreign key to a registered one is registered (or named in
its short list of tables that only point at a customer's row)."""


def _joined(statement: Select[Any], joins: Sequence[Join]) -> Select[Any]:
    for target, condition, outer in joins:
        statement = statement.join(target, condition, isouter=outer)
    return statement


def _narrowed(statement: Select[Any], condition: ColumnElement[bool] | None) -> Select[Any]:
    """The statement limited by ``condition``; a bank-wide reader's ``true()`` adds no
    ``WHERE``, so that SQLite counts a whole table from an index's entries instead of
    testing ``1 = 1`` on each of its rows."""
    if condition is None or condition is true():
        return statement
    return statement.where(condition)


class _OwnedRows:
    """The base selects of customer-owned rows; which rows they keep is the subclass's."""

    session: Session

    def _own_condition(self, ownership: Ownership) -> ColumnElement[bool] | None:
        raise NotImplementedError

    def _customer_condition(self) -> ColumnElement[bool] | None:
        raise NotImplementedError

    def owned(self, model: Any, *entities: Any) -> Select[Any]:
        """``select(*entities)`` (``model`` itself when none are given) from ``model``'s rows
        the reader may see, joined to the rows that decide it (``customers`` for most)."""
        ownership = OWNERSHIP[model]
        statement = select(*(entities or (model,))).select_from(model)
        statement = _joined(statement, ownership.own_joins())
        return _narrowed(statement, self._own_condition(ownership))

    def customers(self, *entities: Any) -> Select[Any]:
        """``select(*entities)`` from the customers the reader may see."""
        return self.owned(Customer, *entities)

    def of_customers(self, model: Any, *entities: Any) -> Select[Any]:
        """``model``'s rows that belong to a customer the reader may see, whatever the
        table's own rule says: what a customer's privacy request covers."""
        ownership = OWNERSHIP[model]
        if ownership.to_customer is None:
            raise TypeError(f"{model.__name__} rows belong to no customer")
        statement = select(*(entities or (model,))).select_from(model)
        statement = _joined(statement, ownership.to_customer)
        return _narrowed(statement, self._customer_condition())

    @staticmethod
    def same_customer(
        statement: Select[Any], target: Any, *conditions: Any, outer: bool = False
    ) -> Select[Any]:
        """Join another customer-owned row (``target``, a registered table or an alias of
        one) of the customer the statement already selects from."""
        return statement.join(
            target, and_(target.customer_id == Customer.id, *conditions), isouter=outer
        )

    def owned_update(self, model: Any) -> Update:
        """``update(model)`` limited to the rows :meth:`owned` selects."""
        return update(model).where(model.id.in_(self.owned(model, model.id)))

    def of_customers_update(self, model: Any) -> Update:
        """``update(model)`` limited to the rows :meth:`of_customers` selects."""
        return update(model).where(model.id.in_(self.of_customers(model, model.id)))


class ScopedRepository(_OwnedRows):
    """Base for repositories that read customer-owned rows for a member of staff: every
    statement starts from :meth:`owned`, :meth:`customers` or :meth:`of_customers`, which
    narrow it to the viewer."""

    def __init__(self, session: Session, viewer: StaffUser) -> None:
        self.session = session
        self.viewer = viewer

    def _own_condition(self, ownership: Ownership) -> ColumnElement[bool] | None:
        return ownership.own_condition(self.viewer)

    def _customer_condition(self) -> ColumnElement[bool] | None:
        return customer_scope(self.viewer)


class SystemRepository(_OwnedRows):
    """Base for the statements of jobs that act for the whole bank rather than for a member
    of staff: the analytics runs and the tasks they raise, the complaint sweep and its
    training, the survey reminders and the respondent's one-time link, batch exports and the
    demo. Its base selects keep every row; a subclass's name ends in ``SystemRepository``
    so that every read without a viewer says so where it is used."""

    SUFFIX: ClassVar[str] = "SystemRepository"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.endswith(SystemRepository.SUFFIX):
            raise TypeError(f"{cls.__name__}: a system repository's name ends in SystemRepository")

    def __init__(self, session: Session) -> None:
        self.session = session

    def _own_condition(self, ownership: Ownership) -> ColumnElement[bool] | None:
        return None

    def _customer_condition(self) -> ColumnElement[bool] | None:
        return None
