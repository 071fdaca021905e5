"""``bankcrm performance compute`` and the demo's six months of KPIs, on the hand-built bank."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.core.db import make_engine
from bankcrm.demo.performance_desk import compute_demo_kpis, demo_months
from bankcrm.staff.performance.models import KpiMonth
from tests.staff.performance.bank import MONTH, TODAY, KpiBank
from tests.staff.performance.test_service import hand_bank  # noqa: F401  (fixture)

runner = CliRunner()


def test_compute_stores_the_month_and_says_so_in_json(
    hand_bank: KpiBank,  # noqa: F811
    app_settings: str,
) -> None:
    result = runner.invoke(app, ["performance", "compute", "--month", "2026-02", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"month": "2026-02", "staff": 4, "branches": 2, "frozen": 0}
    engine = make_engine(app_settings)
    with Session(engine) as session:
        row = session.scalars(
            select(KpiMonth).where(
                KpiMonth.staff_id == hand_bank.manager_a, KpiMonth.month == MONTH
            )
        ).one()
        assert row.figures["volume"] == 1_860_000.00
    engine.dispose()
    wrong = runner.invoke(app, ["performance", "compute", "--month", "2026-13"])
    assert wrong.exit_code == 1
    assert "2026-13" in wrong.output


def test_the_demo_computes_the_last_six_full_months(
    hand_bank: KpiBank,  # noqa: F811
    app_settings: str,
) -> None:
    assert demo_months(TODAY) == [date(2025, month, 1) for month in (9, 10, 11, 12)] + [
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    engine = make_engine(app_settings)
    with Session(engine) as session:
        assert compute_demo_kpis(session, today=TODAY) == 6 * 4
        session.commit()
        months = session.scalars(select(func.count(func.distinct(KpiMonth.month)))).one()
        assert months == 6
    engine.dispose()
