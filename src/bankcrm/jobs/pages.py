"""The Jobs page: each job's schedule and last runs, and "run now" with its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bankcrm.core.clock import utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.deps import DbSession
from bankcrm.core.exceptions import Conflict
from bankcrm.core.messages import _
from bankcrm.core.pagination import MAX_ID, RowId
from bankcrm.jobs import definitions, service
from bankcrm.jobs.models import JobOrigin, JobStatus
from bankcrm.jobs.schemas import JobRunRead
from bankcrm.web.deps import PageJobsRead, PageJobsRun
from bankcrm.web.i18n import format_number, gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.problems import Problem, translated
from bankcrm.web.templating import render

router = APIRouter(prefix="/jobs")

JobName = Annotated[str, Path(pattern=r"^[a-z_]{1,32}$")]
RECENT_RUNS = 30


STATUS_LABELS = {
    JobStatus.RUNNING: _("Running"),
    JobStatus.SUCCEEDED: _("Succeeded"),
    JobStatus.FAILED: _("Failed"),
}
SCHEDULER = _("Schedule")
ALREADY_RUNNING = _("The job is already running; wait for this run to finish.")


@router.get("", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    session: DbSession,
    user: PageJobsRead,
    run: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Each job's daily time and next run, and the latest runs; ``run`` follows one run."""
    return _render(request, session, watched=run)


@router.post("/{job}/run", response_class=HTMLResponse)
def run_page(request: Request, session: DbSession, user: PageJobsRun, job: JobName) -> Response:
    """Start the job now in the background and follow its progress on the page."""
    try:
        run = service.launch(job=job, user=user)
    except Conflict as refusal:
        return _render(
            request,
            session,
            problem=Problem(ALREADY_RUNNING, refusal.message),
            status_code=refusal.status_code,
        )
    return RedirectResponse(f"/jobs?run={run.id}", status_code=303)


@router.get("/runs/{run_id}/progress")
def run_progress(request: Request, session: DbSession, user: PageJobsRead, run_id: RowId) -> Any:
    """How a run is going, for the page to poll."""
    run = service.get_run(session, run_id=run_id)
    return JSONResponse(_run_view(run, request_locale(request), {}))


def _summary(run: JobRunRead, locale: str) -> str:
    if not run.step:
        return ""
    message = gettext(locale, run.step)
    figures = {
        name: format_number(value, locale) if isinstance(value, int | float) else str(value)
        for name, value in run.figures.items()
    }
    try:
        return message % figures
    except (KeyError, TypeError, ValueError):
        return message


def _run_view(run: JobRunRead, locale: str, names: dict[int, str]) -> dict[str, Any]:
    definition = definitions.BY_NAME.get(run.job)
    if run.origin is JobOrigin.STAFF and run.started_by_id is not None:
        starter = names.get(run.started_by_id, str(run.started_by_id))
    else:
        starter = gettext(locale, SCHEDULER)
    return {
        "id": run.id,
        "job": run.job,
        "title": gettext(locale, definition.title) if definition else run.job,
        "status": run.status.value,
        "status_label": gettext(locale, STATUS_LABELS[run.status]),
        "percent": run.percent,
        "done": run.done,
        "total": run.total,
        "summary": _summary(run, locale),
        "error": run.error,
        "seconds": round(run.seconds, 1) if run.seconds is not None else None,
        "started_by": starter,
        "started_at": run.started_at.isoformat(),
    }


def _render(
    request: Request,
    session: Session,
    *,
    watched: int | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    settings = get_settings()
    jobs = service.list_jobs(session, settings=settings, now=utcnow())
    runs = service.list_runs(session, job=None, limit=RECENT_RUNS)
    names = service.starter_names(session, runs)
    followed = next((run for run in runs if run.id == watched), None)
    if watched is not None and followed is None:
        followed = service.get_run(session, run_id=watched)
    return render(
        request,
        "jobs/index.html",
        {
            "jobs": [
                {
                    "job": job,
                    "title": gettext(locale, definitions.BY_NAME[job.name].title),
                    "last": _run_view(job.last_run, locale, names) if job.last_run else None,
                }
                for job in jobs
            ],
            "runs": [{"run": run, **_run_view(run, locale, names)} for run in runs],
            "followed": _run_view(followed, locale, names) if followed else None,
            "timezone": settings.timezone,
            "problem": translated(problem, locale),
        },
        status_code=status_code,
    )
