"""The demo builds at every size, the one where nobody is warned of churning too."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.core.db import make_engine
from tests.commands import run_bankcrm


def test_a_1500_customer_demo_is_built_though_nobody_is_warned(tmp_path: Path) -> None:
    """At 1,500 customers (seed 7) the churn model, learned from the bank's own churners,
    scored nobody above the threshold, and explaining no one stopped the build."""
    result = run_bankcrm("demo", "--customers", "1500", "--no-serve", "--json", cwd=tmp_path)
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
