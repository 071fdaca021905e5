"""Two runs saving the same day at once: the second is told, not silently merged."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.core.exceptions import Conflict
from bankcrm.segmentation.models import SegmentRun
from bankcrm.segmentation.repository import RunRepository

DAY = date(2026, 9, 30)


def new_run(customers: int) -> SegmentRun:
    return SegmentRun(
        as_of=DAY,
        engine=AnalyticsEngine.DUCKDB,
        period_months=12,
        customers=customers,
        settings={},
        summary={},
    )


@pytest.mark.postgres
def test_the_second_of_two_simultaneous_runs_gets_a_conflict(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    first, second = Session(engine), Session(engine)
    RunRepository(first).replace(new_run(1))  # inserted, not yet committed
    outcome: list[BaseException | None] = []

    def save_second() -> None:
        try:
            RunRepository(second).replace(new_run(2))  # waits on the first one's row
            second.commit()
            outcome.append(None)
        except BaseException as error:  # handed to the test thread
            second.rollback()
            outcome.append(error)

    worker = threading.Thread(target=save_second)
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive(), "the second run must wait for the first one's commit"
    first.commit()
    worker.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    with Session(engine) as session:
        assert session.scalar(select(func.count(SegmentRun.id))) == 1
        assert session.scalar(select(SegmentRun.customers)) == 1
    first.close()
    second.close()
    engine.dispose()
