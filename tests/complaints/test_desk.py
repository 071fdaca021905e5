"""The complaint desk through the API: intake, deadlines, the workflow, locking, recovery."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.complaints import service
from bankcrm.core.db import make_engine
from bankcrm.core.enums import ComplaintAction, ComplaintStatus, Role
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests import factories
from tests.complaints.test_workflow import AWAITING, EXPECTED
from tests.small_bank import SmallBank

COMPLAINTS = "/api/v1/complaints"


@dataclass
class Desk:
    bank: SmallBank
    officer: dict[str, str]
    """A service-quality officer (sees every case)."""
    manager: dict[str, str]
    """The account manager of book A."""
    other_manager: dict[str, str]
    """The account manager of book B."""
    branch_manager: dict[str, str]
    second_branch_manager: dict[str, str]
    analyst: dict[str, str]
    full_names: dict[str, str]
    """Each username's full name, as cases show their staff."""


@pytest.fixture
def desk(small_bank: SmallBank, app_settings: str) -> Desk:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        officer = factories.staff(session, role=Role.QUALITY_OFFICER)
        factories.staff(
            session,
            role=Role.BRANCH_MANAGER,
            username="second_checker",
            branch_id=small_bank.branch_id,
        )
        session.commit()
        ids = {name: id_ for name, id_ in session.execute(select(StaffUser.username, StaffUser.id))}
        full_names = {
            name: full
            for name, full in session.execute(select(StaffUser.username, StaffUser.full_name))
        }
        officer_name = officer.username
    engine.dispose()

    def bearer(username: str) -> dict[str, str]:
        # a signed token as the login would give, without paying for a password hash each time
        return factories.api_headers(app_settings, ids[username])

    return Desk(
        bank=small_bank,
        officer=bearer(officer_name),
        manager=bearer(small_bank.manager_a),
        other_manager=bearer(small_bank.manager_b),
        branch_manager=bearer(small_bank.branch_manager),
        second_branch_manager=bearer("second_checker"),
        analyst=bearer(small_bank.analyst),
        full_names=full_names,
    )


def _register(client: TestClient, desk: Desk, **fields: object) -> dict[str, object]:
    body = {
        "customer_id": desk.bank.book_a[0],
        "channel": "counter",
        "text": "信用卡年费未经告知被扣收，要求退还。",
        "severity": "medium",
        **fields,
    }
    answer = client.post(COMPLAINTS, json=body, headers=desk.manager)
    assert answer.status_code == 201, answer.text
    created: dict[str, object] = answer.json()
    return created


def _act(
    client: TestClient,
    headers: dict[str, str],
    case: dict[str, object],
    action: str,
    **fields: object,
) -> httpx.Response:
    return client.post(
        f"{COMPLAINTS}/{case['id']}/transitions",
        json={"action": action, "version": case["version"], **fields},
        headers=headers,
    )


FIELDS = {
    "reason": "客户要求",
    "reply": "经核查，年费已退还至您的账户。",
    "confirmation": "satisfied",
}


def test_a_case_is_due_15_days_after_receipt_and_30_after_its_one_extension(
    client: TestClient,
    desk: Desk,
) -> None:
    received = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    case = _register(client, desk, received_at=received.isoformat())
    assert case["status"] == "received"
    assert datetime.fromisoformat(str(case["deadline_at"])) == received + timedelta(days=15)
    assert case["suggested_issue"] and case["issue"] == case["suggested_issue"]

    extended = _act(client, desk.manager, case, "extend", reason="需调取交易凭证")
    assert extended.status_code == 200, extended.text
    case = extended.json()
    assert datetime.fromisoformat(str(case["deadline_at"])) == received + timedelta(days=30)
    assert case["extension_reason"] == "需调取交易凭证"

    again = _act(client, desk.manager, case, "extend", reason="再延长一次")
    assert again.status_code == 409
    assert "second extension is refused" in again.json()["detail"]

    without_reason = _act(client, desk.manager, case, "withdraw")
    assert without_reason.status_code == 422
    assert without_reason.json()["field"] == "reason"


def test_the_regular_path_is_timestamped_attributed_and_on_the_timeline(
    client: TestClient,
    desk: Desk,
) -> None:
    case = _register(client, desk)
    for action in ("accept", "investigate", "reply", "close"):
        answer = _act(client, desk.manager, case, action, **FIELDS)
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == int(str(case["version"])) + 1
        case = answer.json()
    assert case["status"] == "closed"
    assert case["confirmation"] == "satisfied"
    assert case["reply"] == FIELDS["reply"]
    assert case["first_replied_at"] and case["closed_at"]
    moves = [(event["from_status"], event["to_status"], event["actor"]) for event in case["events"]]
    manager = desk.full_names[desk.bank.manager_a]
    assert moves == [
        (None, "received", manager),
        ("received", "accepted", manager),
        ("accepted", "investigating", manager),
        ("investigating", "replied", manager),
        ("replied", "closed", manager),
    ]
    reopened = _act(client, desk.officer, case, "reopen", reason="客户对答复不满意")
    assert reopened.status_code == 200
    assert reopened.json()["reopen_count"] == 1
    assert reopened.json()["closed_at"] is None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(st.sampled_from(list(ComplaintAction)), min_size=1, max_size=12))
def test_random_action_sequences_are_refused_exactly_when_illegal(
    client: TestClient,
    desk: Desk,
    actions: list[ComplaintAction],
) -> None:
    case = _register(client, desk)
    status, extended = ComplaintStatus.RECEIVED, False
    for action in actions:
        if action is ComplaintAction.EXTEND:
            legal = status in AWAITING and not extended
        else:
            legal = (status, action) in EXPECTED
        answer = _act(client, desk.officer, case, action.value, **FIELDS)
        if not legal:
            assert answer.status_code == 409, (status, action, answer.text)
            assert answer.json()["detail"]
            continue
        assert answer.status_code == 200, (status, action, answer.text)
        case = answer.json()
        status = ComplaintStatus(str(case["status"]))
        extended = extended or action is ComplaintAction.EXTEND
        assert [a for a in case["allowed_actions"]] == [
            a.value for a in service.workflow.allowed_actions(status, extended=extended)
        ]


def test_a_stale_version_is_a_conflict_that_names_the_case(
    client: TestClient,
    desk: Desk,
) -> None:
    case = _register(client, desk)
    assert _act(client, desk.manager, case, "accept").status_code == 200
    stale = _act(client, desk.officer, case, "escalate", reason="金额较大")
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    relabel = client.patch(
        f"{COMPLAINTS}/{case['id']}",
        json={"version": case["version"], "issue": "fees_and_interest"},
        headers=desk.officer,
    )
    assert relabel.status_code == 409
    current = client.get(f"{COMPLAINTS}/{case['id']}", headers=desk.officer).json()
    relabelled = client.patch(
        f"{COMPLAINTS}/{case['id']}",
        json={"version": current["version"], "issue": "waiting_time", "root_cause": "staff_error"},
        headers=desk.officer,
    ).json()
    assert relabelled["service_gap"] == 3
    assert relabelled["events"][-1]["detail"] == {
        "changes": [
            {"field": "issue", "from": current["issue"], "to": "waiting_time"},
            {"field": "root_cause", "from": None, "to": "staff_error"},
        ]
    }


def _race(
    client: TestClient,
    case: dict[str, object],
    contenders: list[tuple[dict[str, str], str]],
) -> list[tuple[str, int, str]]:
    """Send every contender's action on the same version of ``case`` at the same moment."""
    start = threading.Barrier(len(contenders))
    answers: list[tuple[str, int, str]] = []

    def send(headers: dict[str, str], action: str) -> None:
        start.wait()
        answer = _act(client, headers, case, action, reason="并发处理")
        answers.append((action, answer.status_code, answer.text))

    workers = [threading.Thread(target=send, args=contender) for contender in contenders]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_officers_at_once_one_wins_the_other_gets_409_on_postgres(
    client: TestClient,
    desk: Desk,
) -> None:
    for _ in range(5):
        case = _register(client, desk)
        answers = _race(client, case, [(desk.manager, "accept"), (desk.officer, "escalate")])
        codes = sorted(code for _, code, _ in answers)
        assert codes == [200, 409], answers
        loser = next(text for _, code, text in answers if code == 409)
        assert "someone else" in loser
        final = client.get(f"{COMPLAINTS}/{case['id']}", headers=desk.officer).json()
        winner = next(action for action, code, _ in answers if code == 200)
        assert final["status"] == ("accepted" if winner == "accept" else "escalated")
        assert final["version"] == int(str(case["version"])) + 1
        assert len(final["events"]) == 2


def test_compensation_above_the_limit_waits_for_a_checker_who_is_not_its_maker(
    client: TestClient,
    desk: Desk,
) -> None:
    case = _register(client, desk)
    small = client.post(
        f"{COMPLAINTS}/{case['id']}/recoveries",
        json={"kind": "fee_refund", "amount": "200.00"},
        headers=desk.manager,
    )
    assert small.status_code == 201
    assert small.json()["recoveries"][0]["status"] == "approved"

    made = client.post(
        f"{COMPLAINTS}/{case['id']}/recoveries",
        json={"kind": "compensation", "amount": "2000.00", "note": "误扣款利息损失"},
        headers=desk.branch_manager,
    )
    assert made.status_code == 201
    pending = made.json()["recoveries"][1]
    assert pending["status"] == "pending"
    assert made.json()["events"][-1]["detail"] == {
        "kind": "compensation",
        "amount": "2000.00",
        "status": "pending",
    }
    assert made.json()["events"][-1]["text"] == "误扣款利息损失"
    decision = f"{COMPLAINTS}/recoveries/{pending['id']}/decision"
    body = {"version": pending["version"], "approve": True}

    by_maker = client.post(decision, json=body, headers=desk.branch_manager)
    assert by_maker.status_code == 403
    assert "maker" in by_maker.json()["detail"]
    by_manager = client.post(decision, json=body, headers=desk.manager)
    assert by_manager.status_code == 403  # an account manager may not approve at all

    approved = client.post(decision, json=body, headers=desk.second_branch_manager)
    assert approved.status_code == 200, approved.text
    recovery = approved.json()["recoveries"][1]
    assert recovery["status"] == "approved"
    assert recovery["checker"] != recovery["maker"]
    twice = client.post(decision, json=body, headers=desk.second_branch_manager)
    assert twice.status_code == 409

    apology_with_amount = client.post(
        f"{COMPLAINTS}/{case['id']}/recoveries",
        json={"kind": "apology", "amount": "10.00"},
        headers=desk.manager,
    )
    assert apology_with_amount.status_code == 422


def test_cases_are_scoped_like_customers(
    client: TestClient,
    desk: Desk,
) -> None:
    case = _register(client, desk)
    assert client.get(f"{COMPLAINTS}/{case['id']}", headers=desk.other_manager).status_code == 404
    assert client.get(COMPLAINTS, headers=desk.other_manager).json()["total"] == 0
    assert client.get(COMPLAINTS, headers=desk.branch_manager).json()["total"] == 1
    assert client.get(COMPLAINTS, headers=desk.analyst).status_code == 403
    foreign = client.post(
        COMPLAINTS,
        json={"customer_id": desk.bank.book_b[0], "channel": "phone", "text": "投诉"},
        headers=desk.manager,
    )
    assert foreign.status_code == 404


def test_the_sweep_reminds_owners_once_and_escalates_overdue_cases(
    client: TestClient,
    desk: Desk,
    app_settings: str,
) -> None:
    now = datetime.now(UTC)
    due_soon = _register(client, desk, received_at=(now - timedelta(days=13)).isoformat())
    overdue = _register(client, desk, received_at=(now - timedelta(days=16)).isoformat())
    fresh = _register(client, desk)
    queue = client.get(f"{COMPLAINTS}?overdue=true", headers=desk.manager).json()
    assert [item["id"] for item in queue["items"]] == [overdue["id"]]
    soon = client.get(f"{COMPLAINTS}?due_soon=true", headers=desk.manager).json()
    assert [item["id"] for item in soon["items"]] == [due_soon["id"]]

    first = client.post(f"{COMPLAINTS}/sweep", headers=desk.branch_manager)
    assert first.json() == {"reminders": 1, "escalated": 1}
    second = client.post(f"{COMPLAINTS}/sweep", headers=desk.branch_manager)
    assert second.json() == {"reminders": 0, "escalated": 0}

    escalated = client.get(f"{COMPLAINTS}/{overdue['id']}", headers=desk.officer).json()
    assert escalated["status"] == "escalated"
    assert escalated["owner_name"] == desk.full_names[desk.bank.branch_manager]
    assert escalated["events"][-1]["actor"] is None
    assert escalated["events"][-1]["detail"] == {"rule": "overdue"}
    engine = make_engine(app_settings)
    with Session(engine) as session:
        tasks = session.scalars(select(Task).where(Task.source == "complaints")).all()
        assert [task.source_ref.split(":")[0] for task in tasks if task.source_ref] == [
            str(due_soon["id"])
        ]
    engine.dispose()
    assert client.get(f"{COMPLAINTS}/{fresh['id']}", headers=desk.officer).json()["status"] == (
        "received"
    )


def test_bad_input_is_a_4xx_with_the_field(
    client: TestClient,
    desk: Desk,
) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    answer = client.post(
        COMPLAINTS,
        json={"channel": "web", "text": "投诉", "received_at": future},
        headers=desk.manager,
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "received_at"
    unknown = client.post(
        COMPLAINTS,
        json={"channel": "web", "text": "投诉", "issue": "no_such_issue"},
        headers=desk.manager,
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "issue"
    no_branch = client.post(
        COMPLAINTS,
        json={"channel": "web", "text": "投诉", "branch_id": 999_999},
        headers=desk.manager,
    )
    assert no_branch.status_code == 422
    assert no_branch.json()["field"] == "branch_id"
    far = client.get(f"{COMPLAINTS}/report?start=2026-01-01&end=9999-12-31", headers=desk.officer)
    assert far.status_code == 422
    assert far.json()["field"] == "end"
    missing = client.post(
        f"{COMPLAINTS}/999999/transitions",
        json={"action": "accept", "version": 1},
        headers=desk.officer,
    )
    assert missing.status_code == 404
