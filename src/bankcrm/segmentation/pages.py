"""The customer matrix page and the list of a quadrant's customers."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.enums import CustomerType, Quadrant
from bankcrm.core.exceptions import NotFound
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.segmentation import service
from bankcrm.segmentation.playbooks import PLAYBOOKS
from bankcrm.web.deps import PageAnalyticsRead
from bankcrm.web.filters import chosen_day, scope_filters
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
                "name": playbook.name.get(locale),
                "who": playbook.who.get(locale),
                "strategy": playbook.strategy.get(locale),
                "practices": [practice.get(locale) for practice in playbook.practices],
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
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    runs = service.run_dates(session)
    chosen_quadrant = Quadrant(quadrant) if quadrant in set(Quadrant) else None
    chosen_type = CustomerType(customer_type) if customer_type in set(CustomerType) else None
    filters = scope_filters(session, user, branch_id=branch_id, manager_id=manager_id)
    result = service.segment_customers(
        session,
        user=user,
        as_of=chosen_day(as_of, runs),
        quadrant=chosen_quadrant,
        customer_type=chosen_type,
        branch_id=filters.branch_id,
        manager_id=filters.manager_id,
        page=page,
        page_size=page_size,
    )
    query = {
        "quadrant": chosen_quadrant.value if chosen_quadrant else "",
        "as_of": result.as_of.isoformat(),
        "customer_type": chosen_type.value if chosen_type else "",
        "branch_id": filters.branch_id or "",
        "manager_id": filters.manager_id or "",
    }
    return render(
        request,
        "segments/customers.html",
        {"result": result, "quadrant": chosen_quadrant, "query": query},
    )
