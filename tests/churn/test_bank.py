"""Churn warning and lifetime value on generated banks, through the commands and the API."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.cli.main import app
from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import ChurnMethod
from bankcrm.core.migrate import upgrade
from bankcrm.customers.models import Customer
from bankcrm.demo.flows import build_demo_bank
from bankcrm.ingest.service import import_directory
from bankcrm.ingest.synth import GENERATED_AS_OF, generate_bank
from bankcrm.main import create_app
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task
from tests.small_bank import login

runner = CliRunner()
AS_OF = GENERATED_AS_OF.isoformat()


def run_cli(*arguments: str) -> dict:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_planted_churners_rank_high_on_a_time_ordered_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator fades 8 % of customers out; the model learned on the window before
    finds the ones that churn in the last six months."""
    files = tmp_path / "files"
    generate_bank(files, customers=3_000, seed=11)
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    upgrade(url)
    import_directory(url, files)
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    reset_caches()

    result = run_cli("churn", "run", "--as-of", AS_OF, "--json")
    assert result["method"] == ChurnMethod.MODEL
    evaluation = result["evaluation"]
    assert evaluation["top_decile_lift"] >= 3
    assert evaluation["auc"] > 0.8
    assert result["warnings"] > 0
    assert result["tasks_created"] == result["warnings"]

    engine = make_engine(url)
    with Session(engine) as session:
        # the lapsed from the threshold, the still active from the run's own bar
        warned = session.scalars(
            select(ChurnScore).where(
                or_(
                    ChurnScore.active.is_(False) & (ChurnScore.probability >= result["threshold"]),
                    ChurnScore.active.is_not(False)
                    & (ChurnScore.probability >= result["active_threshold"]),
                )
            )
        ).all()
        assert result["active_threshold"] <= result["threshold"]
        assert len(warned) == result["warnings"]
        assert all(score.reasons and score.diagnosis for score in warned)
        tasks = session.scalars(select(Task).where(Task.source == "churn")).all()
        assert {task.customer_id for task in tasks} == {score.customer_id for score in warned}
        managers = {
            customer: manager
            for customer, manager in session.execute(
                select(Customer.id, Customer.manager_id).where(
                    Customer.id.in_([task.customer_id for task in tasks])
                )
            )
        }
        assert all(task.assignee_id == managers[task.customer_id] for task in tasks)
    engine.dispose()

    again = run_cli("churn", "run", "--as-of", AS_OF, "--json")
    assert again["tasks_created"] == 0  # the open retention tasks are not raised twice


def test_a_small_bank_is_warned_by_p_alive(app_settings: str, tmp_path: Path) -> None:
    """Three hundred customers are too few to learn from: 1 − P(alive) warns instead, and the
    list, the scores and the valuation answer each viewer within their scope."""
    bank = build_demo_bank(
        database_url=app_settings,
        work_dir=tmp_path,
        customers=300,
        seed=2,
        as_of=GENERATED_AS_OF,
    )
    engine = make_engine(app_settings)
    with Session(engine) as session:
        run = session.scalars(select(ChurnRun)).one()
        assert run.as_of == GENERATED_AS_OF
        assert run.method is ChurnMethod.P_ALIVE
        assert run.warnings > 0
        valued = session.scalar(select(func.count()).select_from(CustomerValue))
        assert valued and valued > 250
        assert session.scalar(select(ClvRun.validation)) is not None
        users = {user.username: user for user in session.scalars(select(StaffUser))}
        book_of = {
            customer: manager
            for customer, manager in session.execute(select(Customer.id, Customer.manager_id))
        }
    engine.dispose()

    managers = [item for item in bank.logins if item.role == "account_manager"]
    analyst = next(item for item in bank.logins if item.role == "marketing_analyst")
    with TestClient(create_app()) as client:
        everyone = client.get(
            "/api/v1/churn/warnings",
            params={"page_size": 200},
            headers=login(client, analyst.username, analyst.password),
        ).json()
        assert everyone["method"] == "p_alive"
        assert everyone["total"] == run.warnings
        # the still active first, then the lapsed (win-back); each by probability × value
        groups = [item["group"] for item in everyone["items"]]
        assert groups == sorted(groups)
        assert groups.count("active") == everyone["active_total"]
        for group in ("active", "lapsed"):
            priorities = [
                float(item["priority"] or 0) for item in everyone["items"] if item["group"] == group
            ]
            assert priorities == sorted(priorities, reverse=True)
        bar = {"lapsed": run.threshold, "active": run.active_threshold}
        assert all(item["probability"] >= bar[item["group"]] for item in everyone["items"])
        assert all(item["reasons"] for item in everyone["items"])

        mine = managers[0]
        headers = login(client, mine.username, mine.password)
        own = client.get("/api/v1/churn/warnings", params={"page_size": 200}, headers=headers)
        own_ids = {item["customer_id"] for item in own.json()["items"]}
        assert all(book_of[customer] == users[mine.username].id for customer in own_ids)
        others = [
            customer for customer, manager in book_of.items() if manager != users[mine.username].id
        ]
        for path in ("churn", "value", "segment"):
            assert (
                client.get(f"/api/v1/customers/{others[0]}/{path}", headers=headers).status_code
                == 404
            )
        own_customer = next(
            customer for customer, manager in book_of.items() if manager == users[mine.username].id
        )
        value = client.get(f"/api/v1/customers/{own_customer}/value", headers=headers)
        assert value.status_code == 200, value.text
        assert 0 <= value.json()["p_alive"] <= 1
        assert float(value.json()["clv"]) >= 0

        analyst_headers = login(client, analyst.username, analyst.password)
        quadrants = client.get("/api/v1/clv/by-quadrant", headers=analyst_headers).json()
        assert sum(row["customers"] for row in quadrants["quadrants"]) == valued
        check = client.get("/api/v1/clv/validation", headers=analyst_headers).json()
        assert check["buckets"] and check["tracking"]
        assert (
            client.get(
                "/api/v1/churn/warnings", params={"as_of": "2020-01-01"}, headers=analyst_headers
            ).status_code
            == 404
        )
        assert (
            client.get(
                "/api/v1/churn/warnings", params={"page_size": 0}, headers=analyst_headers
            ).status_code
            == 422
        )


def test_bank_churners_through_the_same_model(project_data: Path) -> None:
    """The real Kaggle credit-card churn file, gzipped as it is kept, labels given; the two
    naive Bayes columns of the file are its authors' model outputs and would leak the label."""
    path = project_data / "bank-churn" / "BankChurners.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as source:
        header = source.readline().rstrip("\n").split(",")
    leaks = [name for name in header if name.startswith("Naive_Bayes")]
    arguments = ["churn", "evaluate", "--labelled", str(path), "--label-col", "Attrition_Flag"]
    arguments += ["--positive", "Attrited Customer", "--exclude", "CLIENTNUM"]
    for leak in leaks:
        arguments += ["--exclude", leak]
    result = run_cli(*arguments)
    assert result["customers"] == 3_039  # 30 % of 10,127 held out
    assert result["churners"] == 488
    assert result["auc"] > 0.95
    assert result["top_decile_lift"] > 4
