from __future__ import annotations

import csv
import filecmp
import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bankcrm.core.enums import Role
from bankcrm.ingest.schema import TABLES, ColumnType
from bankcrm.ingest.synth import GENERATED_AS_OF, generate_bank, servqual_answers
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


HALF_YEAR_BEFORE = date(2026, 3, 31)
"""Six months before ``GENERATED_AS_OF``: the cut of a next-best-offer model judged on the
half-year after it."""
YEAR_BEFORE = date(2025, 9, 30)
THREE_YEARS_BEFORE = date(2023, 9, 30)
TIME_DEPOSITS = {"DEP-T1Y", "DEP-T3Y", "DEP-CD"}
FUNDS = {"FUND-MM", "FUND-BND", "FUND-EQ", "FUND-QDII"}
WEALTH = {"WM-STB", "WM-BAL"}


def adoptions(bank: Path) -> list[tuple[str, str, date, date | None]]:
    """Every account opened and position bought: customer, product, start and end."""
    rows = [
        (row["customer_id"], row["product_id"], row["opened_on"], row["closed_on"])
        for row in read(bank, "accounts")
    ] + [
        (row["customer_id"], row["product_id"], row["started_on"], row["ended_on"])
        for row in read(bank, "holdings")
    ]
    return [
        (customer, product, date.fromisoformat(start), date.fromisoformat(end) if end else None)
        for customer, product, start, end in rows
    ]


def held_on(rows: Iterable[tuple[str, str, date, date | None]], day: date) -> set[tuple[str, str]]:
    return {
        (customer, product)
        for customer, product, start, end in rows
        if start < day and (end is None or end > day)
    }


def well_off(bank: Path) -> set[str]:
    """Customers sold investments for certain: a current account holds a tenth to a half of
    the business value, and investments are sold above 30,000 yuan."""
    return {
        row["customer_id"]
        for row in read(bank, "accounts")
        if row["product_id"] == "DEP-CUR" and float(row["balance"]) >= 15_000
    }


def take_up_rates(
    bank: Path, held: set[str], taken: set[str], *, cut: date, end: date, lowest_risk: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Of the individuals there at ``cut`` who may buy ``taken`` and do not hold all of it,
    those who take up one they do not hold before ``end``: (adopters, customers) among
    holders of ``held`` at the cut, and among the others.
    Who may buy: risk level at least ``lowest_risk``, and ``well_off``.
    """
    rows = adoptions(bank)
    may_buy = well_off(bank)
    holding = held_on(rows, cut)
    took = {
        customer
        for customer, product, day, _ in rows
        if product in taken and cut <= day < end and (customer, product) not in holding
    }
    counts = {True: [0, 0], False: [0, 0]}
    for customer in read(bank, "customers"):
        who = customer["id"]
        if (
            customer["customer_type"] != "individual"
            or customer["status"] != "active"
            or date.fromisoformat(customer["onboarded_on"]) >= cut
            or customer["risk_level"] < lowest_risk
            or who not in may_buy
            or all((who, product) in holding for product in taken)
        ):
            continue
        group = counts[any((who, product) in holding for product in held)]
        group[0] += who in took
        group[1] += 1
    return (counts[True][0], counts[True][1]), (counts[False][0], counts[False][1])


def test_time_deposit_holders_move_into_conservative_wealth_products(bank: Path) -> None:
    (with_deposit, holders), (without, others) = take_up_rates(
        bank,
        TIME_DEPOSITS,
        {"WM-STB"},
        cut=HALF_YEAR_BEFORE,
        end=GENERATED_AS_OF,
        lowest_risk="C2",
    )
    assert with_deposit >= 20 and holders >= 150 and others >= 150
    assert with_deposit / holders >= 2 * without / others


def test_bond_fund_holders_move_on_to_balanced_wealth_products(bank: Path) -> None:
    (with_bonds, holders), (without, others) = take_up_rates(
        bank, {"FUND-BND"}, {"WM-BAL"}, cut=YEAR_BEFORE, end=GENERATED_AS_OF, lowest_risk="C3"
    )
    assert with_bonds >= 5 and holders >= 30
    assert with_bonds / holders >= 2 * without / others


def test_a_first_fund_is_followed_by_another(bank: Path) -> None:
    """Of the customers whose first fund was bought in the two years before ``YEAR_BEFORE``,
    those who bought another within a year, against those without a fund at
    ``YEAR_BEFORE`` who bought one in the year after it."""
    rows = sorted(adoptions(bank), key=lambda row: row[2])
    may_buy = {
        row["id"]
        for row in read(bank, "customers")
        if row["customer_type"] == "individual"
        and row["status"] == "active"
        and row["risk_level"] >= "C2"
        and date.fromisoformat(row["onboarded_on"]) < THREE_YEARS_BEFORE
    } & well_off(bank)
    funds: dict[str, list[date]] = {}
    for customer, product, day, _ in rows:
        if product in FUNDS and customer in may_buy:
            funds.setdefault(customer, []).append(day)
    first_buyers = [days for days in funds.values() if THREE_YEARS_BEFORE <= days[0] < YEAR_BEFORE]
    another = sum(len(days) > 1 and (days[1] - days[0]).days <= 365 for days in first_buyers)
    without = may_buy - {customer for customer, days in funds.items() if days[0] < YEAR_BEFORE}
    first = sum(customer in funds for customer in without)
    assert len(first_buyers) >= 50 and another >= 20
    assert another / len(first_buyers) >= 2 * first / len(without)


def test_cross_selling_follows_life_stage(bank: Path) -> None:
    """Funds and credit cards for the young, wealth products and annuities later in life."""
    born = {
        row["id"]: date.fromisoformat(row["birth_date"])
        for row in read(bank, "customers")
        if row["customer_type"] == "individual"
    }
    onboarded = {row["id"]: row["onboarded_on"] for row in read(bank, "customers")}
    taken: dict[str, Counter[str]] = {"<30": Counter(), "45-59": Counter(), "60+": Counter()}
    for customer, product, day, _ in adoptions(bank):
        # taken up later, not opened with the first account
        if customer not in born or (day - date.fromisoformat(onboarded[customer])).days < 31:
            continue
        age = (day - born[customer]).days / 365.25
        stage = "<30" if age < 30 else "45-59" if 45 <= age < 60 else "60+" if age >= 60 else None
        if stage:
            taken[stage][product] += 1

    def share(stage: str, products: set[str]) -> float:
        return sum(taken[stage][product] for product in products) / sum(taken[stage].values())

    assert all(sum(counts.values()) >= 100 for counts in taken.values())
    assert share("<30", FUNDS) >= 2 * share("60+", FUNDS)
    assert share("<30", {"CARD-CRD"}) >= 3 * share("60+", {"CARD-CRD"})
    assert share("45-59", WEALTH) >= 3 * share("<30", WEALTH)
    assert share("45-59", {"INS-ANN"}) >= 3 * share("<30", {"INS-ANN"})


def test_the_richer_buy_wealth_products_the_poorer_money_market_funds(bank: Path) -> None:
    current = sorted(
        (float(row["balance"]), row["customer_id"])
        for row in read(bank, "accounts")
        if row["product_id"] == "DEP-CUR" and row["status"] == "open"
    )
    poorer = {customer for _, customer in current[: len(current) // 2]}
    richest = {customer for _, customer in current[-len(current) // 4 :]}
    bought: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for row in read(bank, "holdings"):
        if row["customer_id"] in poorer | richest:
            bought[row["customer_id"] in richest][row["product_id"]] += 1

    def share(rich: bool, products: set[str]) -> float:
        return sum(bought[rich][product] for product in products) / sum(bought[rich].values())

    assert share(False, {"FUND-MM"}) >= 2 * share(True, {"FUND-MM"})
    assert share(True, WEALTH) >= 2 * share(False, WEALTH)


def test_both_half_years_before_as_of_are_full_of_adoptions(bank: Path) -> None:
    customers = len(read(bank, "customers"))
    rows = adoptions(bank)
    for start, end in ((YEAR_BEFORE, HALF_YEAR_BEFORE), (HALF_YEAR_BEFORE, GENERATED_AS_OF)):
        taken = [row for row in rows if start <= row[2] < end]
        assert len(taken) >= 0.2 * customers
        assert sum(product in FUNDS | WEALTH for _, product, _, _ in taken) >= 0.05 * customers


def test_holdings_start_after_onboarding_and_stay_within_the_risk_level(bank: Path) -> None:
    customers = {row["id"]: row for row in read(bank, "customers")}
    product_risk = {row["id"]: int(row["product_risk"][1]) for row in read(bank, "products")}
    holdings = read(bank, "holdings")
    assert holdings
    for row in holdings:
        customer = customers[row["customer_id"]]
        assert product_risk[row["product_id"]] <= int(customer["risk_level"][1])
        assert customer["onboarded_on"] <= row["started_on"] < GENERATED_AS_OF.isoformat()
        assert not row["ended_on"] or row["ended_on"] > row["started_on"]
