"""The public survey page behind a one-time link: no login, nothing about the customer shown.

``GET /s/{token}`` shows the survey (Chinese unless the respondent switches), ``POST
/s/{token}/draft`` keeps the answers so far, ``POST /s/{token}`` submits them once.
An answered link shows "already answered" (200 when opened, 409 for a post), a closed wave
410, an unknown link 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.core.deps import DbSession
from bankcrm.core.enums import SurveyKind
from bankcrm.core.exceptions import BankcrmError, NotFound
from bankcrm.core.messages import _
from bankcrm.quality.instrument import Instrument
from bankcrm.quality.satisfaction import CSAT_SCALE, NPS_SCALE
from bankcrm.quality.surveys import service
from bankcrm.quality.surveys.answers import SCORE, WEIGHTS, AnswerProblem, Reason
from bankcrm.quality.surveys.service import AlreadyAnswered, AnswersIncomplete, SurveyClosed
from bankcrm.web.i18n import gettext
from bankcrm.web.locale import request_locale
from bankcrm.web.security import csrf_token
from bankcrm.web.templating import render

router = APIRouter(prefix="/s")

Token = Annotated[str, Path(max_length=64)]
NOTICES = {AlreadyAnswered: "answered", SurveyClosed: "closed", NotFound: "missing"}
"""What the page tells of a link that takes no answers (an answered link opened again is 200)."""
LINK_REFUSALS = tuple(NOTICES)


ITEM_PART = {"E": _("expectation"), "P": _("perception")}
SCORE_SCALES = {
    SurveyKind.CSAT: (*CSAT_SCALE, _("very dissatisfied"), _("very satisfied")),
    SurveyKind.NPS: (*NPS_SCALE, _("not at all likely"), _("extremely likely")),
}
"""The lowest and highest point of a CSAT or NPS survey's one question, with their labels."""


@router.get("/{token}", response_class=HTMLResponse)
def survey_page(request: Request, session: DbSession, token: Token) -> Response:
    csrf_token(request)
    try:
        survey = service.open_survey(session, token=token)
    except LINK_REFUSALS as error:
        return _refused(request, error, opened=True)
    return _form(request, token, survey)


@router.post("/{token}/draft", response_class=HTMLResponse)
async def save_draft(request: Request, session: DbSession, token: Token) -> Response:
    form = await _form_fields(request)
    try:
        survey = service.save_draft(session, token=token, form=form)
    except LINK_REFUSALS as error:
        return _refused(request, error)
    return _form(request, token, survey, saved=True)


@router.post("/{token}", response_class=HTMLResponse)
async def submit(request: Request, session: DbSession, token: Token) -> Response:
    """Takes the answers once; missing or invalid ones bring the form back, kept as a draft."""
    form = await _form_fields(request)
    try:
        service.submit(session, token=token, form=form)
    except LINK_REFUSALS as error:
        return _refused(request, error)
    except AnswersIncomplete as error:
        # the draft the service saved is committed with this answer
        return _form(
            request, token, error.survey, problems=error.problems, status_code=error.status_code
        )
    return _notice(request, "thanks", 200)


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _notice(request: Request, notice: str, status_code: int) -> Response:
    template = "quality/surveys/respondent_notice.html"
    return render(request, template, {"notice": notice}, status_code=status_code)


def _refused(request: Request, error: BankcrmError, *, opened: bool = False) -> Response:
    notice = next(notice for refusal, notice in NOTICES.items() if isinstance(error, refusal))
    return _notice(request, notice, 200 if opened and notice == "answered" else error.status_code)


def _form(
    request: Request,
    token: str,
    survey: service.Survey,
    *,
    saved: bool = False,
    problems: tuple[AnswerProblem, ...] = (),
    status_code: int = 200,
) -> Response:
    locale = request_locale(request)
    context: dict[str, Any] = {
        "token": token,
        "survey": survey,
        "answers": survey.answers,
        "saved": saved,
        "problems": [_problem_text(problem, survey.instrument, locale) for problem in problems],
        "problem_keys": {problem.key for problem in problems},
        "score_scale": SCORE_SCALES.get(survey.kind),
    }
    return render(request, "quality/surveys/respondent.html", context, status_code=status_code)


def _problem_text(problem: AnswerProblem, instrument: Instrument | None, locale: str) -> str:
    """Which answer is at fault, in the respondent's words."""
    key = problem.key
    if key == WEIGHTS:
        return gettext(locale, "The importance points must add up to 100.")
    if key == SCORE:
        what = gettext(locale, "the question")
    elif instrument is not None and key.startswith("W_"):
        name = instrument.dimension(key.removeprefix("W_")).name.text(locale)
        what = gettext(locale, "importance of %(dimension)s") % {"dimension": name}
    else:
        part = gettext(locale, ITEM_PART[key[0]])
        what = gettext(locale, "item %(number)s (%(part)s)") % {"number": key[1:], "part": part}
    if problem.reason is Reason.MISSING:
        return gettext(locale, "Not answered: %(what)s") % {"what": what}
    return gettext(locale, "Not a valid answer: %(what)s") % {"what": what}
