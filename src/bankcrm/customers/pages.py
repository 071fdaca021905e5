"""The customer list and the customer 360 page."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from bankcrm.campaigns import service as campaigns_service
from bankcrm.churn import service as churn_service
from bankcrm.clv import service as clv_service
from bankcrm.complaints import service as complaints_service
from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import STORABLE_TEXT
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import CampaignChannel, CustomerType
from bankcrm.core.exceptions import NotFound
from bankcrm.core.inputs import FormText
from bankcrm.core.pagination import MAX_PAGE_SIZE, RowId
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.core.workbook import attachment
from bankcrm.credit import service as credit_service
from bankcrm.customers import export, service
from bankcrm.customers.endpoints import NO_CONTROL_CHARACTERS
from bankcrm.customers.schemas import DEFAULT_CUSTOMER_SORT, CustomerSort, PersonalDataRead
from bankcrm.offers import service as offers_service
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.segmentation import service as segmentation_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageCustomersRead, PagePersonalDataReveal
from bankcrm.web.filters import ScopeFilters, chosen_sort, scope_filters, sort_text
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.security import check_csrf
from bankcrm.web.templating import render

CUSTOMER_COMPLAINTS = 10
"""Cases shown on the customer 360, the earliest deadline first."""
CUSTOMER_SALES = 5
"""Sales shown on the customer 360, the newest first."""

router = APIRouter(prefix="/customers")

SearchText = Annotated[str | None, Query(max_length=100, pattern=NO_CONTROL_CHARACTERS)]
TypeFilter = Annotated[str | None, Query(max_length=16)]
IdFilter = Annotated[str | None, Query(max_length=12)]
SortQuery = Annotated[str | None, Query(max_length=16)]
"""A column of :class:`CustomerSort`, ``-`` before it for descending; anything else is
ignored and the list keeps its default order (by name)."""


@dataclass(frozen=True)
class ListChoice:
    """The list's search, filters and order as chosen, limited to what the viewer may pick."""

    search: str | None
    customer_type: CustomerType | None
    filters: ScopeFilters
    sort: CustomerSort
    descending: bool

    def query(self) -> dict[str, str | int]:
        """The choice as the query string of the list, its pages and its export."""
        return {
            "q": self.search or "",
            "customer_type": self.customer_type.value if self.customer_type else "",
            "branch_id": self.filters.branch_id or "",
            "manager_id": self.filters.manager_id or "",
            "sort": sort_text(self.sort, self.descending),
        }


def _choice(
    session: Session,
    user: StaffUser,
    *,
    q: str | None,
    customer_type: str | None,
    branch_id: str | None,
    manager_id: str | None,
    sort: str | None,
) -> ListChoice:
    key, descending = chosen_sort(sort, CustomerSort, DEFAULT_CUSTOMER_SORT)
    return ListChoice(
        search=q,
        customer_type=CustomerType(customer_type) if customer_type in set(CustomerType) else None,
        filters=scope_filters(session, user, branch_id=branch_id, manager_id=manager_id),
        sort=key,
        descending=descending,
    )


@router.get("", response_class=HTMLResponse)
def customer_list(
    request: Request,
    session: DbSession,
    user: PageCustomersRead,
    q: SearchText = None,
    customer_type: TypeFilter = None,
    branch_id: IdFilter = None,
    manager_id: IdFilter = None,
    sort: SortQuery = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """The customers the viewer sees, with their count, sorted by a column heading."""
    choice = _choice(
        session,
        user,
        q=q,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
    )
    filters = choice.filters
    result = service.list_customers(
        session,
        user=user,
        search=q,
        customer_type=choice.customer_type,
        branch_id=filters.branch_id,
        manager_id=filters.manager_id,
        sort=choice.sort,
        descending=choice.descending,
        page=page,
        page_size=page_size,
    )
    query = choice.query()
    return render(
        request,
        "customers/list.html",
        {
            "result": result,
            "q": q or "",
            "customer_type": choice.customer_type.value if choice.customer_type else "",
            "customer_types": list(CustomerType),
            "show_manager": ROLE_SCOPE[user.role] is not Scope.OWN_BOOK,
            "branches": filters.branches,
            "managers": filters.managers,
            "branch_id": filters.branch_id,
            "manager_id": filters.manager_id,
            "sort": query["sort"],
            "query": {key: value for key, value in query.items() if key != "sort"},
            "page_query": query | {"page_size": page_size},
            "export_query": query,
        },
    )


@router.get("/export.xlsx")
def export_customer_list(
    request: Request,
    session: DbSession,
    user: PageCustomersRead,
    q: SearchText = None,
    customer_type: TypeFilter = None,
    branch_id: IdFilter = None,
    manager_id: IdFilter = None,
    sort: SortQuery = None,
) -> Response:
    """The list as a workbook, with the page's search, filters and order; audited, as it
    names the customers."""
    choice = _choice(
        session,
        user,
        q=q,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
    )
    exported = service.export_customers(
        session,
        user=user,
        search=q,
        customer_type=choice.customer_type,
        branch_id=choice.filters.branch_id,
        manager_id=choice.filters.manager_id,
        sort=choice.sort,
        descending=choice.descending,
    )
    return Response(
        export.workbook(exported, request_locale(request)),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=attachment(export.filename(clock.bank_today())),
    )


@router.get("/search")
def customer_search(
    session: DbSession,
    user: PageCustomersRead,
    q: Annotated[
        str,
        Query(min_length=service.PICK_MIN_LENGTH, max_length=100, pattern=NO_CONTROL_CHARACTERS),
    ],
    limit: Annotated[int, Query(ge=1, le=service.PICK_MAX_LIMIT)] = 10,
) -> JSONResponse:
    """The customer picker's suggestions (``static/js/customer_picker.js``), as JSON; a term
    it refuses is answered 422 with the reason, as the API does."""
    found = service.pick_customers(session, user=user, search=q, limit=limit)
    return JSONResponse([customer.model_dump() for customer in found])


@router.get("/{customer_id}", response_class=HTMLResponse)
def customer_360(
    request: Request,
    session: DbSession,
    user: PageCustomersRead,
    customer_id: RowId,
) -> Response:
    return _render_360(request, session, user, customer_id, revealed=None)


@router.post("/{customer_id}/reveal", response_class=HTMLResponse)
async def reveal_personal_data(
    request: Request,
    session: DbSession,
    user: PagePersonalDataReveal,
    customer_id: RowId,
    reason: Annotated[FormText, Form(max_length=300, pattern=STORABLE_TEXT)] = "",
) -> Response:
    """The customer 360 with contact data unmasked, for the reason given (audited)."""
    await check_csrf(request)
    revealed = service.reveal_personal_data(
        session, user=user, customer_id=customer_id, reason=reason
    )
    return _render_360(request, session, user, customer_id, revealed=revealed)


def _render_360(
    request: Request,
    session: Session,
    user: StaffUser,
    customer_id: int,
    *,
    revealed: PersonalDataRead | None,
) -> Response:
    view = service.get_customer_360(
        session, user=user, customer_id=customer_id, locale=request_locale(request)
    )
    profile = view.profile
    if revealed is not None:
        profile = profile.model_copy(update=revealed.model_dump(exclude={"id", "name"}))
    flows = {
        "months": [flow.month for flow in view.monthly_flows],
        "inflow": [float(flow.inflow) for flow in view.monthly_flows],
        "outflow": [float(flow.outflow) for flow in view.monthly_flows],
    }
    locale = request_locale(request)
    segment = value = churn = None
    if has_permission(user.role, Permission.ANALYTICS_READ):
        with suppress(NotFound):
            segment = segmentation_service.customer_segment(
                session, user=user, customer_id=customer_id
            )
        with suppress(NotFound):
            value = clv_service.customer_value(session, user=user, customer_id=customer_id)
        with suppress(NotFound):
            churn = churn_service.customer_churn(
                session, user=user, customer_id=customer_id, locale=locale
            )
    complaints = (
        complaints_service.list_complaints(
            session, user=user, customer_id=customer_id, page_size=CUSTOMER_COMPLAINTS
        )
        if has_permission(user.role, Permission.COMPLAINTS_READ)
        else None
    )
    offers = assessment = None
    if has_permission(user.role, Permission.OFFERS_SELL):
        offers = offers_service.offers_for(
            session,
            user=user,
            settings=get_settings().offers,
            customer_id=customer_id,
            locale=locale,
        )
        history = offers_service.assessments(session, user=user, customer_id=customer_id)
        assessment = history[0] if history else None
    sales = (
        offers_service.list_sales(
            session, user=user, locale=locale, customer_id=customer_id, page_size=CUSTOMER_SALES
        )
        if has_permission(user.role, Permission.OFFERS_READ)
        else None
    )
    credit = (
        credit_service.customer_credit(session, user=user, customer_id=customer_id)
        if has_permission(user.role, Permission.CREDIT_READ)
        else None
    )
    marketing = (
        campaigns_service.customer_marketing(session, user=user, customer_id=customer_id)
        if has_permission(user.role, Permission.CAMPAIGNS_CONTACT)
        or has_permission(user.role, Permission.CAMPAIGNS_READ)
        else None
    )
    radar = (
        {
            "factors": [label_for(factor.factor, locale) for factor in segment.factors],
            "scores": [round(factor.score, 1) for factor in segment.factors],
        }
        if segment
        else None
    )
    return render(
        request,
        "customers/detail.html",
        {
            "view": view,
            "profile": profile,
            "masked": view.personal_data_masked and revealed is None,
            "can_reveal": has_permission(user.role, Permission.PERSONAL_DATA_REVEAL),
            "flows": flows,
            "segment": segment,
            "complaints": complaints,
            "complaint_labels": complaints_service.taxonomy(),
            "may_register_complaint": has_permission(user.role, Permission.COMPLAINTS_HANDLE),
            "radar": radar,
            "value": value,
            "churn": churn,
            "offers": offers,
            "assessment": assessment,
            "sales": sales,
            "may_sell": has_permission(user.role, Permission.OFFERS_SELL),
            "credit": credit,
            "may_assess_credit": has_permission(user.role, Permission.CREDIT_ASSESS),
            "marketing": marketing,
            "marketing_channels": list(CampaignChannel),
            "may_record_consent": has_permission(user.role, Permission.CAMPAIGNS_CONTACT),
        },
    )
