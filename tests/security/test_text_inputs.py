"""Finding L4: zero-width or blank reasons and texts, dates like ``0001-01-01`` and
right-to-left overrides in names are refused or normalised, with a message naming the field.

The fields come from the application, so tomorrow's field is tried too: every free-text field
of every request body of the API (a string whose pattern is no narrower than "storable
text"), every page form field of one of those names, every date of a body, a query or a
form. One place normalises them all (``core/inputs.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, get_args

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.api import API_PREFIX
from bankcrm.complaints.models import Complaint
from bankcrm.core import clock
from bankcrm.core.db import STORABLE_TEXT, make_engine
from bankcrm.core.enums import Role
from bankcrm.core.inputs import INVISIBLE, normalise_name, normalise_text, parse_day
from bankcrm.main import create_app
from tests import factories
from tests.conftest import SQLITE_ONLY
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in

INVISIBLE_ONLY = " \u200b\u200c\u200d\u2060\ufeff\u202e\u2066\u2069\u200e \t"
"""Looks blank, is not empty: zero-width characters, direction controls, spaces."""
HOSTILE = " \u202eexe.txt\u202c 王\u200b小明 Ｃａｆe\u0301（一）\u2067 "
"""A right-to-left override, a zero-width space inside a name, full-width letters and
brackets, a decomposed accent."""
AS_NAME = "exe.txt 王小明 Café(一)"
AS_TEXT = "exe.txt 王小明 Ｃａｆé（一）"
SHORT_HOSTILE = (" \u202eＣａｆe\u0301\u200b\u2067 ", ("Café", "Ｃａｆé"))
"""For a field shorter than ``HOSTILE`` (a unit)."""
NOT_TEXT = {"password"}
"""Compared as typed, never normalised."""
NARROWER_FORM_FIELDS = {"/quality/standards unit", "/quality/standards/{standard_id} unit"}
"""Named like free text, but a unit picked from a list (checked against it)."""
DAY_NAMES = ("0001-01-01", "1899-12-31", "9999-12-31")


@cache
def _routes() -> list[tuple[str, APIRoute]]:
    return [
        (context.path, context.route)
        for context in iter_route_contexts(create_app().routes)
        if isinstance(context.route, APIRoute)
    ]


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    yield model
    for field in model.model_fields.values():
        for inner in _types(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _models(inner)


def _types(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in get_args(annotation):
        yield from _types(argument)


@cache
def _body_models() -> dict[str, type[BaseModel]]:
    models = {}
    for path, route in _routes():
        if not path.startswith(API_PREFIX):
            continue
        for parameter in route.dependant.body_params:
            for annotation in _types(parameter.field_info.annotation):
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    for model in _models(annotation):
                        models[model.__name__] = model
    return models


def _pattern(field: FieldInfo) -> str | None:
    for item in field.metadata:
        pattern = getattr(item, "pattern", None)
        if pattern is not None:
            return str(pattern)
    return None


def _is_text(field: FieldInfo) -> bool:
    """A string anyone may type anything into (a code, an enum or a typed number is not)."""
    return field.annotation in (str, str | None) and _pattern(field) in (None, STORABLE_TEXT)


def _adapter(field: FieldInfo) -> TypeAdapter[Any]:
    return TypeAdapter(Annotated[field.annotation, field])


@cache
def _text_fields() -> dict[str, FieldInfo]:
    fields = {}
    for model_name, model in sorted(_body_models().items()):
        for name, field in model.model_fields.items():
            label = f"{model_name}.{name}"
            if _is_text(field) and name not in NOT_TEXT:
                fields[label] = field
    return fields


def form_parts(name: str, field: FieldInfo) -> list[tuple[str, FieldInfo]]:
    """A page's form parameter, or each field of the form model it reads the form into, by
    the names the form posts."""
    model = field.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [(inner.alias or key, inner) for key, inner in model.model_fields.items()]
    return [(name, field)]


@cache
def _form_fields() -> dict[str, FieldInfo]:
    """Page form fields marked as free text (storable text) or named like a free-text field
    of the API, but for a few narrower ones."""
    names = {label.split(".")[1] for label in _text_fields()}
    fields = {}
    for path, route in _routes():
        if path.startswith(API_PREFIX):
            continue
        for parameter in route.dependant.body_params:
            for name, field in form_parts(parameter.name, parameter.field_info):
                label = f"{path} {name}"
                marked = _pattern(field) == STORABLE_TEXT
                if (marked or name in names) and label not in NARROWER_FORM_FIELDS:
                    fields[label] = field
    return fields


def _check_cleaned(label: str, field: FieldInfo) -> None:
    """Stored as a name (NFKC) or as free text (NFC), without the invisible characters."""
    longest = min(getattr(item, "max_length", None) or 5000 for item in field.metadata)
    typed, expected = (HOSTILE, (AS_NAME, AS_TEXT)) if longest >= 30 else SHORT_HOSTILE
    cleaned = _adapter(field).validate_python(typed)
    assert not INVISIBLE.search(cleaned), (label, cleaned)
    assert cleaned in expected, (label, cleaned)


def test_the_walk_finds_the_fields_people_type() -> None:
    fields = {label.split(".")[1] for label in _text_fields()}
    assert {"text", "reason", "reply", "note", "title", "description"} <= fields
    forms = {label.split(" ")[1] for label in _form_fields()}
    assert {"text", "reason", "reply", "note", "title", "description"} <= forms


@pytest.mark.parametrize("label", sorted(_text_fields()))
def test_every_api_text_field_is_normalised_and_refuses_blank(label: str) -> None:
    field = _text_fields()[label]
    _check_cleaned(label, field)
    adapter = _adapter(field)
    try:
        blank = adapter.validate_python(INVISIBLE_ONLY)
    except ValidationError as refused:
        assert "must not be blank" in str(refused), (label, str(refused))
    else:
        # optional: stored as nothing, and the service asks for it where an action needs it
        assert blank in ("", None), (label, blank)


@pytest.mark.parametrize("label", sorted(_form_fields()))
def test_every_form_text_field_is_normalised(label: str) -> None:
    field = _form_fields()[label]
    _check_cleaned(label, field)
    assert _adapter(field).validate_python(INVISIBLE_ONLY) == "", label


def test_names_are_nfkc_and_free_text_keeps_chinese_punctuation() -> None:
    assert normalise_name(HOSTILE) == AS_NAME
    assert normalise_name("ＳＥＲＶＱＵＡＬ\u3000２０２６\n上半年") == "SERVQUAL 2026 上半年"
    assert normalise_text(HOSTILE) == AS_TEXT
    assert normalise_text("客户来电，\n要求查询：余额") == "客户来电，\n要求查询：余额"


def _date_fields() -> Iterator[tuple[str, TypeAdapter[Any], str]]:
    """Every date (and time) a request may carry, with what to append to a day to type it."""
    for model_name, model in sorted(_body_models().items()):
        for name, field in model.model_fields.items():
            kinds = set(_types(field.annotation))
            if kinds & {date, datetime}:
                yield f"{model_name}.{name}", _adapter(field), "T09:30" if datetime in kinds else ""
    for path, route in _routes():
        if path.startswith(API_PREFIX):
            for parameter in route.dependant.query_params:
                if date in set(_types(parameter.field_info.annotation)):
                    yield f"{path}?{parameter.alias}", _adapter(parameter.field_info), ""


def test_every_api_date_is_written_out_and_within_a_plausible_range() -> None:
    today = clock.bank_today()
    later = (today + timedelta(days=366 * 6)).isoformat()
    labels = []
    for label, adapter, time in _date_fields():
        labels.append(label)
        for typed in (*DAY_NAMES, later):
            with pytest.raises(ValidationError, match="must be a date from 1900-01-01"):
                adapter.validate_python(typed + time)
        # seconds since 1970 are no date, and a day is no time
        for typed in (0, "0", "20260301", today.isoformat() + ("" if time else "T00:00")):
            with pytest.raises(ValidationError, match=r"enter a (date|time)"):
                adapter.validate_python(typed)
        assert adapter.validate_python(today.isoformat() + time)
    assert {
        "ActionCreate.due_on",
        "WaveCreate.opens_on",
        "InspectionCreate.inspected_on",
        "ComplaintCreate.received_at",
        "/api/v1/audit?since",
        "/api/v1/segments/migration?from",
    } <= set(labels)


def test_typed_days_are_parsed_in_one_place() -> None:
    assert parse_day(" 2026-03-01 ") == date(2026, 3, 1)
    for typed in (*DAY_NAMES, "2026-02-30", "昨天"):
        with pytest.raises(ValueError, match=r"YYYY-MM-DD|1900-01-01"):
            parse_day(typed)


# --- through the application -------------------------------------------------------------


def _officer(app_settings: str) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER).username
        session.commit()
    engine.dispose()
    return officer


def test_a_blank_looking_reason_is_refused_and_a_hostile_text_is_stored_clean(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    officer = login(client, _officer(app_settings))
    customer_id = small_bank.book_a[0]
    answer = client.post(
        f"{API_PREFIX}/customers/{customer_id}/reveal",
        headers=officer,
        json={"reason": INVISIBLE_ONLY},
    )
    assert answer.status_code == 422, answer.text
    assert "reason" in answer.json()["detail"] and "blank" in answer.json()["detail"]

    manager = login(client, small_bank.manager_a)
    case = {"customer_id": customer_id, "channel": "phone", "text": HOSTILE}
    created = client.post(f"{API_PREFIX}/complaints", headers=manager, json=case)
    assert created.status_code == 201, created.text
    engine = make_engine(app_settings)
    with Session(engine) as session:
        stored = session.scalars(select(Complaint.text)).one()
    engine.dispose()
    assert stored == AS_TEXT

    year_one = {**case, "received_at": "0001-01-01T00:00:00+14:00"}
    refused = client.post(f"{API_PREFIX}/complaints", headers=manager, json=year_one)
    assert refused.status_code == 422, refused.text
    assert "received_at" in refused.json()["detail"]


@SQLITE_ONLY
def test_page_forms_refuse_blank_looking_reasons_and_implausible_days(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    officer = _officer(app_settings)
    log_in(client, officer)
    customer_id = small_bank.book_a[0]
    page = client.get(f"/customers/{customer_id}", headers=HTML)
    token = csrf_of(page.text)
    answer = client.post(
        f"/customers/{customer_id}/reveal",
        data={"reason": INVISIBLE_ONLY, "csrf_token": token},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert "say why the personal data is needed" in answer.text

    forms: list[tuple[str, str, dict[str, str]]] = [
        ("/quality/actions/new", "/quality/actions/new", {"title": "缩短排队", "due_on": ""}),
        (
            "/quality/waves/new",
            "/quality/waves/new",
            {"code": "W-1", "title": "二〇二六", "kind": "csat", "opens_on": "", "closes_on": ""},
        ),
        ("/quality/promises", "/quality/promises", {"title": "十五分钟", "promised": "15"}),
        (
            "/quality/inspections/new",
            "/quality/inspections/new",
            {"kind": "mystery_shopper", "branch_id": str(small_bank.branch_id)},
        ),
        ("/complaints/new", "/complaints/new", {"channel": "phone", "text": "排队太久"}),
    ]
    day_fields = {
        "/quality/actions/new": ("due_on",),
        "/quality/waves/new": ("opens_on", "closes_on"),
        "/quality/promises": ("measured_on",),
        "/quality/inspections/new": ("inspected_on",),
        "/complaints/new": ("received_at",),
    }
    for form_page, target, fields in forms:
        token = csrf_of(client.get(form_page, headers=HTML).text)
        for typed in ("0001-01-01", "9999-12-31"):
            days = {name: typed for name in day_fields[target]}
            if target == "/complaints/new":
                days = {"received_at": f"{typed}T09:30"}
            data = {**fields, **days, "csrf_token": token}
            answer = client.post(target, data=data, headers=HTML, follow_redirects=False)
            assert answer.status_code == 422, (target, typed, answer.status_code)
            assert "1900-01-01" in answer.text, (target, typed)
