"""A churn reason in the feature's natural unit (yuan, months, counts) beside the typical
value of similar customers: never in log yuan, never "-0"."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bankcrm.churn.model import ChurnModel, FeatureMatrix, Reason, peer_medians, typical_rows
from bankcrm.churn.reasons import describe, value_text


def test_money_is_turned_back_from_log_yuan_into_the_money_format() -> None:
    text = describe(Reason("turnover", math.log1p(12_000), math.log1p(30_000), 0.2), "en")
    assert text == "Transactions in the last 12 months ¥12K; similar customers usually ¥30K"
    assert "log" not in text
    small = value_text(math.log1p(1_234.4), "business_volume", "en")
    assert small == "¥1,234.00"
    # the Chinese money format writes 万
    assert value_text(math.log1p(12_000), "turnover", "zh_CN") == "¥1.2万"


def test_recency_and_tenure_read_in_months() -> None:
    assert describe(Reason("months_since_last_transaction", 5.0, 0.96, None), "en") == (
        "Last own transaction 5 months ago; similar customers usually 1 month ago"
    )
    assert value_text(None, "months_since_last_transaction", "en") == "never"
    assert value_text(0.02, "months_since_last_transaction", "en") == "this month"
    assert describe(Reason("tenure_months", 8.04, 40.2, 0.1), "en") == (
        "Customer for 8 months; similar customers usually 40 months"
    )
    assert value_text(2.46, "tenure_months", "en") == "2.5 months"


def test_counts_scores_and_shares_read_as_such() -> None:
    assert describe(Reason("transactions", 3.0, 25.0, 0.1), "en") == (
        "Own transactions in the last 12 months 3; similar customers usually 25"
    )
    assert value_text(1234.0, "interactions", "en") == "1,234"
    assert value_text(0.123, "p_alive", "en") == "12%"
    assert value_text(-0.45, "volume_trend", "en") == "-45%"
    assert value_text(0.2, "volume_trend", "en") == "+20%"
    assert value_text(math.inf, "volume_trend", "en") == "up from nothing"
    assert value_text(1.0, "customer_type", "en") == "corporate"
    assert value_text(None, "transactions", "en") == "—"


@pytest.mark.parametrize(
    ("feature", "value"),
    [
        ("volume_trend", -0.004),
        ("transactions", -0.0),
        ("loyalty_index", -0.3),
        ("expected_transactions", -0.04),
        ("p_alive", -0.001),
        ("tenure_months", -0.01),
        ("months_since_last_transaction", -0.01),
        ("turnover", -1e-9),
    ],
)
def test_a_value_rounded_to_nothing_is_never_minus_zero(feature: str, value: float) -> None:
    for locale in ("en", "zh_CN"):
        text = describe(Reason(feature, value, value, None), locale)
        assert "-0" not in text and "−0" not in text, text


def test_similar_customers_are_those_of_the_same_type() -> None:
    # column 0: customer type (0 individual, 1 corporate); column 1: turnover
    values = np.array([[0, 10.0], [0, 12.0], [1, 100.0], [1, 120.0], [0, np.nan]])
    matrix = FeatureMatrix(("customer_type", "turnover"), values, (True, False))
    stayed = np.array([True, True, True, True, False])
    by_peer = peer_medians(matrix, stayed, "customer_type")
    assert by_peer[0.0][1] == 11.0 and by_peer[1.0][1] == 110.0
    typical = typical_rows(matrix, np.array([0.0, 50.0]), by_peer, "customer_type")
    assert typical[:, 1].tolist() == [11.0, 11.0, 110.0, 110.0, 11.0]
    assert typical_rows(matrix, np.array([0.0, 50.0]), {}, None)[:, 1].tolist() == [50.0] * 5


def test_the_models_reasons_compare_with_the_customers_own_type() -> None:
    generator = np.random.default_rng(3)
    size = 400
    corporate = (np.arange(size) % 2).astype(float)
    turnover = np.where(corporate == 1, 12.0, 8.0) + generator.normal(0, 0.3, size)
    churned = turnover < np.where(corporate == 1, 11.8, 7.8)
    matrix = FeatureMatrix(
        ("customer_type", "turnover"), np.column_stack([corporate, turnover]), (True, False)
    )
    model = ChurnModel().fit(matrix, churned)
    risky = np.flatnonzero(churned)[:20]
    for row, reasons in zip(risky, model.reasons(matrix.rows(risky)), strict=True):
        own = model.peer_typical_[corporate[row]]
        for reason in reasons:
            if reason.feature == "turnover":
                assert reason.typical == pytest.approx(own[1], abs=1e-4)
