"""The start page: the viewer's work bench."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.home import service
from bankcrm.web.deps import PageUser
from bankcrm.web.locale import request_locale
from bankcrm.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def work_bench(request: Request, session: DbSession, user: PageUser) -> Response:
    """What is due in the viewer's view, most urgent first; every count links to its list."""
    bench = service.bench(session, user=user, locale=request_locale(request))
    return render(request, "home/index.html", {"bench": bench, "person_name": user.full_name})
