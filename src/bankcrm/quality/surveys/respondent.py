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
from bankcrm.core.exceptions import NotFound
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
FORM_TEMPLATE = "quality/surveys/respondent.html"
NOTICE_TEMPLATE = "quality/surveys/respondent_notice.html"


def _(message: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return message


ITEM_PART = {"E": _("expectation"), "P": _("perception")}


@router.get("/{token}", response_class=HTMLResponse)
def survey_page(request: Request, session: DbSession, token: Token) -> Response:
    """The survey, with the answers saved so far; the first opening is recorded."""
    csrf_token(request)
    try:
        survey = service.open_survey(session, token=token)
    except NotFound:
        return _notice(request, "missing", 404)
    except AlreadyAnswered:
        return _notice(request, "answered", 200)
    except SurveyClosed:
        return _notice(request, "closed", 410)
    return _form(request, token, survey)


@router.post("/{token}/draft", response_class=HTMLResponse)
async def save_draft(request: Request, session: DbSession, token: Token) -> Response:
    """Keeps the answers given so far; the same link finishes the survey later."""
    form = await _form_fields(request)
    try:
        survey = service.save_draft(session, token=token, form=form)
    except NotFound:
        return _notice(request, "missing", 404)
    except AlreadyAnswered:
        return _notice(request, "answered", 409)
    except SurveyClosed:
        return _notice(request, "closed", 410)
    return _form(request, token, survey, saved=True)


@router.post("/{token}", response_class=HTMLResponse)
async def submit(request: Request, session: DbSession, token: Token) -> Response:
    """Takes the answers once; missing or invalid ones bring the form back, kept as a draft."""
    form = await _form_fields(request)
    try:
        service.submit(session, token=token, form=form)
    except NotFound:
        return _notice(request, "missing", 404)
    except AlreadyAnswered:
        return _notice(request, "answered", 409)
    except SurveyClosed:
        return _notice(request, "closed", 410)
    except AnswersIncomplete as error:
        # the draft the service saved is committed with this answer
        return _form(
            request, token, error.survey, problems=error.problems, status_code=error.status_code
        )
    return _notice(request, "thanks", 200)


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _notice(request: Request, kind: str, status_code: int) -> Response:
    return render(request, NOTICE_TEMPLATE, {"notice": kind}, status_code=status_code)


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
        "sections": _sections(survey.instrument, locale) if survey.instrument else [],
        "scale": _scale(survey, locale),
    }
    return render(request, FORM_TEMPLATE, context, status_code=status_code)


def _sections(instrument: Instrument, locale: str) -> list[dict[str, Any]]:
    """The items grouped by dimension, in the respondent's language."""
    items = {item.number: item for item in instrument.items}
    return [
        {
            "code": dimension.code,
            "name": dimension.name.text(locale),
            "weight_key": instrument.weight_column(dimension.code),
            "questions": [
                {
                    "number": number,
                    "expectation_key": instrument.expectation_column(number),
                    "perception_key": instrument.perception_column(number),
                    "expectation": items[number].expectation.text(locale),
                    "perception": items[number].perception.text(locale),
                }
                for number in dimension.items
            ],
        }
        for dimension in instrument.dimensions
    ]


def _scale(survey: service.Survey, locale: str) -> dict[str, Any]:
    """The answer scale's points and end labels."""
    if survey.instrument is not None:
        scale = survey.instrument.scale
        return {
            "points": list(range(scale.minimum, scale.maximum + 1)),
            "low": scale.minimum_label.text(locale),
            "high": scale.maximum_label.text(locale),
        }
    if survey.kind is SurveyKind.CSAT:
        low, high = CSAT_SCALE
        labels = (_("very dissatisfied"), _("very satisfied"))
    else:
        low, high = NPS_SCALE
        labels = (_("not at all likely"), _("extremely likely"))
    return {
        "points": list(range(low, high + 1)),
        "low": gettext(locale, labels[0]),
        "high": gettext(locale, labels[1]),
    }


def _problem_text(problem: AnswerProblem, instrument: Instrument | None, locale: str) -> str:
    """Which answer is at fault, in the respondent's words."""
    key = problem.key
    if key == WEIGHTS:
        return gettext(locale, "The importance points must add up to 100.")
    if key == SCORE:
        what = gettext(locale, "the question")
    elif instrument is not None and key.startswith("W_"):
        dimension = instrument.dimension(key.removeprefix("W_"))
        what = gettext(locale, "importance of %(dimension)s") % {
            "dimension": dimension.name.text(locale)
        }
    else:
        what = gettext(locale, "item %(number)s (%(part)s)") % {
            "number": key[1:],
            "part": gettext(locale, ITEM_PART[key[0]]),
        }
    if problem.reason is Reason.MISSING:
        return gettext(locale, "Not answered: %(what)s") % {"what": what}
    return gettext(locale, "Not a valid answer: %(what)s") % {"what": what}
