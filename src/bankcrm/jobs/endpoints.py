from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from bankcrm.core.clock import utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.pagination import RowId
from bankcrm.jobs import service
from bankcrm.jobs.schemas import JobRead, JobRunRead
from bankcrm.web.deps import DbSession, JobsRead, JobsRun

router = APIRouter(tags=["jobs"])

JobName = Annotated[str, Path(pattern=r"^[a-z_]{1,32}$")]


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(session: DbSession, user: JobsRead) -> list[JobRead]:
    """Every job with its daily time, its next run on the bank's clock and its last run."""
    return service.list_jobs(session, settings=get_settings(), now=utcnow())


@router.get("/jobs/runs", response_model=list[JobRunRead])
def list_runs(
    session: DbSession,
    user: JobsRead,
    job: Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobRunRead]:
    """The latest runs, newest first (of one job with ``job``)."""
    return service.list_runs(session, job=job, limit=limit)


@router.get("/jobs/runs/{run_id}", response_model=JobRunRead)
def get_run(session: DbSession, user: JobsRead, run_id: RowId) -> JobRunRead:
    """One run: status, progress, duration and error."""
    return service.get_run(session, run_id=run_id)


@router.post("/jobs/{job}/run", response_model=JobRunRead, status_code=202)
def run_job(user: JobsRun, job: JobName) -> JobRunRead:
    """Start the job now in the background; 409 while a run of it is still going. Follow
    the run at ``/jobs/runs/{id}``."""
    return service.launch(job=job, user=user)
