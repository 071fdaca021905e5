"""What the fuzzing of the API found, each closed for its class (issue 16: "the API answers
4xx with a reason, never 500").

- Request bodies took JSON types the OpenAPI document refuses: ``"approve": 0`` decided a
  service recovery, ``"seed": false`` drew a sample with seed 0, ``"higher_is_better": 0``
  flipped an action's metric (pydantic's lax mode, which FastAPI uses for JSON bodies).
  Every body is an ``Input`` now: the test walks every request model of the API.
- Dates in queries and bodies were read from a count of seconds: ``until=0`` was 1970-01-01.
  (Walked with every other date in ``test_text_inputs.py``.)
- A page form stored NUL in PostgreSQL text (the reason for revealing personal data, a wave's
  title): a server error. Every field of every page form is tried with NUL, overlong text,
  an overflowing number and a year-one date, on both databases, against a bank where every
  form has an object to act on.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any, get_args

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from sqlalchemy.orm import Session

from bankcrm.api import API_PREFIX
from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.core.inputs import Input
from bankcrm.main import create_app
from tests import factories
from tests.casework import open_casework
from tests.conftest import SQLITE_ONLY
from tests.security.test_text_inputs import form_parts
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in


@cache
def _routes() -> list[tuple[str, APIRoute]]:
    return [
        (context.path, context.route)
        for context in iter_route_contexts(create_app().routes)
        if isinstance(context.route, APIRoute)
    ]


def _types(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in get_args(annotation):
        yield from _types(argument)


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    yield model
    for field in model.model_fields.values():
        for inner in _types(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _models(inner)


def _body_models() -> dict[str, type[BaseModel]]:
    models = {}
    for path, route in _routes():
        for parameter in route.dependant.body_params if path.startswith(API_PREFIX) else ():
            for annotation in _types(parameter.field_info.annotation):
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    models.update({model.__name__: model for model in _models(annotation)})
    return models


WRONG_JSON_TYPES: dict[type, tuple[Any, ...]] = {
    bool: (0, 1, "true", "yes"),
    int: (True, False, "7", 7.5),
    float: (True, "1.5"),
}


def test_every_request_body_takes_its_json_types_only() -> None:
    """A field declared boolean, integer or number refuses a value of another JSON type
    (in any model a request body of the API holds, nested ones too)."""
    accepted = []
    checked = set()
    for model_name, model in sorted(_body_models().items()):
        assert issubclass(model, Input), f"{model_name} is not an Input"
        for name, field in model.model_fields.items():
            kinds = set(_types(field.annotation))
            for kind, wrong_values in WRONG_JSON_TYPES.items():
                if kind not in kinds:
                    continue
                checked.add(f"{model_name}.{name}")
                for wrong in wrong_values:
                    if kind is int and list in kinds:
                        wrong = [wrong]
                    try:
                        model.model_validate({name: wrong})
                    except ValidationError as refused:
                        if any(error["loc"][:1] == (name,) for error in refused.errors()):
                            continue
                    accepted.append(f"{model_name}.{name} = {wrong!r}")
    assert accepted == []
    assert {
        "RecoveryDecision.approve",
        "SelectionCreate.seed",
        "ActionCreate.higher_is_better",
        "ResultCreate.passed",
    } <= checked


@SQLITE_ONLY
def test_what_the_fuzzer_sent_is_refused_with_the_field(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    officer, checker = _open_everything(app_settings)
    engine = make_engine(app_settings)
    with Session(engine) as session:
        auditor = factories.staff(session, role=Role.COMPLIANCE_AUDITOR).username
        session.commit()
    engine.dispose()
    decision = {"version": 1, "approve": 0}
    answer = client.post(
        f"{API_PREFIX}/complaints/recoveries/1/decision",
        headers=login(client, checker),
        json=decision,
    )
    assert answer.status_code == 422 and answer.json()["field"] == "approve", answer.text
    answer = client.get(f"{API_PREFIX}/audit?until=0", headers=login(client, auditor))
    assert answer.status_code == 422 and answer.json()["field"] == "until", answer.text
    selection = {"sample_size": 1, "seed": False}
    answer = client.post(
        f"{API_PREFIX}/quality/waves/1/invitations", headers=login(client, officer), json=selection
    )
    assert answer.status_code == 422 and answer.json()["field"] == "seed", answer.text


# --- every page form -------------------------------------------------------------------------

ODD_VALUES = ("核实\x00", "长" * 6000, "9" * 25, "0001-01-01")


def _page_forms() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every form a page posts, with the path's ids set to 1 and a plain value per field."""
    for path, route in _routes():
        if path.startswith(API_PREFIX) or path in {"/login", "/logout"} or path.startswith("/s/"):
            continue
        if "POST" not in route.methods or not route.dependant.body_params:
            continue
        fields = {
            name: _plain(name, field)
            for parameter in route.dependant.body_params
            for name, field in form_parts(parameter.alias, parameter.field_info)
        }
        yield re.sub(r"\{[a-z_]+\}", "1", path), fields


def _plain(name: str, field: FieldInfo) -> Any:
    for kind in _types(field.annotation):
        if isinstance(kind, type) and issubclass(kind, Enum):
            return next(iter(kind)).value
        if typing.get_origin(kind) is typing.Literal:
            return get_args(kind)[0]
    if field.annotation is int:
        return "1"
    today = clock.bank_today()
    plain = {
        "code": "NEW-01",
        "title": "服务承诺",
        "promised": "15",
        "amount": "10",
        "customer_id": "1",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "due_on": (today + timedelta(days=30)).isoformat(),
        "measured_on": today.isoformat(),
        "text": "排队太久",
        "reason": "客户来电核实",
        "reply": "已致歉",
        "note": "已处理",
        "description": "缩短排队",
    }
    return plain.get(name, "")


def _open_everything(app_settings: str) -> tuple[str, str]:
    """Number 1 of each object the forms act on; a quality officer and a branch manager
    (the checker of the recoveries) of branch 1."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER)
        open_casework(session, officer=officer, customer_ids=[1, 2], branch_id=1)
        checker = factories.staff(session, role=Role.BRANCH_MANAGER, branch_id=1)
        session.commit()
        names = officer.username, checker.username
    engine.dispose()
    return names


def test_odd_values_in_any_page_form_field_are_no_server_error(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    officer, checker = _open_everything(app_settings)
    forms = dict(_page_forms())
    assert {"/customers/1/reveal", "/quality/waves/new", "/complaints/1/transitions"} <= set(forms)
    crashes = []
    for username in (officer, checker):
        client.cookies.clear()
        log_in(client, username)
        token = csrf_of(client.get("/complaints", headers=HTML).text)
        for path, fields in forms.items():
            for name in fields:
                for odd in ODD_VALUES:
                    data = {**fields, name: odd, "csrf_token": token}
                    try:
                        answer = client.post(path, data=data, headers=HTML, follow_redirects=False)
                        status = answer.status_code
                    except Exception as error:  # the test client raises what the app did not catch
                        status = 500
                        crashes.append(f"{username} {path} {name}={odd[:8]!r}: {error!r:.160}")
                        continue
                    if status >= 500:
                        crashes.append(f"{username} {path} {name}={odd[:8]!r}: {status}")
    assert crashes == []
