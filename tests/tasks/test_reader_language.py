"""The API in the reader's language: the ``lang`` cookie or ``Accept-Language`` picks the
catalog an error's detail and a raised task's title come from; the English message is the
catalog's id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import TaskPriority
from bankcrm.tasks.models import Task
from bankcrm.web.errors import accepted_locale
from bankcrm.web.i18n import gettext
from tests.small_bank import login
from tests.tasks.desk import Desk, build_desk

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def desk(app_settings: str) -> Desk:
    engine = make_engine(app_settings)
    with Session(engine, expire_on_commit=False) as session:
        built = build_desk(session)
        session.commit()
    engine.dispose()
    return built


def _in_chinese(msgid: str, **params: object) -> str:
    return gettext("zh_CN", msgid) % params


def test_the_header_names_the_language_by_preference() -> None:
    assert accepted_locale("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert accepted_locale("de;q=1.0, zh-CN;q=0.7, en;q=0.3") == "zh_CN"
    assert accepted_locale("en;q=0, zh") == "zh_CN"
    assert accepted_locale("fr, de") is None
    assert accepted_locale(None) is None


def test_api_errors_are_read_in_the_callers_language(client: TestClient, desk: Desk) -> None:
    token = login(client, desk.manager_a.username)
    missing = "/api/v1/tasks/999999"
    english = client.get(missing, headers={**token, **EN})
    chinese = client.get(missing, headers={**token, **ZH})
    assert english.status_code == chinese.status_code == 404
    assert english.json()["detail"] == "There is no task 999999 that you may see."
    assert chinese.json()["detail"] == _in_chinese(
        "There is no task %(id)s that you may see.", id=999999
    )

    postpone = f"/api/v1/tasks/{desk.later}/postpone"
    past = {"version": 1, "due_on": (clock.bank_today() - timedelta(days=3)).isoformat()}
    english = client.post(postpone, json={**past, "reason": "出差"}, headers={**token, **EN})
    chinese = client.post(postpone, json={**past, "reason": "出差"}, headers={**token, **ZH})
    assert english.status_code == chinese.status_code == 422
    assert english.json() == {"detail": "The new due date lies in the past.", "field": "due_on"}
    assert chinese.json()["detail"] == _in_chinese("The new due date lies in the past.")

    stale = f"/api/v1/tasks/{desk.later}/do"
    english = client.post(stale, json={"version": 7}, headers={**token, **EN})
    chinese = client.post(stale, json={"version": 7}, headers={**token, **ZH})
    assert english.status_code == chinese.status_code == 409
    conflict = (
        "Task %(id)s was changed by someone else (now version %(now)s, you saw %(seen)s); "
        "reload it and try again."
    )
    assert english.json()["detail"] == conflict % {"id": desk.later, "now": 1, "seen": 7}
    assert chinese.json()["detail"] == _in_chinese(conflict, id=desk.later, now=1, seen=7)

    # the language switch's cookie outranks the header
    client.cookies.set("lang", "en")
    try:
        cookie = client.get(missing, headers={**token, **ZH})
    finally:
        client.cookies.delete("lang")
    assert cookie.json()["detail"] == "There is no task 999999 that you may see."


def test_a_refused_permission_is_read_in_the_callers_language(
    client: TestClient, desk: Desk
) -> None:
    analyst = login(client, desk.admin.username)
    english = client.post(
        f"/api/v1/tasks/{desk.undated}/do", json={"version": 1}, headers={**analyst, **EN}
    )
    assert english.status_code == 403
    assert english.json()["detail"] == "The role admin may not tasks:work."


def _raised(app_settings: str, desk: Desk, title: str, params: dict[str, object] | None) -> int:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        task = Task(
            customer_id=desk.customer_a,
            assignee_id=desk.manager_a.id,
            kind="campaign_contact",
            source="campaign",
            title=title,
            title_params=params,
            priority=TaskPriority.NORMAL,
        )
        session.add(task)
        session.commit()
        task_id = task.id
    engine.dispose()
    return task_id


def test_raised_tasks_are_titled_in_the_readers_language(
    client: TestClient, desk: Desk, app_settings: str
) -> None:
    token = login(client, desk.manager_a.username)
    reassess = _raised(app_settings, desk, "Risk reassessment", {})
    contact = _raised(
        app_settings, desk, "Campaign %(code)s: contact the customer", {"code": "MKT-7"}
    )
    # a title written before titles were catalog messages is shown as it was stored
    legacy = _raised(app_settings, desk, "回访 张三 / Follow up 张三", None)

    def title(task_id: int, language: dict[str, str]) -> str:
        answer = client.get(f"/api/v1/tasks/{task_id}", headers={**token, **language})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["title"])

    assert title(reassess, EN) == "Risk reassessment"
    assert title(reassess, ZH) == "风险承受能力重新评估"
    assert title(contact, EN) == "Campaign MKT-7: contact the customer"
    assert title(contact, ZH) == _in_chinese(
        "Campaign %(code)s: contact the customer", code="MKT-7"
    )
    assert title(legacy, EN) == title(legacy, ZH) == "回访 张三 / Follow up 张三"
    listed = client.get(
        "/api/v1/tasks", params={"kind": "campaign_contact"}, headers={**token, **ZH}
    )
    assert "风险承受能力重新评估" in {item["title"] for item in listed.json()["items"]}
