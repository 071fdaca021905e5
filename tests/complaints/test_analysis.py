"""The case-analysis report on ten cases whose every figure is worked out by hand below."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bankcrm.complaints.analysis import (
    BranchTimeliness,
    CaseFacts,
    CostRow,
    GapCount,
    MonthlySeries,
    RepeatComplainant,
    case_report,
    months_between,
)
from bankcrm.complaints.taxonomy import load_taxonomy

BANK_TIME = timezone(timedelta(hours=8))
START = date(2026, 1, 1)
END = date(2026, 4, 30)
NOW = datetime(2026, 5, 10, 9, 0, tzinfo=BANK_TIME)
DEADLINE = timedelta(days=15)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BANK_TIME)


def case(
    id: int,
    received_at: datetime,
    *,
    replied_after: timedelta | None = None,
    deadline: timedelta = DEADLINE,
    **fields: object,
) -> CaseFacts:
    defaults: dict[str, object] = {
        "customer_id": None,
        "branch": None,
        "channel": "counter",
        "product_line": "deposit_account",
        "issue": "service_attitude",
        "severity": "medium",
        "status": "received",
        "root_cause": None,
        "closed_at": None,
        "extended": False,
        "escalated": False,
        "confirmation": None,
        "recovery_cost": Decimal("0"),
    }
    return CaseFacts(
        id=id,
        received_at=received_at,
        deadline_at=received_at + deadline,
        first_replied_at=None if replied_after is None else received_at + replied_after,
        **{**defaults, **fields},  # type: ignore[arg-type]
    )


def days(count: float) -> timedelta:
    return timedelta(days=count)


# The ten cases of the period (January to April 2026; none in March) and two just outside.
#
#  id cust branch chan      product     issue        status        cause          reply  limit
#   1 101  East   counter   credit_card fees         closed        staff_error       5d    15d
#   2 101  East   phone     credit_card fees         closed        staff_error      10d    15d
#   3 102  East   counter   deposit     attitude     closed        staff_error      16d    15d late
#   4 103  West   counter   deposit     waiting      closed        system_failure   20d    30d ext.
#   5 101  West   phone     credit_card fees         closed        staff_error      15d    15d on it
#   6 102  West   counter   deposit     attitude     withdrawn     third_party       —     15d
#   7 104  East   app       payments    transaction  replied       system_failure  2.5d    15d
#   8 105  West   phone     personal    fees         investigating —                 —     30d ext.
#   9 —    West   counter   deposit     attitude     received      —                 —     15d
#  10 103  —      regulator credit_card fees         escalated     overpromised     18d    15d late
#
# "reply" and "limit" are days from receipt to the first reply and to the deadline;
# "ext." marks an extended deadline, "on it" a reply exactly at the deadline.
CASES = [
    case(
        1,
        at(1, 1, 0, 30),  # the period's first half hour: inside it
        replied_after=days(5),
        customer_id=101,
        branch="East",
        product_line="credit_card",
        issue="fees_and_interest",
        status="closed",
        root_cause="staff_error",
        closed_at=at(1, 8),
        confirmation="satisfied",
        recovery_cost=Decimal("50.00"),
    ),
    case(
        2,
        at(1, 5),
        replied_after=days(10),
        customer_id=101,
        branch="East",
        channel="phone",
        product_line="credit_card",
        issue="fees_and_interest",
        status="closed",
        root_cause="staff_error",
        closed_at=at(1, 20),
        confirmation="satisfied",
    ),
    case(
        3,
        at(1, 12),
        replied_after=days(16),
        customer_id=102,
        branch="East",
        status="closed",
        root_cause="staff_error",
        closed_at=at(2, 1),
        escalated=True,
        confirmation="unsatisfied",
        recovery_cost=Decimal("200.00"),
    ),
    case(
        4,
        at(1, 20),
        replied_after=days(20),
        deadline=days(30),
        customer_id=103,
        branch="West",
        issue="waiting_time",
        status="closed",
        root_cause="system_failure",
        closed_at=at(2, 15),
        extended=True,
        confirmation="no_response",
    ),
    case(
        5,
        at(2, 3),
        replied_after=DEADLINE,
        customer_id=101,
        branch="West",
        channel="phone",
        product_line="credit_card",
        issue="fees_and_interest",
        status="closed",
        root_cause="staff_error",
        closed_at=at(2, 25),
        recovery_cost=Decimal("120.50"),
    ),
    case(
        6,
        at(2, 7),
        customer_id=102,
        branch="West",
        status="withdrawn",
        root_cause="third_party",
        closed_at=at(2, 9),
    ),
    case(
        7,
        at(4, 1),
        replied_after=days(2.5),
        customer_id=104,
        branch="East",
        channel="app",
        product_line="payments",
        issue="transaction_problem",
        status="replied",
        root_cause="system_failure",
    ),
    case(
        8,
        at(4, 20),
        deadline=days(30),
        customer_id=105,
        branch="West",
        channel="phone",
        product_line="personal_loan",
        issue="fees_and_interest",
        status="investigating",
        extended=True,
    ),
    case(9, at(4, 30, 23, 0), branch="West"),  # the period's last hour: inside it
    case(
        10,
        at(2, 10),
        replied_after=days(18),
        customer_id=103,
        channel="regulator",
        product_line="credit_card",
        issue="fees_and_interest",
        status="escalated",
        root_cause="overpromised",
        escalated=True,
        recovery_cost=Decimal("300.00"),
    ),
]
OUTSIDE = [
    case(11, datetime(2025, 12, 31, 23, 30, tzinfo=BANK_TIME), customer_id=104),
    case(12, datetime(2026, 5, 1, 0, 10, tzinfo=BANK_TIME), customer_id=105, status="closed"),
]


@pytest.fixture(scope="module")
def report():
    return case_report([*CASES, *OUTSIDE], start=START, end=END, now=NOW, taxonomy=load_taxonomy())


def test_totals(report):
    # Closed 1–5; withdrawn 6; open 7, 8, 9, 10.
    totals = report.totals
    assert (totals.cases, totals.closed, totals.open, totals.withdrawn) == (10, 5, 4, 1)
    # Deadlines of the open cases: 7 → 16 Apr, 8 → 20 May (extended), 9 → 15 May,
    # 10 → 25 Feb. Passed on 10 May: 7 and 10; 7 was replied in time and waits only for
    # the customer's answer, so only 10 is overdue.
    assert totals.overdue == 1
    # Escalated: 3 and 10 of 10 cases.
    assert totals.escalated == 2
    assert totals.escalation_rate == pytest.approx(0.2)
    assert (report.start, report.end) == ("2026-01-01", "2026-04-30")
    assert report.as_of == NOW.isoformat()


def test_monthly_volume_includes_empty_months(report):
    volume = report.volume
    # January 1–4, February 5, 6, 10, March nothing, April 7, 8, 9.
    assert volume.months == ("2026-01", "2026-02", "2026-03", "2026-04")
    assert volume.total == (4, 3, 0, 3)
    # Fees: 1, 2 (Jan), 5, 10 (Feb), 8 (Apr); attitude: 3, 6, 9; one each for the others,
    # which tie and so follow in code order.
    assert volume.by_issue == (
        MonthlySeries("fees_and_interest", (2, 2, 0, 1), 5),
        MonthlySeries("service_attitude", (1, 1, 0, 1), 3),
        MonthlySeries("transaction_problem", (0, 0, 0, 1), 1),
        MonthlySeries("waiting_time", (1, 0, 0, 0), 1),
    )
    # Credit cards 1, 2, 5, 10 and deposits 3, 4, 6, 9 tie at four.
    assert volume.by_product_line == (
        MonthlySeries("credit_card", (2, 2, 0, 0), 4),
        MonthlySeries("deposit_account", (2, 1, 0, 1), 4),
        MonthlySeries("payments", (0, 0, 0, 1), 1),
        MonthlySeries("personal_loan", (0, 0, 0, 1), 1),
    )
    # West 4, 5, 6, 8, 9; East 1, 2, 3, 7; no branch 10.
    assert volume.by_branch == (
        MonthlySeries("West", (1, 2, 0, 2), 5),
        MonthlySeries("East", (3, 0, 0, 1), 4),
        MonthlySeries(None, (0, 1, 0, 0), 1),
    )
    # Counter 1, 3, 4, 6, 9; phone 2, 5, 8; app 7; regulator 10.
    assert volume.by_channel == (
        MonthlySeries("counter", (3, 1, 0, 1), 5),
        MonthlySeries("phone", (1, 1, 0, 1), 3),
        MonthlySeries("app", (0, 0, 0, 1), 1),
        MonthlySeries("regulator", (0, 1, 0, 0), 1),
    )


def test_root_cause_pareto(report):
    pareto = report.root_causes
    # Eight cases have a cause (8 and 9 have none): staff error 4 (1, 2, 3, 5), system
    # failure 2 (4, 7), overpromised 1 (10), third party 1 (6), the ties in code order.
    assert (pareto.with_cause, pareto.without_cause) == (8, 2)
    rows = [(row.root_cause, row.cases, row.share, row.cumulative_share) for row in pareto.rows]
    assert rows == [
        ("staff_error", 4, 0.5, 0.5),
        ("system_failure", 2, 0.25, 0.75),
        ("overpromised", 1, 0.125, 0.875),
        ("third_party", 1, 0.125, 1.0),
    ]
    # 50 % and 75 % fall short of 80 %; overpromised carries it to 87.5 %.
    assert pareto.vital_few == ("staff_error", "system_failure", "overpromised")
    assert [row.vital for row in pareto.rows] == [True, True, True, False]


def test_vital_few_stops_at_exactly_eighty_percent():
    # Eight of ten cases is 80 % on the dot: the first cause alone is the vital few.
    cases = [
        case(index, at(1, 1 + index), root_cause="staff_error" if index < 8 else "unfounded")
        for index in range(10)
    ]
    pareto = case_report(cases, start=START, end=END, now=NOW, taxonomy=load_taxonomy()).root_causes
    assert pareto.vital_few == ("staff_error",)
    assert pareto.rows[0].cumulative_share == 0.8


def test_service_gaps(report):
    # Staff error and system failure reveal gap 3 (4 + 2 cases), overpromising gap 4 (1);
    # a third party reveals none (1); cases without a cause are not counted at all.
    assert report.service_gaps.gaps == (
        GapCount(1, 0),
        GapCount(2, 0),
        GapCount(3, 6),
        GapCount(4, 1),
        GapCount(5, 0),
    )
    assert report.service_gaps.no_gap == 1


def test_timeliness(report):
    timeliness = report.timeliness
    # Replied: 1, 2, 3, 4, 5, 7, 10. In time: 1 (5 ≤ 15), 2 (10 ≤ 15), 4 (20 ≤ 30 extended),
    # 5 (15 ≤ 15, at the deadline), 7 (2.5 ≤ 15); late: 3 (16 > 15), 10 (18 > 15).
    assert (timeliness.replied, timeliness.timely, timeliness.late) == (7, 5, 2)
    assert timeliness.timely_rate == pytest.approx(5 / 7)
    # Extended: 4 (replied) and 8 (not yet).
    assert timeliness.extended == 2
    # Days: 2.5, 5, 10, 15, 16, 18, 20 → median 15, mean 86.5 / 7.
    assert timeliness.median_days_to_reply == pytest.approx(15)
    assert timeliness.mean_days_to_reply == pytest.approx(86.5 / 7)
    # East replied 1, 2, 3, 7 with 3 late; West 4, 5 both in time; no branch 10, late.
    assert timeliness.by_branch == (
        BranchTimeliness("East", 4, 3, 0.75),
        BranchTimeliness("West", 2, 2, 1.0),
        BranchTimeliness(None, 1, 0, 0.0),
    )


def test_recovery_cost(report):
    recovery = report.recovery
    # 50.00 (1) + 200.00 (3) + 120.50 (5) + 300.00 (10).
    assert recovery.total == Decimal("670.50")
    assert recovery.cases_with_cost == 4
    # Credit cards 50.00 + 120.50 + 300.00; deposits 200.00 (case 3).
    assert recovery.by_product_line == (
        CostRow("credit_card", Decimal("470.50")),
        CostRow("deposit_account", Decimal("200.00")),
    )
    # No branch 300.00 (10); East 50.00 + 200.00; West 120.50 (5).
    assert recovery.by_branch == (
        CostRow(None, Decimal("300.00")),
        CostRow("East", Decimal("250.00")),
        CostRow("West", Decimal("120.50")),
    )


def test_repeat_complainants(report):
    # 101: 1, 2, 5; 102: 3, 6; 103: 4, 10; 104 only 7 in the period (11 is in December);
    # 105 only 8 (12 is in May); case 9 has no customer.
    repeat = report.repeat_complainants
    assert (repeat.customers, repeat.cases) == (3, 7)
    assert repeat.top == (
        RepeatComplainant(101, 3),
        RepeatComplainant(102, 2),
        RepeatComplainant(103, 2),
    )


def test_repeat_complainants_lists_only_the_top():
    taxonomy = load_taxonomy()
    report = case_report(CASES, start=START, end=END, now=NOW, taxonomy=taxonomy, repeat_top=2)
    assert report.repeat_complainants.customers == 3
    assert report.repeat_complainants.top == (RepeatComplainant(101, 3), RepeatComplainant(102, 2))


def test_confirmations(report):
    # Closed 1–5: satisfied 1, 2; unsatisfied 3; no response 4; 5 unrecorded.
    confirmations = report.confirmations
    assert confirmations.closed == 5
    assert (
        confirmations.satisfied,
        confirmations.unsatisfied,
        confirmations.no_response,
        confirmations.unrecorded,
    ) == (2, 1, 1, 1)
    assert confirmations.satisfied_share == pytest.approx(0.4)
    assert confirmations.unsatisfied_share == pytest.approx(0.2)
    assert confirmations.no_response_share == pytest.approx(0.2)


def test_no_cases_gives_zeros_and_no_rates():
    report = case_report([], start=START, end=END, now=NOW, taxonomy=load_taxonomy())
    assert report.totals.cases == report.totals.overdue == 0
    assert report.totals.escalation_rate is None
    assert report.volume.total == (0, 0, 0, 0)
    assert report.volume.by_issue == report.volume.by_branch == ()
    assert report.root_causes.rows == report.root_causes.vital_few == ()
    assert [gap.cases for gap in report.service_gaps.gaps] == [0, 0, 0, 0, 0]
    timeliness = report.timeliness
    assert timeliness.replied == 0
    assert timeliness.timely_rate is None
    assert timeliness.median_days_to_reply is None
    assert timeliness.mean_days_to_reply is None
    assert report.recovery.total == 0
    assert report.repeat_complainants.top == ()
    assert report.confirmations.satisfied_share is None


def test_cases_outside_the_period_are_ignored():
    report = case_report(OUTSIDE, start=START, end=END, now=NOW, taxonomy=load_taxonomy())
    assert report.totals.cases == 0


def test_report_is_json_ready(report):
    data = json.loads(json.dumps(asdict(report), default=str))
    assert data["volume"]["by_branch"][2] == {"key": None, "counts": [0, 1, 0, 0], "total": 1}
    assert data["recovery"]["total"] == "670.50"


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="after"):
        case_report([], start=END, end=START, now=NOW, taxonomy=load_taxonomy())


def test_months_between_crosses_the_year():
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == (
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    )
    assert months_between(date(2026, 3, 5), date(2026, 3, 9)) == ("2026-03",)


def test_a_root_cause_outside_the_taxonomy_reveals_no_gap():
    unknown = replace(CASES[0], root_cause="not_in_the_taxonomy")
    report = case_report([unknown], start=START, end=END, now=NOW, taxonomy=load_taxonomy())
    assert report.service_gaps.no_gap == 1
    assert report.root_causes.vital_few == ("not_in_the_taxonomy",)


def test_days_and_months_are_the_banks_when_its_time_zone_is_given():
    # Stored in UTC: 17:00 on 31 Dec is 01:00 on 1 Jan in Beijing, inside the period;
    # 23:30 on 28 Feb is 07:30 on 1 Mar there, a March case.
    new_year = case(1, datetime(2025, 12, 31, 17, 0, tzinfo=UTC))
    march = case(2, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    taxonomy = load_taxonomy()
    as_stored = case_report([new_year, march], start=START, end=END, now=NOW, taxonomy=taxonomy)
    assert as_stored.volume.total == (0, 1, 0, 0)
    in_beijing = case_report(
        [new_year, march],
        start=START,
        end=END,
        now=NOW,
        taxonomy=taxonomy,
        bank_timezone=ZoneInfo("Asia/Shanghai"),
    )
    assert in_beijing.volume.total == (1, 0, 1, 0)


def test_a_naive_time_cannot_be_placed_in_the_banks_time_zone():
    naive = case(1, datetime(2026, 1, 5, 10, 0))
    with pytest.raises(ValueError, match="time zone"):
        case_report(
            [naive],
            start=START,
            end=END,
            now=NOW,
            taxonomy=load_taxonomy(),
            bank_timezone=ZoneInfo("Asia/Shanghai"),
        )
