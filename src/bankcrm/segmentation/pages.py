"""The customer matrix page and the list of a quadrant's customers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import CustomerType, Quadrant
from bankcrm.core.exceptions import NotFound
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.core.workbook import attachment
from bankcrm.segmentation import export, service
from bankcrm.segmentation.playbooks import PLAYBOOKS
from bankcrm.segmentation.schemas import DEFAULT_SEGMENT_SORT, SegmentSort
from bankcrm.staff.models import StaffUser
from bankcrm.web.deps import PageAnalyticsRead
from bankcrm.web.filters import ScopeFilters, chosen_day, chosen_sort, scope_filters, sort_text
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter(prefix="/segments")

QUADRANT_COLOURS = {
    Quadrant.LOYAL: "#198754",
    Quadrant.PROBLEM_1: "#0d6efd",
    Quadrant.PROBLEM_2: "#dc3545",
    Quadrant.ORDINARY: "#6c757d",
}
Filter = Annotated[str | None, Query(max_length=16)]


@router.get("", response_class=HTMLResponse)
def matrix(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    as_of: Filter = None,
    customer_type: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
) -> Response:
    locale = request_locale(request)
    runs = service.run_dates(session)
    chosen_type = (
        CustomerType(customer_type)
        if customer_type in set(CustomerType)
        else CustomerType.INDIVIDUAL
    )
    filters = scope_filters(session, user, branch_id=branch_id, manager_id=manager_id)
    context: dict[str, Any] = {
        "runs": runs,
        "customer_types": list(CustomerType),
        "customer_type": chosen_type.value,
        "branches": filters.branches,
        "managers": filters.managers,
        "branch_id": filters.branch_id,
        "manager_id": filters.manager_id,
        "playbooks": [
            {
                "quadrant": quadrant,
                "colour": QUADRANT_COLOURS[quadrant],
                "name": playbook.name.text(locale),
                "who": playbook.who.text(locale),
                "strategy": playbook.strategy.text(locale),
                "practices": [practice.text(locale) for practice in playbook.practices],
            }
            for quadrant, playbook in PLAYBOOKS.items()
        ],
    }
    if not runs:
        return render(request, "segments/matrix.html", context | {"summary": None})
    day = chosen_day(as_of, runs) or runs[0]
    summary = service.segment_summary(
        session,
        user=user,
        as_of=day,
        customer_type=chosen_type,
        branch_id=filters.branch_id,
        manager_id=filters.manager_id,
    )
    points = service.segment_points(
        session,
        user=user,
        as_of=day,
        customer_type=chosen_type,
        branch_id=filters.branch_id,
        manager_id=filters.manager_id,
    )
    try:
        migration = service.segment_migration(
            session, user=user, settings=get_settings(), to_as_of=day
        )
    except NotFound:
        migration = None
    labels = {quadrant.value: label_for(quadrant, locale) for quadrant in Quadrant}
    shown = [point for point in points.points if point.business_share > 0]
    chart = {
        "labels": labels,
        "colours": {quadrant.value: colour for quadrant, colour in QUADRANT_COLOURS.items()},
        "axis": {
            "share": gettext(locale, "Business share (log scale)"),
            "loyalty": gettext(locale, "Loyalty index"),
            "population": gettext(locale, "Share of customers"),
            "volume": gettext(locale, "Share of business volume"),
            "equality": gettext(locale, "Line of equality"),
            "lorenz": gettext(locale, "Lorenz curve"),
            "from": gettext(locale, "Quadrant before"),
            "to": gettext(locale, "Quadrant after"),
        },
        "points": [
            {
                "id": point.customer_id,
                "name": point.name,
                "quadrant": point.quadrant.value,
                "x": round(math.log10(point.business_share), 4),
                "y": round(point.loyalty_index, 2),
            }
            for point in shown
        ],
        "share_cut": math.log10(points.share_cut) if points.share_cut else None,
        "loyalty_cut": points.loyalty_cut,
        "lorenz": summary.lorenz.model_dump(),
        "migration": (
            {
                "quadrants": [quadrant.value for quadrant in Quadrant],
                "cells": [
                    [
                        list(Quadrant).index(cell.target),
                        list(Quadrant).index(cell.source),
                        cell.customers,
                    ]
                    for cell in migration.transitions
                ],
            }
            if migration
            else None
        ),
    }
    return render(
        request,
        "segments/matrix.html",
        context
        | {
            "summary": summary,
            "as_of": day,
            "points": points,
            "points_shown": len(shown),
            "migration": migration,
            "chart": chart,
        },
    )


@dataclass(frozen=True)
class QuadrantChoice:
    """The quadrant list's run, quadrant, filters and order as chosen, limited to what the
    viewer may pick; what is garbled or not offered is ignored (the default order: largest
    business volume first)."""

    as_of: date | None
    quadrant: Quadrant | None
    customer_type: CustomerType | None
    filters: ScopeFilters
    sort: SegmentSort
    descending: bool

    def query(self, as_of: date) -> dict[str, str | int]:
        """The choice as the query string of the list, its pages and its export."""
        return {
            "quadrant": self.quadrant.value if self.quadrant else "",
            "as_of": as_of.isoformat(),
            "customer_type": self.customer_type.value if self.customer_type else "",
            "branch_id": self.filters.branch_id or "",
            "manager_id": self.filters.manager_id or "",
        }


def _quadrant_choice(
    session: Session,
    user: StaffUser,
    *,
    quadrant: str | None,
    as_of: str | None,
    customer_type: str | None,
    branch_id: str | None,
    manager_id: str | None,
    sort: str | None,
) -> QuadrantChoice:
    key, descending = chosen_sort(sort, SegmentSort, DEFAULT_SEGMENT_SORT)
    return QuadrantChoice(
        as_of=chosen_day(as_of, service.run_dates(session)),
        quadrant=Quadrant(quadrant) if quadrant in set(Quadrant) else None,
        customer_type=CustomerType(customer_type) if customer_type in set(CustomerType) else None,
        filters=scope_filters(session, user, branch_id=branch_id, manager_id=manager_id),
        sort=key,
        descending=descending,
    )


@router.get("/customers", response_class=HTMLResponse)
def quadrant_customers(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    quadrant: Filter = None,
    as_of: Filter = None,
    customer_type: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
    sort: Filter = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """A quadrant's customers (or all four quadrants'), with their count, sorted by a column
    heading."""
    choice = _quadrant_choice(
        session,
        user,
        quadrant=quadrant,
        as_of=as_of,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
    )
    result = service.segment_customers(
        session,
        user=user,
        as_of=choice.as_of,
        quadrant=choice.quadrant,
        customer_type=choice.customer_type,
        branch_id=choice.filters.branch_id,
        manager_id=choice.filters.manager_id,
        sort=choice.sort,
        descending=choice.descending,
        page=page,
        page_size=page_size,
    )
    query = choice.query(result.as_of)
    chosen = sort_text(choice.sort, choice.descending)
    return render(
        request,
        "segments/customers.html",
        {
            "result": result,
            "quadrant": choice.quadrant,
            "query": query,
            "sort": chosen,
            "page_query": query | {"sort": chosen, "page_size": page_size},
            "export_query": query | {"sort": chosen},
        },
    )


@router.get("/customers/export.xlsx")
def export_quadrant_customers(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    quadrant: Filter = None,
    as_of: Filter = None,
    customer_type: Filter = None,
    branch_id: Filter = None,
    manager_id: Filter = None,
    sort: Filter = None,
) -> Response:
    """The quadrant list as a workbook, with the page's run, filters and order; audited, as
    it names the customers."""
    choice = _quadrant_choice(
        session,
        user,
        quadrant=quadrant,
        as_of=as_of,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
    )
    exported = service.export_segment_customers(
        session,
        user=user,
        as_of=choice.as_of,
        quadrant=choice.quadrant,
        customer_type=choice.customer_type,
        branch_id=choice.filters.branch_id,
        manager_id=choice.filters.manager_id,
        sort=choice.sort,
        descending=choice.descending,
    )
    return Response(
        export.workbook(exported, request_locale(request)),
        media_type=export.XLSX_MEDIA_TYPE,
        headers=attachment(export.filename(exported)),
    )
