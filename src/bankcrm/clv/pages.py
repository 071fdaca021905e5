"""The lifetime-value pages: the most valuable customers the user sees with CLV by quadrant,
and for the analyst the models' parameters, their holdout check and CLV by quadrant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.clv import service
from bankcrm.clv.schemas import ClvByQuadrantRead, ClvValidationRead
from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import NotFound
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.segmentation import pages as segmentation_pages
from bankcrm.web.deps import PageAnalyticsModels, PageAnalyticsRead
from bankcrm.web.filters import chosen_day
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter(prefix="/clv")

Filter = Annotated[str | None, Query(max_length=16)]

BGNBD_PARAMS = (("r", "r"), ("alpha", "α"), ("a", "a"), ("b", "b"))
GAMMA_GAMMA_PARAMS = (("p", "p"), ("q", "q"), ("gamma", "γ"))


def _params(values: dict[str, Any], names: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    return [
        {"name": symbol, "value": values[key]}
        for key, symbol in names
        if isinstance(values.get(key), int | float)
    ]


def _chart(
    validation: ClvValidationRead | None, by_quadrant: ClvByQuadrantRead | None, locale: str
) -> dict[str, Any]:
    """What clv.js draws: the two validation charts and mean CLV per quadrant."""
    text = {
        "actual": gettext(locale, "Actual"),
        "expected": gettext(locale, "Expected (BG/NBD)"),
        "bucket": gettext(locale, "Repeat transactions in calibration"),
        "per_customer": gettext(locale, "Mean holdout transactions per customer"),
        "week": gettext(locale, "Week"),
        "cumulative": gettext(locale, "Cumulative repeat transactions"),
        "holdout": gettext(locale, "Holdout begins"),
        "mean_clv": gettext(locale, "Mean CLV (¥)"),
    }
    chart: dict[str, Any] = {"text": text, "validation": None, "quadrants": None}
    if validation is not None:
        holdout = next((point.unit for point in validation.tracking if point.in_holdout), None)
        chart["validation"] = {
            "buckets": [bucket.label for bucket in validation.buckets],
            "bucket_actual": [round(bucket.actual, 3) for bucket in validation.buckets],
            "bucket_expected": [round(bucket.expected, 3) for bucket in validation.buckets],
            "units": [point.unit for point in validation.tracking],
            "tracking_actual": [round(point.actual, 1) for point in validation.tracking],
            "tracking_expected": [round(point.expected, 1) for point in validation.tracking],
            "holdout_unit": holdout,
        }
    if by_quadrant is not None and by_quadrant.quadrants:
        chart["quadrants"] = {
            "labels": [label_for(row.quadrant, locale) for row in by_quadrant.quadrants],
            "colours": [
                segmentation_pages.QUADRANT_COLOURS[row.quadrant] for row in by_quadrant.quadrants
            ],
            "mean_clv": [float(row.mean_clv) for row in by_quadrant.quadrants],
        }
    return chart


@router.get("", response_class=HTMLResponse)
def most_valuable(
    request: Request,
    session: DbSession,
    user: PageAnalyticsRead,
    as_of: Filter = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Response:
    """The customers the user sees by lifetime value (for an account manager: "my most
    valuable customers"), and CLV by quadrant; the models' figures are on ``/clv/model``."""
    runs = service.run_dates(session)
    if not runs:
        return render(request, "clv/valuable.html", {"runs": runs})
    day = chosen_day(as_of, runs) or runs[0]
    result = service.most_valuable(session, user=user, as_of=day, page=page, page_size=page_size)
    try:
        by_quadrant: ClvByQuadrantRead | None = service.value_by_quadrant(
            session, user=user, as_of=day
        )
    except NotFound:
        by_quadrant = None
    return render(
        request,
        "clv/valuable.html",
        {
            "runs": runs,
            "as_of": day,
            "result": result,
            "by_quadrant": by_quadrant,
            "query": {"as_of": day.isoformat(), "page_size": page_size},
            "sees_model": has_permission(user.role, Permission.ANALYTICS_MODELS),
            "chart": _chart(None, by_quadrant, request_locale(request)),
        },
    )


@router.get("/model", response_class=HTMLResponse)
def lifetime_value_model(
    request: Request, session: DbSession, user: PageAnalyticsModels, as_of: Filter = None
) -> Response:
    """For the analyst: the models' parameters, their holdout check, CLV and P(alive) by
    quadrant."""
    runs = service.run_dates(session)
    if not runs:
        return render(request, "clv/validation.html", {"runs": runs})
    day = chosen_day(as_of, runs) or runs[0]
    try:
        validation: ClvValidationRead | None = service.clv_validation(session, as_of=day)
    except NotFound:
        validation = None
    try:
        by_quadrant: ClvByQuadrantRead | None = service.value_by_quadrant(
            session, user=user, as_of=day
        )
    except NotFound:
        by_quadrant = None
    params = validation.params if validation else {}
    locale = request_locale(request)
    return render(
        request,
        "clv/validation.html",
        {
            "runs": runs,
            "as_of": day,
            "validation": validation,
            "by_quadrant": by_quadrant,
            "bgnbd": _params(params.get("bgnbd", {}), BGNBD_PARAMS),
            "gammagamma": _params(params.get("gammagamma", {}), GAMMA_GAMMA_PARAMS),
            "bgnbd_customers": params.get("bgnbd", {}).get("customers"),
            "chart": _chart(validation, by_quadrant, locale),
        },
    )
