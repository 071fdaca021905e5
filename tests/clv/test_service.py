"""A bank the purchase model cannot learn from gets a clear refusal, not NaN in the store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.clv import service
from bankcrm.clv.models import CustomerValue
from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine
from bankcrm.core.exceptions import ValidationFailed
from tests.small_bank import SmallBank


def test_a_bank_without_a_single_repeat_transaction_is_refused_with_the_reason(
    small_bank: SmallBank, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        with pytest.raises(ValidationFailed, match="more than one day"):
            service.run_clv(
                session,
                settings=get_settings(),
                as_of=date(2026, 9, 30),
                engine=AnalyticsEngine.DUCKDB,
            )
        session.rollback()
        assert session.scalar(select(func.count()).select_from(CustomerValue)) == 0
    engine.dispose()
