"""Corporate ratings through the API: an account manager submits, a second person (the
branch manager) reviews; approval sets the customer's credit grade, and a downgrade opens a
task for the account manager. Self-review, stale versions, individuals and customers out of
scope are refused."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import CreditGrade
from bankcrm.customers.models import Customer
from bankcrm.tasks.models import Task
from tests.small_bank import SmallBank, login

API = "/api/v1"
STRONG: dict[str, Any] = {
    "industry_outlook": "expanding",
    "ownership": "clear_and_stable",
    "corporate_culture": "strong",
    "management": "excellent",
    "leadership": "strong",
    "strategic_plan": "sound",
    "debt_to_assets": 0.3,
    "current_ratio": 2.5,
    "interest_coverage": 10,
    "return_on_assets": 0.1,
    "revenue_growth": 0.2,
}
"""Every factor's best answer: 100 points, AAA."""
MIDDLING: dict[str, Any] = {
    "industry_outlook": "stable",
    "ownership": "clear_recently_changed",
    "corporate_culture": "adequate",
    "management": "good",
    "leadership": "adequate",
    "strategic_plan": "questionable",
    "debt_to_assets": 0.6,
    "current_ratio": 1.2,
    "interest_coverage": 3,
    "return_on_assets": 0.03,
    "revenue_growth": 0.03,
}
"""29 + 30 = 59 points: BB."""


def _submit(
    client: TestClient, headers: dict[str, str], customer: int, answers: dict[str, Any]
) -> dict[str, Any]:
    answer = client.post(
        f"{API}/customers/{customer}/ratings", json={"answers": answers}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _review(
    client: TestClient, headers: dict[str, str], rating: dict[str, Any], *, approve: bool = True
) -> Any:
    return client.post(
        f"{API}/ratings/{rating['id']}/review",
        json={"approve": approve, "version": rating["version"], "note": "ok"},
        headers=headers,
    )


def _customer_state(database_url: str, customer_id: int) -> tuple[CreditGrade | None, list[Task]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        grade = session.scalar(select(Customer.credit_grade).where(Customer.id == customer_id))
        tasks = list(session.scalars(select(Task).where(Task.customer_id == customer_id)))
        session.expunge_all()
    engine.dispose()
    return grade, tasks


def test_an_approved_rating_sets_the_grade_and_a_downgrade_opens_a_task(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    company = small_bank.book_a[0]
    manager = login(client, small_bank.manager_a)
    checker = login(client, small_bank.branch_manager)

    first = _submit(client, manager, company, STRONG)
    assert (first["status"], first["grade"], first["score"]) == ("submitted", "AAA", 100)
    assert first["costliest"] == []
    assert _customer_state(app_settings, company)[0] is None

    approved = _review(client, checker, first)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["in_force"]
    grade, tasks = _customer_state(app_settings, company)
    assert grade == CreditGrade.AAA and tasks == []

    second = _submit(client, manager, company, MIDDLING)
    assert (second["grade"], second["score"]) == ("BB", 59)
    assert [factor["code"] for factor in second["costliest"]][:2] == [
        "debt_to_assets",
        "interest_coverage",
    ]
    assert _review(client, checker, second).status_code == 200
    grade, tasks = _customer_state(app_settings, company)
    assert grade == CreditGrade.BB
    assert len(tasks) == 1 and tasks[0].title_params == {"before": "AAA", "after": "BB"}
    assert tasks[0].kind == "rating_downgrade"

    listed = client.get(f"{API}/customers/{company}/ratings", headers=manager)
    assert listed.status_code == 200
    rows = listed.json()
    assert [row["grade"] for row in rows] == ["BB", "AAA"]
    assert [row["in_force"] for row in rows] == [True, False]


def test_a_rejected_rating_leaves_the_grade(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    company = small_bank.book_a[5]
    rating = _submit(client, login(client, small_bank.manager_a), company, MIDDLING)
    rejected = _review(client, login(client, small_bank.branch_manager), rating, approve=False)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert _customer_state(app_settings, company) == (None, [])


def test_the_preparer_may_not_review_their_own_rating(
    client: TestClient, small_bank: SmallBank
) -> None:
    checker = login(client, small_bank.branch_manager)
    rating = _submit(client, checker, small_bank.book_a[0], STRONG)
    answer = _review(client, checker, rating)
    assert answer.status_code == 403
    assert "maker–checker" in answer.json()["detail"]


def test_a_stale_version_or_a_second_review_is_a_conflict(
    client: TestClient, small_bank: SmallBank
) -> None:
    rating = _submit(client, login(client, small_bank.manager_a), small_bank.book_a[0], STRONG)
    checker = login(client, small_bank.branch_manager)
    stale = client.post(
        f"{API}/ratings/{rating['id']}/review",
        json={"approve": True, "version": rating["version"] + 1},
        headers=checker,
    )
    assert stale.status_code == 409
    assert _review(client, checker, rating).status_code == 200
    again = client.post(
        f"{API}/ratings/{rating['id']}/review",
        json={"approve": False, "version": rating["version"] + 1},
        headers=checker,
    )
    assert again.status_code == 409


def test_only_companies_are_rated_and_only_with_complete_answers(
    client: TestClient, small_bank: SmallBank
) -> None:
    manager = login(client, small_bank.manager_a)
    individual = client.post(
        f"{API}/customers/{small_bank.book_a[1]}/ratings", json={"answers": STRONG}, headers=manager
    )
    assert individual.status_code == 422
    assert individual.json()["field"] == "customer_id"
    partial = {code: value for code, value in STRONG.items() if code != "leadership"}
    missing = client.post(
        f"{API}/customers/{small_bank.book_a[0]}/ratings",
        json={"answers": partial},
        headers=manager,
    )
    assert missing.status_code == 422 and missing.json()["field"] == "leadership"


def test_customers_and_ratings_out_of_scope_are_not_found(
    client: TestClient, small_bank: SmallBank
) -> None:
    other = login(client, small_bank.manager_b)
    answer = client.post(
        f"{API}/customers/{small_bank.book_a[0]}/ratings", json={"answers": STRONG}, headers=other
    )
    assert answer.status_code == 404
    assert (
        client.get(f"{API}/customers/{small_bank.book_a[0]}/ratings", headers=other).status_code
        == 404
    )
    rating = _submit(client, login(client, small_bank.manager_a), small_bank.book_a[0], STRONG)
    # an account manager may not review at all
    assert _review(client, other, rating).status_code == 403


def test_analysts_may_not_submit(client: TestClient, small_bank: SmallBank) -> None:
    analyst = login(client, small_bank.analyst)
    answer = client.post(
        f"{API}/customers/{small_bank.book_a[0]}/ratings", json={"answers": STRONG}, headers=analyst
    )
    assert answer.status_code == 403
