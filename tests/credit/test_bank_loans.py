"""The bank's own loans: the application file, a card learnt from it, the borrowers scored
and a task where a grade fell."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import CreditGrade
from bankcrm.core.migrate import upgrade
from bankcrm.credit.models import CreditScore
from bankcrm.customers.models import Customer
from bankcrm.ingest.service import import_directory
from bankcrm.ingest.synth import generate_bank
from bankcrm.tasks.models import Task

runner = CliRunner()


def _run(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bank")
    generate_bank(directory / "files", customers=3_000, seed=7)
    database = directory / "bank.db"
    upgrade(f"sqlite:///{database}")
    import_directory(f"sqlite:///{database}", directory / "files")
    return database


def test_the_banks_loans_teach_a_card_that_beats_the_one_hot_regression(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    (tmp_path / "bank.db").write_bytes(bank.read_bytes())
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    reset_caches()
    loans = tmp_path / "loans.csv"
    _run("credit", "bank-loans", "--out", str(loans))
    rows = list(csv.DictReader(loans.open(encoding="utf-8")))
    assert rows and {"amount", "age", "years_with_bank", "loan_class"} <= rows[0].keys()
    classes = {row["loan_class"] for row in rows}
    assert classes <= {"normal", "special_mention", "substandard", "doubtful", "loss"}
    assert all(float(row["amount"]) > 0 for row in rows)

    card = tmp_path / "card.json"
    report = json.loads(
        _run(
            "credit",
            "fit",
            "--data",
            str(loans),
            "--target",
            "loan_class",
            "--bad",
            "substandard",
            "--bad",
            "doubtful",
            "--bad",
            "loss",
            "--exclude",
            "loan",
            "--exclude",
            "customer",
            "--baseline",
            "--save",
            str(card),
            "--json",
        )
    )
    assert report["rows"] == len(rows)
    assert report["auc"] >= report["baseline"]["auc"]

    engine = make_engine(url)
    borrowers = {row["customer"] for row in rows}
    with Session(engine) as session:
        # the first borrower was AAA at the last scoring: a fall opens a task for the manager
        first = session.scalars(
            select(Customer).where(Customer.external_id == rows[0]["customer"])
        ).one()
        session.add(
            CreditScore(
                customer_id=first.id, scored_on=date(2026, 1, 1), score=900.0,
                probability_of_default=0.0001, grade=CreditGrade.AAA, reasons=[], scorecard="old",
            )
        )  # fmt: skip
        first_id = first.id
        session.commit()
    run = json.loads(_run("credit", "score-bank", "--scorecard", str(card), "--json"))
    assert run["scored"] == len(borrowers)
    assert run["downgraded"] >= 1 and run["tasks_created"] == run["downgraded"]
    with Session(engine) as session:
        latest = session.scalars(
            select(CreditScore).where(CreditScore.customer_id == first_id).order_by(CreditScore.id)
        ).all()[-1]
        assert latest.scorecard == "card.json" and latest.grade != CreditGrade.AAA
        task = session.scalars(select(Task).where(Task.kind == "credit_downgrade")).first()
        assert task is not None and task.customer_id is not None
        owner = session.get(Customer, task.customer_id)
        assert owner is not None and task.assignee_id == owner.manager_id
    # scoring again raises no second task for the same fall
    again = json.loads(_run("credit", "score-bank", "--scorecard", str(card), "--json"))
    assert again["tasks_created"] == 0
    engine.dispose()
