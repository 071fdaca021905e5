from __future__ import annotations

from fastapi import APIRouter

from bankcrm.core.pagination import RowId
from bankcrm.quality.surveys import service
from bankcrm.quality.surveys.sampling import Selection
from bankcrm.quality.surveys.schemas import (
    IssueRead,
    PredictionCreate,
    PredictionRead,
    ReminderCreate,
    ReminderRead,
    SelectionCreate,
    StatusChange,
    WaveCreate,
    WaveDetail,
    WaveRead,
    WaveSummary,
)
from bankcrm.web.deps import DbSession, QualityInspect, QualityManage, QualityRead

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/waves", response_model=list[WaveSummary])
def list_waves(session: DbSession, user: QualityRead) -> list[WaveSummary]:
    """Every survey wave, the latest first, with its response rate."""
    return service.list_waves(session, user=user)


@router.post("/waves", response_model=WaveRead, status_code=201)
def create_wave(session: DbSession, user: QualityManage, body: WaveCreate) -> WaveRead:
    """A new wave, in draft; a SERVQUAL wave keeps a copy of its instrument."""
    return service.create_wave(session, user=user, **dict(body))


@router.get("/waves/{wave_id}", response_model=WaveDetail)
def get_wave(session: DbSession, user: QualityRead, wave_id: RowId) -> WaveDetail:
    """The wave with its response rate overall and per branch (no links)."""
    return service.get_wave(session, user=user, wave_id=wave_id)


@router.post("/waves/{wave_id}/invitations", response_model=IssueRead)
def issue_invitations(
    session: DbSession, user: QualityManage, wave_id: RowId, body: SelectionCreate
) -> IssueRead:
    """Pick respondents (branches, segment, random sample) and issue their one-time links."""
    selection = Selection(**body.model_dump(mode="json"))
    return service.issue_invitations(session, user=user, wave_id=wave_id, selection=selection)


@router.post("/waves/{wave_id}/reminders", response_model=ReminderRead)
def send_reminders(
    session: DbSession,
    user: QualityManage,
    wave_id: RowId,
    body: ReminderCreate | None = None,
) -> ReminderRead:
    """Count a reminder on unanswered invitations that are due one; their links come back
    for the bank's gateway to send."""
    knobs = (body or ReminderCreate()).model_dump()
    return service.send_reminders(session, user=user, wave_id=wave_id, **knobs)


@router.post("/waves/{wave_id}/status", response_model=WaveRead)
def change_status(
    session: DbSession, user: QualityManage, wave_id: RowId, body: StatusChange
) -> WaveRead:
    """Open or close the wave; ``version`` is the one the caller saw."""
    return service.change_status(session, wave_id=wave_id, status=body.status, version=body.version)


@router.post("/waves/{wave_id}/predictions", response_model=PredictionRead)
def save_prediction(
    session: DbSession, user: QualityInspect, wave_id: RowId, body: PredictionCreate
) -> PredictionRead:
    """The caller's prediction of what customers expect of every item (gap 1); a second
    one replaces the first."""
    return service.save_prediction(session, user=user, wave_id=wave_id, answers=body.answers)
