"""All SQL of privacy requests: scoped lookups, the customer's records, erasure."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased

from bankcrm.accounts.models import Account, Holding, Transaction
from bankcrm.complaints.models import Complaint, ComplaintEvent, ComplaintRecovery
from bankcrm.core.enums import AccountStatus, PrivacyRequestStatus
from bankcrm.customers.models import Customer, Interaction, Note
from bankcrm.privacy.fields import ERASED_TEXT
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.quality.models import SurveyResponse
from bankcrm.scope import ScopedRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

OPEN_STATUSES = (PrivacyRequestStatus.RECEIVED,)

RequestWithNames = tuple[PrivacyRequest, str, str, str | None]
"""A request with its customer's name, its maker's and its checker's username."""


class PrivacyRepository(ScopedRepository):
    """Requests of the customers the viewer may see, and those customers' rows: a request
    covers everything the bank keeps about its customer, whichever branch holds it."""

    def customer(self, customer_id: int) -> Customer | None:
        statement = self.customers().where(Customer.id == customer_id)
        return self.session.scalars(statement).first()

    def _with_names(self) -> Any:
        maker = aliased(StaffUser)
        checker = aliased(StaffUser)
        return (
            self.owned(
                PrivacyRequest, PrivacyRequest, Customer.name, maker.username, checker.username
            )
            .join(maker, maker.id == PrivacyRequest.requested_by_id)
            .outerjoin(checker, checker.id == PrivacyRequest.decided_by_id)
        )

    def get(self, request_id: int) -> RequestWithNames | None:
        statement = self._with_names().where(PrivacyRequest.id == request_id)
        row = self.session.execute(statement).first()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def page(
        self,
        *,
        status: PrivacyRequestStatus | None,
        overdue_on: date | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RequestWithNames], int]:
        conditions = []
        if status is not None:
            conditions.append(PrivacyRequest.status == status)
        if overdue_on is not None:
            conditions.append(PrivacyRequest.status.in_(OPEN_STATUSES))
            conditions.append(PrivacyRequest.due_on < overdue_on)
        count = self.owned(PrivacyRequest, func.count()).where(*conditions)
        total = int(self.session.scalar(count) or 0)
        statement = (
            self._with_names()
            .where(*conditions)
            .order_by(PrivacyRequest.due_on, PrivacyRequest.id)
            .offset(offset)
            .limit(limit)
        )
        rows = self.session.execute(statement)
        return [(row[0], row[1], row[2], row[3]) for row in rows], total

    def open_account_count(self, customer_id: int) -> int:
        statement = self.of_customers(Account, func.count()).where(
            Account.customer_id == customer_id, Account.status != AccountStatus.CLOSED
        )
        return int(self.session.scalar(statement) or 0)

    def last_closed_on(self, customer_id: int) -> date | None:
        statement = self.of_customers(Account, func.max(Account.closed_on)).where(
            Account.customer_id == customer_id
        )
        return self.session.scalar(statement)

    def records(self, customer_id: int) -> dict[str, list[Any]]:
        """Every row the bank keeps about the customer, table by table (for an access request)."""
        models: dict[str, Any] = {
            "accounts": Account,
            "holdings": Holding,
            "interactions": Interaction,
            "notes": Note,
            "tasks": Task,
            "complaints": Complaint,
            "survey_responses": SurveyResponse,
        }
        found: dict[str, list[Any]] = {
            name: list(
                self.session.scalars(
                    self.of_customers(model)
                    .where(model.customer_id == customer_id)
                    .order_by(model.id)
                )
            )
            for name, model in models.items()
        }
        found["transactions"] = list(
            self.session.scalars(
                self.of_customers(Transaction)
                .where(Transaction.customer_id == customer_id)
                .order_by(Transaction.booked_at, Transaction.id)
            )
        )
        return found

    def erase_related_text(self, customer_id: int) -> None:
        """Free text about the customer goes; the rows (and what they count) stay."""
        for statement in (
            self.of_customers_update(Interaction)
            .where(Interaction.customer_id == customer_id)
            .values(subject=None, outcome=None, notes=None),
            self.of_customers_update(Note)
            .where(Note.customer_id == customer_id)
            .values(body=ERASED_TEXT),
            self.of_customers_update(Complaint)
            .where(Complaint.customer_id == customer_id)
            .values(text=ERASED_TEXT, reply=None, extension_reason=None),
            self.of_customers_update(ComplaintEvent)
            .where(ComplaintEvent.id.in_(self._of_complaints(ComplaintEvent, customer_id)))
            .values(text=None),
            self.of_customers_update(ComplaintRecovery)
            .where(ComplaintRecovery.id.in_(self._of_complaints(ComplaintRecovery, customer_id)))
            .values(note=None),
            self.of_customers_update(PrivacyRequest)
            .where(PrivacyRequest.customer_id == customer_id)
            .values(note=None, corrections=None),
        ):
            self.session.execute(statement, execution_options={"synchronize_session": False})

    def _of_complaints(self, model: Any, customer_id: int) -> Any:
        """Ids of ``model``'s rows (events or recoveries) on the customer's cases."""
        return self.of_customers(model, model.id).where(Complaint.customer_id == customer_id)
