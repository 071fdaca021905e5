from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.enums import CustomerType
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.customers import service
from bankcrm.customers.schemas import (
    Customer360Read,
    CustomerPage,
    CustomerPickRead,
    PersonalDataRead,
    RevealCreate,
)
from bankcrm.web.deps import CustomersRead, DbSession, PersonalDataReveal

router = APIRouter(prefix="/customers", tags=["customers"])

# PostgreSQL refuses NUL in text; no search needs control characters
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]*$"


@router.get("", response_model=CustomerPage)
def list_customers(
    session: DbSession,
    user: CustomersRead,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=NO_CONTROL_CHARACTERS,
            description="Name, number or phone prefix",
        ),
    ] = None,
    customer_type: CustomerType | None = None,
    branch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    manager_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> CustomerPage:
    """The customers the caller may see: an account manager's book, a branch, or all."""
    return service.list_customers(
        session,
        user=user,
        search=q,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        page=page,
        page_size=page_size,
    )


@router.get("/search", response_model=list[CustomerPickRead])
def search_customers(
    session: DbSession,
    user: CustomersRead,
    q: Annotated[
        str,
        Query(
            min_length=service.PICK_MIN_LENGTH,
            max_length=100,
            pattern=NO_CONTROL_CHARACTERS,
            description="Part of the name, start of the customer number (C… or its digits), "
            "or the phone number",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=service.PICK_MAX_LIMIT)] = 10,
) -> list[CustomerPickRead]:
    """A few customers the caller may see, for the search-as-you-type picker of a form."""
    return service.pick_customers(session, user=user, search=q, limit=limit)


@router.get("/{customer_id}", response_model=Customer360Read)
def read_customer(session: DbSession, user: CustomersRead, customer_id: RowId) -> Customer360Read:
    """The customer 360 view; a customer outside the caller's scope is answered 404."""
    return service.get_customer_360(session, user=user, customer_id=customer_id)


@router.post("/{customer_id}/reveal", response_model=PersonalDataRead)
def reveal_personal_data(
    session: DbSession,
    user: PersonalDataReveal,
    customer_id: RowId,
    body: RevealCreate,
) -> PersonalDataRead:
    """Unmask one customer's contact data, giving the reason; the read is audited."""
    return service.reveal_personal_data(
        session, user=user, customer_id=customer_id, reason=body.reason
    )
