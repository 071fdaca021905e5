from __future__ import annotations

import csv
import filecmp
import json
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bankcrm.core.enums import Role
from bankcrm.ingest.schema import TABLES, ColumnType
from bankcrm.ingest.synth import generate_bank, servqual_answers
from bankcrm.quality.servqual import cronbach_alpha


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synth")
    generate_bank(directory, customers=3_000, seed=42)
    return directory


def read(bank: Path, table: str) -> list[dict[str, str]]:
    with (bank / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_same_files_and_other_seed_other_files(tmp_path: Path) -> None:
    generate_bank(tmp_path / "a", customers=400, seed=3)
    generate_bank(tmp_path / "b", customers=400, seed=3)
    generate_bank(tmp_path / "c", customers=400, seed=4)
    names = sorted(path.name for path in (tmp_path / "a").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert match == names and not mismatch and not errors
    assert not filecmp.cmp(
        tmp_path / "a" / "customers.csv", tmp_path / "c" / "customers.csv", shallow=False
    )


def test_every_file_follows_the_schema(bank: Path) -> None:
    ids: dict[str, set[str]] = {}
    for table in TABLES:
        rows = read(bank, table.name)
        assert rows, table.name
        ids[table.name] = {row["id"] for row in rows}
        assert len(ids[table.name]) == len(rows), f"duplicate ids in {table.name}"
        for column in table.columns:
            values = [row.get(column.name, "") for row in rows]
            if column.required:
                assert all(values), (table.name, column.name)
            present = [value for value in values if value]
            if column.values:
                assert set(present) <= set(column.values), (table.name, column.name)
            if column.references:
                assert set(present) <= ids[column.references], (table.name, column.name)
            if column.type is ColumnType.MONEY:
                assert all(len(value.split(".")[-1]) == 2 for value in present)


def test_both_customer_types_and_every_role(bank: Path) -> None:
    kinds = Counter(row["customer_type"] for row in read(bank, "customers"))
    assert 0.05 < kinds["corporate"] / sum(kinds.values()) < 0.15
    assert {row["role"] for row in read(bank, "staff")} == {role.value for role in Role}


def test_balances_are_pareto_skewed(bank: Path) -> None:
    per_customer: Counter[str] = Counter()
    for row in read(bank, "accounts"):
        if row["product_id"].startswith(("DEP", "CORP")):
            per_customer[row["customer_id"]] += round(float(row["balance"]) * 100)
    balances = np.sort(np.asarray(list(per_customer.values()), dtype=float))[::-1]
    top_fifth = balances[: len(balances) // 5].sum() / balances.sum()
    assert top_fifth > 0.6


def test_two_years_of_transactions_with_month_end_and_festival_peaks(bank: Path) -> None:
    days = [date.fromisoformat(row["booked_at"][:10]) for row in read(bank, "transactions")]
    assert (max(days) - min(days)).days > 700
    per_day = Counter(days)
    month_end = np.mean([count for day, count in per_day.items() if day.day >= 25])
    mid_month = np.mean([count for day, count in per_day.items() if 10 <= day.day <= 20])
    assert month_end > 1.2 * mid_month


def test_drifting_customers_fade_away(bank: Path) -> None:
    closed = {row["id"] for row in read(bank, "customers") if row["status"] == "closed"}
    assert closed
    owner = {row["id"]: row["customer_id"] for row in read(bank, "accounts")}
    early: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for row in read(bank, "transactions"):
        customer = owner[row["account_id"]]
        if customer in closed and row["customer_initiated"] == "true":
            (late if row["booked_at"] >= "2026-04-01" else early)[customer] += 1
    assert sum(late.values()) < 0.05 * sum(early.values())


def test_servqual_answers_cover_22_items_on_a_seven_point_scale(bank: Path) -> None:
    answers = [
        json.loads(row["answers"])
        for row in read(bank, "survey_responses")
        if row["kind"] == "servqual"
    ]
    assert answers
    for answer in answers:
        assert set(answer) == {f"{side}{item}" for side in "EP" for item in range(1, 23)}
        assert all(1 <= value <= 7 for value in answer.values())
    gap = np.mean([answer["P10"] - answer["E10"] for answer in answers])
    assert gap < 0


def test_servqual_items_of_a_dimension_agree_and_responsiveness_falls_shortest() -> None:
    """Answers drawn item by item would give Cronbach's α near 0; the dimensions of real
    SERVQUAL surveys are usually above 0.7, and so are the generated ones."""
    dimension_of_item = np.repeat(np.arange(5), (4, 5, 4, 4, 5))
    planted_gap = np.asarray((0.3, 0.8, 1.2, 0.6, 0.9))
    expectation, perception = servqual_answers(
        np.random.default_rng(11),
        item_dimension=dimension_of_item,
        item_gap=planted_gap[dimension_of_item],
        respondents=800,
    )
    gaps = []
    for dimension in range(5):
        items = dimension_of_item == dimension
        assert cronbach_alpha(expectation[:, items]) > 0.7
        assert cronbach_alpha(perception[:, items]) > 0.7
        gaps.append((perception - expectation)[:, items].mean())
    assert int(np.argmin(gaps)) == 2
    assert gaps == pytest.approx(list(-planted_gap), abs=0.1)


def test_money_in_and_out_roughly_balance(bank: Path) -> None:
    flows = {"credit": 0, "debit": 0}
    for row in read(bank, "transactions"):
        if row["customer_initiated"] == "true":
            flows[row["direction"]] += round(float(row["amount"]) * 100)
    assert 0.8 < flows["credit"] / flows["debit"] < 1.25
