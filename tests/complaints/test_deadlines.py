from __future__ import annotations

from datetime import UTC, date, datetime

from bankcrm.complaints.deadlines import DeadlineRule


def test_calendar_days_received_plus_15_and_plus_30_after_the_extension() -> None:
    rule = DeadlineRule()
    received = datetime(2026, 9, 28, 6, 30, tzinfo=UTC)
    deadline = rule.deadline(received)
    assert deadline == datetime(2026, 10, 13, 6, 30, tzinfo=UTC)
    assert rule.after(deadline, rule.extension_days) == datetime(2026, 10, 28, 6, 30, tzinfo=UTC)


def test_working_days_skip_weekends_and_holidays_and_count_days_worked_in_lieu() -> None:
    # National Day 2026: 1–7 October off, Saturday 10 October worked in lieu (Asia/Shanghai).
    rule = DeadlineRule(
        working_days=True,
        holidays=frozenset(date(2026, 10, day) for day in range(1, 8)),
        extra_working_days=frozenset({date(2026, 10, 10)}),
    )
    received = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
    # working days after 29 Sep: 30 Sep (1), 8 Oct (2), 9 Oct (3), Sat 10 Oct (4), 12–16 (5–9),
    # 19–23 (10–14), 26 Oct (15)
    assert rule.deadline(received) == datetime(2026, 10, 26, 2, 0, tzinfo=UTC)


def test_a_late_evening_receipt_counts_from_the_bank_day_not_the_utc_day() -> None:
    rule = DeadlineRule(working_days=True, days=1)
    # Friday 23:30 in Shanghai is still Friday 15:30 UTC; the next working day is Monday.
    received = datetime(2026, 10, 16, 15, 30, tzinfo=UTC)
    assert rule.deadline(received) == datetime(2026, 10, 19, 15, 30, tzinfo=UTC)
