"""The demo bank's complaint cases: consistent handling, the planted patterns, varied texts."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.csv as pa_csv
import pytest
from sqlalchemy import Engine, select

from bankcrm.complaints.models import Complaint
from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.core.db import make_engine
from bankcrm.ingest import synth_vocabulary as words
from bankcrm.ingest.service import import_directory
from bankcrm.ingest.synth import GENERATED_AS_OF

NOW = datetime.combine(GENERATED_AS_OF, datetime.min.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
"""The generated history ends at the start of the day ``GENERATED_AS_OF``."""
MOMENTS = (
    "received_at",
    "deadline_at",
    "extended_at",
    "first_replied_at",
    "replied_at",
    "closed_at",
    "escalated_at",
)
OPEN = {"received", "accepted", "investigating", "escalated", "replied", "reopened"}
Case = dict[str, object]


def read(bank: Path, table: str) -> list[dict[str, str]]:
    with (bank / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parsed(row: dict[str, str]) -> Case:
    case: Case = {key: value or None for key, value in row.items()}
    for name in MOMENTS:
        case[name] = datetime.fromisoformat(row[name]) if row[name] else None
    case["reopen_count"] = int(row["reopen_count"])
    return case


def when(case: Case, name: str) -> datetime:
    value = case[name]
    assert isinstance(value, datetime), (case["id"], name)
    return value


@pytest.fixture(scope="module")
def demo(demo_bank_files: Path) -> Path:
    """A demo-sized bank (20,000 customers, about 600 complaints)."""
    return demo_bank_files


@pytest.fixture(scope="module")
def cases(demo: Path) -> list[Case]:
    return [parsed(row) for row in read(demo, "complaints")]


def test_about_600_complaints_with_taxonomy_codes_in_plausible_pairs(cases: list[Case]) -> None:
    taxonomy = load_taxonomy()
    assert 450 < len(cases) < 800
    pairs = Counter((case["product_line"], case["issue"]) for case in cases)
    for (line, issue), _ in pairs.items():
        assert line in taxonomy.product_lines and issue in taxonomy.issues
        assert issue in words.COMPLAINT_ISSUE_WEIGHTS[str(line)], (line, issue)
    assert {line for line, _ in pairs} == set(words.COMPLAINT_PRODUCT_LINES)
    assert len({issue for _, issue in pairs}) == len(words.COMPLAINT_ISSUE_SENTENCES)
    causes = Counter(case["root_cause"] for case in cases if case["root_cause"])
    assert set(causes) == set(taxonomy.root_causes)
    assert causes["unfounded"] > 0.05 * sum(causes.values())
    collection = Counter(
        case["product_line"] for case in cases if case["issue"] == "collection_conduct"
    )
    assert set(collection) <= {"debt_collection", "credit_card", "personal_loan"}
    assert collection["debt_collection"] > collection["personal_loan"]


def test_statuses_and_times_are_consistent(cases: list[Case]) -> None:
    for case in cases:
        received = when(case, "received_at")
        past = [when(case, name) for name in MOMENTS if name != "deadline_at" and case[name]]
        assert all(moment < NOW for moment in past)
        status = case["status"]
        replied = status in ("replied", "closed")
        assert (case["first_replied_at"] is not None) == replied, case["id"]
        assert (case["replied_at"] is not None) == replied
        assert (case["reply"] is not None) == replied
        assert (case["root_cause"] is not None) == replied
        assert (case["closed_at"] is not None) == (status == "closed")
        assert (case["confirmation"] is not None) == (status == "closed")
        if replied:
            first, last = when(case, "first_replied_at"), when(case, "replied_at")
            assert received < first <= last
            assert (first < last) == (case["reopen_count"] == 1)
        if status == "closed":
            assert when(case, "replied_at") < when(case, "closed_at")
        else:
            assert case["reopen_count"] == 0
        if case["escalated_at"] is not None:
            escalated = when(case, "escalated_at")
            answered = when(case, "first_replied_at") if replied else NOW
            assert received < escalated < answered
        if status == "escalated":
            assert case["escalated_at"] is not None
        if received < NOW - timedelta(days=30):
            assert status in ("closed", "withdrawn"), case["id"]
        else:
            assert status in OPEN | {"closed", "withdrawn"}


def test_closed_withdrawn_reopened_and_confirmation_shares(cases: list[Case]) -> None:
    old = [case for case in cases if when(case, "received_at") < NOW - timedelta(days=30)]
    statuses = Counter(case["status"] for case in old)
    assert 0.005 < statuses["withdrawn"] / len(old) < 0.05
    closed = [case for case in cases if case["status"] == "closed"]
    reopened = [case for case in closed if case["reopen_count"] == 1]
    assert 0.01 < len(reopened) / len(closed) < 0.07
    answers = Counter(case["confirmation"] for case in closed)
    assert answers["satisfied"] > 0.6 * len(closed)
    assert answers["unsatisfied"] > 0 and answers["no_response"] > 0


def test_deadlines_follow_the_rule_with_some_extended_and_some_late(cases: list[Case]) -> None:
    for case in cases:
        extended = case["extended_at"] is not None
        assert (case["extension_reason"] is not None) == extended
        days = 30 if extended else 15
        assert when(case, "deadline_at") == when(case, "received_at") + timedelta(days=days)
        if extended:
            assert when(case, "extended_at") < when(case, "received_at") + timedelta(days=15)
            if case["first_replied_at"] is not None:
                assert when(case, "extended_at") < when(case, "first_replied_at")
    closed = [case for case in cases if case["status"] == "closed"]
    longer = [case for case in closed if case["extended_at"] is not None]
    assert 0.05 < len(longer) / len(closed) < 0.16
    assert all(re.search(r"[\u4e00-\u9fff]", str(case["extension_reason"])) for case in longer)
    late = [case for case in closed if when(case, "first_replied_at") > when(case, "deadline_at")]
    assert 0.01 < len(late) / len(closed) < 0.08


def test_recent_cases_are_open_and_some_are_overdue_or_due_soon(cases: list[Case]) -> None:
    recent = [case for case in cases if when(case, "received_at") >= NOW - timedelta(days=30)]
    assert len({case["status"] for case in recent} & OPEN) >= 4
    waiting = [
        case for case in recent if case["status"] in OPEN and case["first_replied_at"] is None
    ]
    overdue = [case for case in waiting if when(case, "deadline_at") < NOW]
    due_soon = [
        case for case in waiting if NOW < when(case, "deadline_at") <= NOW + timedelta(days=3)
    ]
    assert len(overdue) >= 3 and len(due_soon) >= 3
    for case in overdue:
        assert 16 <= (GENERATED_AS_OF - when(case, "received_at").date()).days <= 25


def test_branch_br003_has_more_waiting_time_and_staff_attitude_complaints(
    demo: Path, cases: list[Case]
) -> None:
    customers = Counter(row["branch_id"] for row in read(demo, "customers"))
    per_branch = Counter(case["branch_id"] for case in cases)
    planted = Counter(
        case["branch_id"] for case in cases if case["issue"] in ("waiting_time", "service_attitude")
    )
    others = [branch for branch in customers if branch != "BR003"]
    share_elsewhere = sum(planted[b] for b in others) / sum(per_branch[b] for b in others)
    assert planted["BR003"] / per_branch["BR003"] > 1.8 * share_elsewhere
    rate_elsewhere = sum(planted[b] for b in others) / sum(customers[b] for b in others)
    assert planted["BR003"] / customers["BR003"] > 3 * rate_elsewhere
    # and it is the branch with the most of them for its size
    assert max(customers, key=lambda b: planted[b] / customers[b]) == "BR003"


def test_wealth_products_not_as_advertised_are_overpromised(cases: list[Case]) -> None:
    found = Counter(
        case["root_cause"]
        for case in cases
        if case["product_line"] == "wealth_management"
        and case["issue"] == "not_as_advertised"
        and case["root_cause"]
    )
    assert sum(found.values()) >= 15
    assert found["overpromised"] >= 0.8 * sum(found.values())
    assert load_taxonomy().gap_of("overpromised") == 4


def test_some_customers_complain_again(cases: list[Case]) -> None:
    per_customer = Counter(case["customer_id"] for case in cases)
    repeaters = [customer for customer, count in per_customer.items() if count >= 2]
    assert 0.025 < len(repeaters) / len(per_customer) < 0.09


def test_regulator_cases_are_more_often_severe(cases: list[Case]) -> None:
    def severe_share(rows: list[Case]) -> float:
        return sum(case["severity"] in ("high", "critical") for case in rows) / len(rows)

    regulator = [case for case in cases if case["channel"] == "regulator"]
    others = [case for case in cases if case["channel"] != "regulator"]
    assert regulator and severe_share(regulator) > 1.5 * severe_share(others)
    assert {case["severity"] for case in others} == {"low", "medium", "high", "critical"}


def test_owner_is_an_account_manager_of_the_customers_branch(demo: Path, cases: list[Case]) -> None:
    branch_of_customer = {row["id"]: row["branch_id"] for row in read(demo, "customers")}
    staff = {row["id"]: row for row in read(demo, "staff")}
    for case in cases:
        owner = staff[str(case["owner_id"])]
        assert owner["role"] == "account_manager"
        assert (
            owner["branch_id"] == case["branch_id"] == branch_of_customer[str(case["customer_id"])]
        )


def test_texts_are_varied_chinese_and_name_their_product(cases: list[Case]) -> None:
    texts = [str(case["text"]) for case in cases]
    assert len(set(texts)) > 0.8 * len(texts)
    assert all(re.fullmatch(r"[^{}]{20,400}", text) for text in texts)
    named = 0
    second_product = 0
    for case, text in zip(cases, texts, strict=True):
        line = str(case["product_line"])
        phrases = [phrase for phrase, _ in words.COMPLAINT_PRODUCT_LINES[line][1]]
        named += any(phrase in text for phrase in phrases)
        second_product += any(
            phrase in text
            for other, (_, entries) in words.COMPLAINT_PRODUCT_LINES.items()
            if other != line
            for phrase, _ in entries
            if not any(phrase in own or own in phrase for own in phrases)
        )
    assert named == len(texts)
    assert 0.05 < second_product / len(texts) < 0.3
    # the issue sentences vary too: none is in more than a few per cent of the texts
    for group in words.COMPLAINT_ISSUE_SENTENCES.values():
        for sentence in group:
            fixed = max(re.split(r"\{\w+\}", sentence), key=len)
            assert sum(fixed in text for text in texts) < 0.08 * len(texts), fixed


def test_small_bank_complaints_import_into_the_model(
    database_url: str, engine: Engine, small_bank_files: Path
) -> None:
    rows = read(small_bank_files, "complaints")
    assert rows
    import_directory(database_url, small_bank_files)
    with engine.connect() as connection:
        stored = {row.external_id: row for row in connection.execute(select(Complaint.__table__))}
    assert set(stored) == {row["id"] for row in rows}
    for row in rows:
        case = stored[row["id"]]
        for name in ("product_line", "issue", "text", "status", "root_cause", "reply"):
            assert getattr(case, name) == (row[name] or None), name
        assert case.confirmation == (row["confirmation"] or None)
        assert case.extension_reason == (row["extension_reason"] or None)
        assert case.reopen_count == int(row["reopen_count"])
        for name in MOMENTS:
            value = getattr(case, name)
            assert (value is None) == (not row[name]), name
            if value is not None:
                expected = datetime.fromisoformat(row[name])
                assert value.replace(tzinfo=value.tzinfo or ZoneInfo("UTC")) == expected, name


def test_complaints_without_product_line_or_reopen_count_get_the_defaults(
    sqlite_url: str, small_bank_files: Path, tmp_path: Path
) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(small_bank_files, bank)
    table = pa_csv.read_csv(bank / "complaints.csv")
    table = table.drop_columns(["product_line", "reopen_count"])
    pa_csv.write_csv(table, bank / "complaints.csv")
    import_directory(sqlite_url, bank)
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        stored = connection.execute(select(Complaint.product_line, Complaint.reopen_count)).all()
    engine.dispose()
    assert stored and set(stored) == {("other", 0)}
