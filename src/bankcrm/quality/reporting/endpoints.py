"""REST: the survey-wave report as JSON, Excel or PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bankcrm.core.pagination import RowId
from bankcrm.quality.reporting import export
from bankcrm.web.deps import DbSession, QualityRead

router = APIRouter(prefix="/quality", tags=["quality"])

MinRespondents = Annotated[int | None, Query(ge=1, le=1000)]
MEDIA_TYPES = ("application/json", export.XLSX_MEDIA_TYPE, export.PDF_MEDIA_TYPE)


@router.get(
    "/waves/{wave_id}/report",
    response_class=Response,
    responses={200: {"content": {media_type: {} for media_type in MEDIA_TYPES}}},
)
def wave_report(
    session: DbSession,
    user: QualityRead,
    wave_id: RowId,
    file_format: Annotated[str, Query(alias="format", pattern="^(json|xlsx|pdf)$")] = "json",
    locale: Annotated[str, Query(pattern="^(zh_CN|en)$")] = "zh_CN",
    min_respondents: MinRespondents = None,
) -> Response:
    """The report of a survey wave: respondents and response rate; for SERVQUAL per item
    and dimension E, P, gap P − E with confidence intervals, unweighted and weighted scores,
    Cronbach's α, the importance–performance grid, the branch league table (branches with
    fewer than ``min_respondents`` complete respondents marked, not ranked), breakdowns by
    customer segment and month, the change against the previous wave with Welch's test and
    the trend over waves; for CSAT and NPS the score, its interval and the monthly trend."""
    return export.render(
        session,
        user=user,
        wave_id=wave_id,
        file_format=file_format,
        locale=locale,
        min_branch_respondents=min_respondents,
    )
