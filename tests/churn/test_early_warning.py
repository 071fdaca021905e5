"""Early warning: the still-active risk set apart from the lapsed, the check on the still
active, the lead time of the warnings and the order of the warning list, by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy.orm import Session

from bankcrm.churn import service
from bankcrm.churn.features import Snapshot, still_active
from bankcrm.churn.model import FeatureMatrix, lead_time
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.core.config import ChurnSettings
from bankcrm.core.enums import AnalyticsEngine, ChurnMethod, Role
from tests import factories


def test_the_risk_set_ends_at_exactly_the_active_months() -> None:
    since_last = np.array([0.0, 1.99, 2.0, 2.01, 5.9, np.nan, np.nan, np.nan])
    tenure = np.array([30.0, 30.0, 30.0, 30.0, 30.0, 1.0, 2.0, 2.01])
    assert still_active(since_last, tenure, 2).tolist() == [
        True,
        True,
        True,  # exactly two months since the last own transaction: still active
        False,
        False,
        True,  # no own transaction yet, a month-old relationship
        True,
        False,  # no own transaction in more than two months of relationship
    ]
    assert still_active(since_last, tenure, 3).tolist()[3] is True


def test_active_months_must_be_shorter_than_the_churn_silence() -> None:
    assert ChurnSettings().active_months == 2
    with pytest.raises(ValueError, match="active_months must be shorter"):
        ChurnSettings(active_months=6, inactive_months=6)


def test_lead_time_by_hand() -> None:
    months = 7
    warned = np.zeros((7, months), dtype=bool)
    churned = np.zeros((7, months), dtype=bool)
    warned[0, 0:] = True  # warned from month 0, churned in month 3: 3 months ahead
    churned[0, 3:] = True
    warned[1, 2:] = True  # first warned in month 2, churned in month 4: 2 ahead
    churned[1, 4:] = True
    warned[2, 5] = True  # warned only after churning in month 4: not in time
    churned[2, 4:] = True
    warned[3, :] = True  # warned but never churned: no churner
    warned[4, :] = True  # churned before the window: no churner of it
    churned[4, :] = True
    warned[6, 0] = True  # churned in month 2, back by the end: no churner of the window
    churned[6, 2:5] = True
    warned[5, 1] = True  # a single warning in month 1, churned in month 6: 5 ahead
    churned[5, 6] = True
    result = lead_time(warned, churned)
    assert (result.churners, result.warned) == (4, 3)
    assert result.median_months == 3.0  # median of 3, 2 and 5
    warned[5] = False
    assert lead_time(warned, churned).median_months == 2.5  # median of 3 and 2
    assert lead_time(np.zeros_like(warned), churned).median_months is None
    with pytest.raises(ValueError, match="one warning and one churn flag"):
        lead_time(warned[:, :3], churned)


def day(
    customer_id: list[int],
    probability: list[float],
    *,
    live: list[bool],
    active: list[bool],
    churned: list[bool],
) -> Snapshot:
    """A snapshot whose one feature is the score the check reads."""
    values = np.array(probability, dtype=float)[:, None]
    return Snapshot(
        as_of=date(2026, 1, 31),
        customer_id=np.array(customer_id),
        matrix=FeatureMatrix(("score",), values, (False,)),
        live=np.array(live),
        churned=np.array(churned),
        active=np.array(active),
    )


def read_score(snapshot: Snapshot) -> np.ndarray:
    return snapshot.feature("score")[snapshot.live]


def test_the_check_on_the_still_active_and_the_lead_time_by_hand() -> None:
    """Twelve customers live on the first day: ten still active (1–10), two lapsed (11,
    12). Customers 1 and 5 of the active churn, and both lapsed ones."""
    ids = list(range(1, 13))
    first = [0.9, 0.8, 0.7, 0.6, 0.3, 0.5, 0.4, 0.2, 0.1, 0.05, 0.95, 0.97]
    everyone = [True] * 12
    start = day(
        ids,
        first,
        live=everyone,
        active=[True] * 10 + [False] * 2,
        churned=[False] * 12,
    )
    # a month later customer 5 has lapsed and scores 0.6; customer 1 has churned already
    middle_score = [0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.4, 0.2, 0.1, 0.05, 0.95, 0.97]
    middle_churned = [True] + [False] * 11
    middle = day(
        ids,
        middle_score,
        live=[not gone for gone in middle_churned],
        active=[False] + [True] * 3 + [False] + [True] * 5 + [False] * 2,
        churned=middle_churned,
    )
    end_churned = [True, False, False, False, True] + [False] * 5 + [True, True]
    end = day(
        ids,
        first,
        live=[not gone for gone in end_churned],
        active=[not gone for gone in end_churned],
        churned=end_churned,
    )
    check = service._check(read_score, start, [middle], end)
    assert check is not None
    # all twelve: the top decile (two) are 12 and 11, both churned: (2/2) / (4/12) = 3
    assert (check["customers"], check["churners"]) == (12, 4)
    assert check["top_decile_lift"] == 3.0
    # 0.97, 0.95 and 0.9 rank above all eight who stayed, 0.3 above three: 27 of 32 pairs
    assert check["auc"] == pytest.approx(27 / 32, abs=1e-4)
    # the still active: 0.9 above all eight who stayed, 0.3 above three: 11 of 16 pairs;
    # the top tenth (one) is customer 1, who churned: 1 / (2/10) = 5
    active = check["active"]
    assert (active["customers"], active["churners"]) == (10, 2)
    assert active["auc"] == pytest.approx(11 / 16, abs=1e-4)
    assert active["top_decile_lift"] == 5.0
    # a warning is a place in the day's top tenth: of all live, 12 and 11 on days 0 and 1
    # (two of twelve, of eleven), churned by day 2 → 2 months each; 1 and 5 never
    assert check["lead_time"] == {"churners": 4, "warned": 2, "median_months": 2.0}
    # of the still active: customer 1 on day 0 (one of ten), churned by day 1 → 1 month;
    # customer 2 on days 1 and 2, who does not churn; 5, 11 and 12 never
    assert check["lead_time_active"] == {"churners": 4, "warned": 1, "median_months": 1.0}
    without_months = service._check(read_score, start, None, end)
    assert without_months is not None and without_months["lead_time"] is None


def test_the_list_leads_with_the_still_active_ranked_by_probability_times_value(
    session: Session,
) -> None:
    branch = factories.branch(session)
    manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
    analyst = factories.staff(session, role=Role.MARKETING_ANALYST)
    run = ChurnRun(
        as_of=date(2026, 9, 30),
        engine=AnalyticsEngine.DUCKDB,
        method=ChurnMethod.MODEL,
        customers=7,
        warnings=6,
        threshold=0.5,
        settings={"active_months": 2},
        evaluation=None,
        finished_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    session.add(run)
    session.flush()
    # name: (probability, still active, CLV in yuan)
    scores = {
        "a-high-value": (0.55, True, 10_000),  # 5,500
        "a-likely-cheap": (0.95, True, 1_000),  # 950
        "a-middle": (0.7, True, 5_000),  # 3,500
        "a-no-value": (0.9, True, None),  # 0
        "lapsed-rich": (0.99, False, 20_000),  # 19,800, but lapsed
        "lapsed-poor": (1.0, False, 100),
        "below-threshold": (0.4, True, 1_000_000),
    }
    ids = {}
    for name, (probability, active, value) in scores.items():
        customer = factories.customer(
            session, branch_id=branch.id, manager_id=manager.id, name=name
        )
        ids[customer.id] = name
        session.add(
            ChurnScore(
                run_id=run.id,
                customer_id=customer.id,
                probability=probability,
                reasons=[],
                active=active,
                value_cents=None if value is None else value * 100,
            )
        )
    session.flush()

    page = service.churn_warnings(session, user=analyst, locale="en")
    assert [ids[item.customer_id] for item in page.items] == [
        "a-high-value",
        "a-middle",
        "a-likely-cheap",
        "a-no-value",
        "lapsed-rich",
        "lapsed-poor",
    ]
    assert [item.group for item in page.items] == ["active"] * 4 + ["lapsed"] * 2
    assert (page.total, page.active_total, page.lapsed_total) == (6, 4, 2)
    assert page.items[0].manager_name == manager.full_name
    assert str(page.items[0].value) == "10000.00"
    assert str(page.items[0].priority) == "5500.00"
    assert page.items[3].value is None and page.items[3].priority is None
    assert page.active_months == 2

    lapsed = service.churn_warnings(session, user=analyst, locale="en", group="lapsed")
    assert [ids[item.customer_id] for item in lapsed.items] == ["lapsed-rich", "lapsed-poor"]
    assert lapsed.total == 2
    second = service.churn_warnings(session, user=analyst, locale="en", page=2, page_size=4)
    assert [item.group for item in second.items] == ["lapsed", "lapsed"]


def test_the_top_tenth_of_the_still_active_is_warned_below_the_threshold() -> None:
    churn = ChurnSettings(early_warning_share=0.10, warning_threshold=0.5)
    # twenty still active scored 0.01 … 0.20 and two lapsed at 0.30 and 0.60
    probability = np.array([*(index / 100 for index in range(1, 21)), 0.30, 0.60])
    active = np.array([True] * 20 + [False, False])
    threshold = service.early_threshold(probability, active, churn)
    assert threshold == pytest.approx(np.quantile(np.arange(1, 21) / 100, 0.9))
    warned = service.warned_customers(
        probability, active, threshold=churn.warning_threshold, active_threshold=threshold
    )
    # the two highest of the still active (0.19, 0.20) and the lapsed above 0.5; not the
    # lapsed at 0.30, above the still active's bar but below the threshold
    assert np.flatnonzero(warned).tolist() == [18, 19, 21]
    # a bank whose still active score high is not warned beyond the threshold's list
    high = np.full(20, 0.9)
    assert service.early_threshold(high, np.ones(20, dtype=bool), churn) == 0.5
    assert service.early_threshold(high, np.zeros(20, dtype=bool), churn) == 0.5


def test_the_list_warns_the_still_active_from_the_runs_own_bar(session: Session) -> None:
    branch = factories.branch(session)
    manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
    run = ChurnRun(
        as_of=date(2026, 9, 30),
        engine=AnalyticsEngine.DUCKDB,
        method=ChurnMethod.MODEL,
        customers=3,
        warnings=2,
        threshold=0.5,
        active_threshold=0.3,
        settings={"active_months": 2},
        evaluation=None,
        finished_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    session.add(run)
    session.flush()
    names = {}
    for name, probability, active in (
        ("active-warned", 0.35, True),
        ("active-quiet", 0.25, True),
        ("lapsed-below", 0.4, False),
        ("lapsed-warned", 0.6, False),
    ):
        customer = factories.customer(
            session, branch_id=branch.id, manager_id=manager.id, name=name
        )
        names[customer.id] = name
        session.add(
            ChurnScore(
                run_id=run.id,
                customer_id=customer.id,
                probability=probability,
                reasons=[],
                active=active,
                value_cents=100_000,
            )
        )
    session.flush()
    page = service.churn_warnings(session, user=manager, locale="en")
    assert [names[item.customer_id] for item in page.items] == ["active-warned", "lapsed-warned"]
    assert page.active_threshold == 0.3
    for customer_id, name in names.items():
        card = service.customer_churn(session, user=manager, customer_id=customer_id, locale="en")
        assert card.warning is (name in ("active-warned", "lapsed-warned")), name
