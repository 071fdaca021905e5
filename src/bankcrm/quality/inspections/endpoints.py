from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bankcrm.core.enums import InspectionKind
from bankcrm.core.inputs import Day
from bankcrm.core.pagination import MAX_ID, MAX_PAGE_SIZE, RowId
from bankcrm.quality.inspections import service
from bankcrm.quality.inspections.checklist import Answer
from bankcrm.quality.inspections.schemas import (
    CatalogueLoadRead,
    ChecklistRead,
    InspectionCreate,
    InspectionDetail,
    InspectionRead,
    ScoreBoard,
    ScoreGroup,
    StandardCreate,
    StandardRead,
    StandardUpdate,
)
from bankcrm.web.deps import DbSession, QualityInspect, QualityManage, QualityRead

router = APIRouter(prefix="/quality", tags=["quality"])

MEASURE_FIELDS = {"unit", "target", "direction"}


@router.get("/standards", response_model=list[StandardRead])
def list_standards(
    session: DbSession, user: QualityRead, include_inactive: bool = True
) -> list[StandardRead]:
    """The service standards catalogue, by code."""
    return service.list_standards(session, include_inactive=include_inactive)


@router.post("/standards", response_model=StandardRead, status_code=201)
def create_standard(session: DbSession, user: QualityManage, body: StandardCreate) -> StandardRead:
    """A new standard; a code in use is a 409. Give unit, target and direction together for
    a measured standard, none of them for a yes/no check."""
    return service.create_standard(
        session,
        user=user,
        measure=service.Measure(unit=body.unit, target=body.target, direction=body.direction),
        **body.model_dump(exclude=MEASURE_FIELDS),
    )


@router.post("/standards/catalogue", response_model=CatalogueLoadRead)
def load_catalogue(session: DbSession, user: QualityManage) -> CatalogueLoadRead:
    """Add the shipped standards that are missing and restore the shipped wording and
    targets of the others; the bank's own standards and every active flag stay."""
    return service.load_standard_catalogue(session)


@router.patch("/standards/{standard_id}", response_model=StandardRead)
def update_standard(
    session: DbSession, user: QualityManage, standard_id: RowId, body: StandardUpdate
) -> StandardRead:
    """Edit or deactivate (``active: false``) a standard; a stale ``version`` is a 409."""
    return service.update_standard(
        session,
        user=user,
        standard_id=standard_id,
        measure=(
            service.Measure(unit=body.unit, target=body.target, direction=body.direction)
            if body.model_fields_set & MEASURE_FIELDS
            else None
        ),
        **body.model_dump(exclude=MEASURE_FIELDS),
    )


@router.get("/inspections/checklist", response_model=ChecklistRead)
def inspection_checklist(
    session: DbSession, user: QualityRead, kind: InspectionKind
) -> ChecklistRead:
    """The standards an inspection of ``kind`` answers, category by category."""
    return ChecklistRead(kind=kind, standards=service.checklist(session, kind))


@router.get("/inspections/scores", response_model=ScoreBoard)
def inspection_scores(
    session: DbSession,
    user: QualityRead,
    group: ScoreGroup = "branch",
    since: Day | None = None,
    until: Day | None = None,
    kind: InspectionKind | None = None,
) -> ScoreBoard:
    """Scores (passed ÷ checked × 100) per branch or staff member over the period (the last
    90 days unless chosen), best first; branch rows list their weakest standards. A branch
    manager's scores are of their branch's inspections."""
    return service.scores(session, user=user, group=group, since=since, until=until, kind=kind)


@router.get("/inspections", response_model=list[InspectionRead])
def list_inspections(
    session: DbSession,
    user: QualityRead,
    since: Day | None = None,
    until: Day | None = None,
    kind: InspectionKind | None = None,
    branch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = service.RECENT_LIMIT,
) -> list[InspectionRead]:
    """Inspections of the period (the last 90 days unless chosen), latest first; a branch
    manager's are their branch's."""
    return service.list_inspections(
        session, user=user, since=since, until=until, kind=kind, branch_id=branch_id, limit=limit
    )


@router.post("/inspections", response_model=InspectionDetail, status_code=201)
def record_inspection(
    session: DbSession, user: QualityInspect, body: InspectionCreate
) -> InspectionDetail:
    """Record an inspection answering every standard of the kind's checklist (a missing or
    unknown standard is a 422 naming it). Failed standards open corrective actions, one per
    branch and standard while it is open. A branch manager inspects only their branch."""
    return service.record_inspection(
        session,
        user=user,
        **body.model_dump(exclude={"results"}),
        results=[
            Answer(code=line.standard, passed=line.passed, observed=line.observed, note=line.note)
            for line in body.results
        ],
    )


@router.get("/inspections/{inspection_id}", response_model=InspectionDetail)
def read_inspection(
    session: DbSession, user: QualityRead, inspection_id: RowId
) -> InspectionDetail:
    """An inspection with its lines and the corrective actions of the failed ones."""
    return service.get_inspection(session, user=user, inspection_id=inspection_id)
