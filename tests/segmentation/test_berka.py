"""The real PKDD'99 Czech bank data segments end to end."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine, Quadrant
from bankcrm.ingest.service import import_directory
from bankcrm.segmentation import service
from bankcrm.segmentation.models import CustomerSegment

# The extract in data/ has the transactions from 1993-01-01 to 1994-03-30.
LAST_MONTH_WITH_TRANSACTIONS = date(1994, 3, 31)


def test_berka_segments_end_to_end_with_every_quadrant_populated(
    database_url: str, berka_dir: Path
) -> None:
    import_directory(database_url, berka_dir, source_format="berka")
    engine = make_engine(database_url)
    with Session(engine) as session:
        result = service.run_segmentation(
            session,
            settings=Settings(database_url=database_url),
            as_of=LAST_MONTH_WITH_TRANSACTIONS,
            engine=AnalyticsEngine.DUCKDB,
        )
        session.commit()
        quadrants = Counter(session.scalars(select(CustomerSegment.quadrant)))
        shares = sum(session.scalars(select(CustomerSegment.business_share)))
    engine.dispose()
    assert result.customers == 5_369
    assert set(quadrants) == set(Quadrant)
    assert all(count > 0 for count in quadrants.values())
    assert sum(result.quadrants.model_dump().values()) == 5_369
    assert shares == pytest.approx(1.0)  # Berka's clients are all individuals
