"""From aggregates to segments: prospects stay out of the ranking of real customers."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from bankcrm.core.config import SegmentationSettings
from bankcrm.segmentation.features import Period
from bankcrm.segmentation.scoring import score

PERIOD = Period(as_of=date(2026, 1, 1), months=12, start=0, end=525_960)


def features(rows: list[dict[str, object]]) -> pa.Table:
    base = {
        "customer_type": "individual",
        "status": "active",
        "branch_id": 1,
        "manager_id": 1,
        "credit_grade": None,
        "other_banks_assets_cents": None,
        "onboarded_min": 0,
        "last_transaction_min": 500_000,
        "first_opened_min": 0,
        "balance_minutes": 0,
        "balance_minutes_first": 0,
        "balance_minutes_second": 0,
        "transactions": 0,
        "turnover_cents": 0,
        "active_slices": 0,
        "interactions": 0,
        "product_categories": 1,
        "accounts_opened": 1,
        "open_accounts": 1,
    }
    return pa.Table.from_pylist([base | row for row in rows])


def test_prospects_are_ordinary_with_no_loyalty_and_do_not_move_the_median() -> None:
    customers = [
        {"customer_id": 1, "balance_minutes": 700 * PERIOD.minutes, "transactions": 50},
        {"customer_id": 2, "balance_minutes": 250 * PERIOD.minutes, "transactions": 40},
        {"customer_id": 3, "balance_minutes": 50 * PERIOD.minutes, "transactions": 1},
    ]
    prospects = [
        {
            "customer_id": 10 + index,
            "accounts_opened": 0,
            "open_accounts": 0,
            "product_categories": 0,
            "last_transaction_min": None,
            "first_opened_min": None,
            "onboarded_min": None,
        }
        for index in range(20)
    ]
    table = score(features(customers + prospects), PERIOD, SegmentationSettings()).table
    rows = {row["customer_id"]: row for row in table.to_pylist()}
    for index in range(20):
        prospect = rows[10 + index]
        assert prospect["quadrant"] == "ordinary"
        assert prospect["loyalty_index"] == 0.0
        assert prospect["lifecycle_stage"] == "prospect"
        assert prospect["value_tier"] == "C"
    # among the three customers the median loyalty is customer 2's: only 1 is above it
    assert rows[1]["quadrant"] == "loyal"
    # 700 of 1000 is short of 80 %, so customer 2 (250) belongs to the head too
    assert rows[2]["quadrant"] == "problem_2"
    assert rows[3]["quadrant"] == "ordinary"
    assert rows[1]["business_share"] == 0.7
    assert rows[1]["business_volume_cents"] == 700
