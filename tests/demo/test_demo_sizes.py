"""The demo builds at every size: the sizes the analytics property test draws, and 1,500,
where nobody is warned of churning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.demo.flows import build_demo_bank
from bankcrm.ingest.synth import GENERATED_AS_OF
from tests.analytics.test_any_bank import BANK_SIZES, SEEDS
from tests.commands import run_bankcrm


def test_a_1500_customer_demo_is_built_though_nobody_is_above_the_threshold(
    tmp_path: Path,
) -> None:
    """At 1,500 customers (seed 7) the churn model, learned from the bank's own churners,
    scores nobody above the threshold (only the still active's own bar warns), and the
    build goes through."""
    result = run_bankcrm(
        "demo",
        "--customers",
        "1500",
        "--no-serve",
        "--json",
        "--as-of",
        GENERATED_AS_OF.isoformat(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    payload = json.loads(result.stdout)
    assert payload["database_url"] == "sqlite:///./bankcrm.db"
    assert payload["logins"]
    engine = make_engine(f"sqlite:///{tmp_path / 'bankcrm.db'}")
    with Session(engine) as session:
        run = session.scalars(select(ChurnRun)).one()
        assert run.customers > 0
        assert session.scalar(select(func.count()).select_from(ChurnScore)) == run.customers
    engine.dispose()


def test_a_one_customer_demo_is_built(tmp_path_factory: pytest.TempPathFactory) -> None:
    check_demo(tmp_path_factory, customers=1, seed=7)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True)
@given(customers=BANK_SIZES, seed=SEEDS)
def test_the_demo_is_built_at_the_sizes_the_analytics_are_checked_at(
    tmp_path_factory: pytest.TempPathFactory, customers: int, seed: int
) -> None:
    """Run by ``make bench``: each build costs half a minute."""
    check_demo(tmp_path_factory, customers=customers, seed=seed)


def check_demo(tmp_path_factory: pytest.TempPathFactory, *, customers: int, seed: int) -> None:
    work_dir = tmp_path_factory.mktemp("demo")
    bank = build_demo_bank(
        as_of=GENERATED_AS_OF,
        database_url=f"sqlite:///{work_dir / 'bankcrm.db'}",
        work_dir=work_dir,
        customers=customers,
        seed=seed,
    )
    assert bank.rows_by_table["customers"] == customers
    assert {login.role for login in bank.logins} == {role.value for role in Role}
    shutil.rmtree(work_dir)
