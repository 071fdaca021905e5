"""The demo bank: a realistic Chinese commercial bank written as import files.

Deterministic per seed. Everything is drawn with NumPy in whole arrays and written with
pyarrow; transactions are generated and written one block of customers at a time, so memory
stays flat up to a million customers and fifty million transactions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bankcrm.core.enums import CreditGrade, Role
from bankcrm.ingest import synth_vocabulary as words

Progress = Callable[[str, int], None]
IntArray = np.ndarray

CUSTOMERS_PER_BRANCH = 2_500
CUSTOMERS_PER_MANAGER = 350
CORPORATE_SHARE = 0.10
DRIFTING_SHARE = 0.08
HISTORY_DAYS = 730
CUSTOMER_TRANSACTIONS_PER_YEAR = 21.5
CREDIT_SHARE = 0.42
TRANSACTION_BLOCK_CUSTOMERS = 20_000
LOCAL_OFFSET = "+08:00"
RISK_LEVELS = ("C1", "C2", "C3", "C4", "C5")
RISK_LEVEL_WEIGHTS = (0.15, 0.30, 0.30, 0.17, 0.08)
CREDIT_GRADES = tuple(grade.value for grade in CreditGrade)
CREDIT_GRADE_WEIGHTS = (0.04, 0.12, 0.24, 0.26, 0.16, 0.10, 0.05, 0.02, 0.01)


def _products_by_code() -> dict[str, int]:
    return {product[0]: index for index, product in enumerate(words.PRODUCTS)}


PRODUCT_INDEX = _products_by_code()


@dataclass
class _Customers:
    count: int
    corporate: np.ndarray
    branch: IntArray
    manager: IntArray
    value: np.ndarray
    onboarded_day: IntArray
    """Days before ``as_of`` on which the relationship began."""
    drifting: np.ndarray
    drift_day: IntArray
    """Days before ``as_of`` on which a drifting customer's activity began to fade."""
    closed: np.ndarray
    risk: IntArray
    age_days: IntArray
    """Age in days on ``as_of`` (drawn for companies too, whose birth date is not written)."""
    external_ids: list[str]
    primary_account: list[str]


GENERATED_AS_OF = date(2026, 9, 30)
"""The day the generated history ends (so a demo and its screenshots are reproducible)."""


def generate_bank(
    out_dir: Path,
    *,
    customers: int,
    seed: int,
    transaction_format: Literal["csv", "parquet"] = "csv",
    as_of: date = GENERATED_AS_OF,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write one import file per table into ``out_dir``; returns the rows written per table."""
    if customers < 1:
        raise ValueError("at least one customer is needed")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    # Who takes up which product, and when, is drawn from a stream of its own: tuning the
    # adoptions moves nothing else the generator draws.
    (adoption_rng,) = rng.spawn(1)
    rows: dict[str, int] = {}

    def write(name: str, table: pa.Table) -> None:
        pa_csv.write_csv(table, out_dir / f"{name}.csv")
        rows[name] = table.num_rows
        if progress:
            progress(f"synth {name}", table.num_rows)

    branch_count = int(np.clip(round(customers / CUSTOMERS_PER_BRANCH), 4, 40))
    branch_weights = rng.lognormal(0.0, 0.4, branch_count)
    branch_weights /= branch_weights.sum()
    write("branches", _branches(rng, branch_count))

    branch_of_customer = rng.choice(branch_count, size=customers, p=branch_weights)
    per_branch = np.bincount(branch_of_customer, minlength=branch_count)
    managers_per_branch = np.maximum(2, np.ceil(per_branch / CUSTOMERS_PER_MANAGER)).astype(int)
    staff_table, manager_ids, manager_offset = _staff(rng, managers_per_branch)
    write("staff", staff_table)
    write("products", _products())

    population = _draw_customers(
        rng, customers, branch_of_customer, managers_per_branch, manager_offset
    )
    write("customers", _customers_table(rng, population, manager_ids, as_of))
    write(
        "manager_assignments",
        _assignments(rng, population, manager_ids, managers_per_branch, manager_offset, as_of),
    )
    adopted = _adoptions(adoption_rng, population)
    # drawn from a stream of its own: classifying the loans moves nothing else
    (loan_rng,) = rng.spawn(1)
    accounts = _accounts(rng, population, adopted, as_of)
    write("accounts", _with_loan_classes(loan_rng, population, accounts, as_of))
    write("account_parties", _account_parties(rng, population))
    write("standing_orders", _standing_orders(rng, population))
    write("holdings", _holdings(adoption_rng, population, adopted, as_of))
    rows["transactions"] = _transactions(
        rng, population, out_dir, as_of, transaction_format, progress
    )
    write("interactions", _interactions(rng, population, manager_ids, as_of))
    write("complaints", _complaints(rng, population, manager_ids, as_of))
    write("survey_responses", _surveys(rng, population, as_of))
    return rows


def _text(values: object) -> pa.Array:
    return pa.array(values, pa.string())


def _money(cents: np.ndarray) -> pa.Array:
    """Integer fen as yuan text with two decimals, without a Python loop."""
    cents = np.asarray(cents, dtype=np.int64)
    sign = np.where(cents < 0, "-", "")
    magnitude = np.abs(cents)
    yuan = pa.array(magnitude // 100).cast(pa.string())
    fen = pc.utf8_lpad(pa.array(magnitude % 100).cast(pa.string()), width=2, padding="0")
    return pc.binary_join_element_wise(_text(sign), yuan, ".", fen, "")


def _dates(as_of: date, days_before: np.ndarray) -> pa.Array:
    base = np.datetime64(as_of.isoformat(), "D")
    stamps = base - np.asarray(days_before, dtype="timedelta64[D]")
    return pa.array(stamps.astype("datetime64[D]")).cast(pa.string())


def _datetimes(as_of: date, days_before: np.ndarray, seconds: np.ndarray) -> pa.Array:
    base = np.datetime64(as_of.isoformat(), "s")
    stamps = (
        base
        - np.asarray(days_before, dtype=np.int64).astype("timedelta64[D]")
        + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
    )
    text = pc.strftime(pa.array(stamps.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S")
    return pc.binary_join_element_wise(text, LOCAL_OFFSET, "")


def _pick(rng: np.random.Generator, choices: tuple[str, ...], size: int) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.integers(0, len(choices), size)]


def _person_names(rng: np.random.Generator, size: int) -> list[str]:
    surnames = _pick(rng, words.SURNAMES, size)
    first = _pick(rng, words.GIVEN_CHARACTERS, size)
    second = np.where(rng.random(size) < 0.6, _pick(rng, words.GIVEN_CHARACTERS, size), "")
    return [f"{a}{b}{c}" for a, b, c in zip(surnames, first, second, strict=True)]


def _branches(rng: np.random.Generator, count: int) -> pa.Table:
    names, cities, regions, addresses = [], [], [], []
    for index in range(count):
        city, region, street = words.CITIES[index % len(words.CITIES)]
        names.append(_branch_name(index))
        cities.append(city)
        regions.append(region)
        addresses.append(f"{city}市{street}{rng.integers(1, 999)}号")
    return pa.table(
        {
            "id": _text([f"BR{index + 1:03d}" for index in range(count)]),
            "name": _text(names),
            "city": _text(cities),
            "region": _text(regions),
            "address": _text(addresses),
            "counters": pa.array(rng.integers(3, 11, count)),
        }
    )


def _staff(
    rng: np.random.Generator, managers_per_branch: np.ndarray
) -> tuple[pa.Table, list[str], np.ndarray]:
    """Staff of every role; returns the table, account-manager ids and each branch's offset."""
    ids: list[str] = []
    usernames: list[str] = []
    roles: list[str] = []
    branches: list[str | None] = []
    manager_ids: list[str] = []
    offsets = np.concatenate([[0], np.cumsum(managers_per_branch)[:-1]])
    for branch, managers in enumerate(managers_per_branch):
        code = f"b{branch + 1:02d}"
        branch_id = f"BR{branch + 1:03d}"
        for number in range(1, int(managers) + 1):
            staff_id = f"S-AM-{branch + 1:03d}-{number:02d}"
            manager_ids.append(staff_id)
            ids.append(staff_id)
            usernames.append(f"am_{code}_{number:02d}")
            roles.append(Role.ACCOUNT_MANAGER.value)
            branches.append(branch_id)
        ids.append(f"S-BM-{branch + 1:03d}")
        usernames.append(f"bm_{code}")
        roles.append(Role.BRANCH_MANAGER.value)
        branches.append(branch_id)
    head_office = (
        (Role.ADMIN, "admin", 1),
        (Role.MARKETING_ANALYST, "analyst", 2),
        (Role.QUALITY_OFFICER, "quality", 2),
        (Role.COMPLIANCE_AUDITOR, "auditor", 1),
    )
    for role, prefix, count in head_office:
        for number in range(1, count + 1):
            ids.append(f"S-HQ-{prefix}-{number:02d}")
            usernames.append(prefix if count == 1 else f"{prefix}_{number:02d}")
            roles.append(role.value)
            branches.append(None)
    size = len(ids)
    table = pa.table(
        {
            "id": _text(ids),
            "username": _text(usernames),
            "full_name": _text(_person_names(rng, size)),
            "role": _text(roles),
            "branch_id": _text(branches),
            "email": _text([f"{name}@bank.example.cn" for name in usernames]),
            "phone": _text([f"021-{6000_0000 + index}" for index in range(size)]),
        }
    )
    return table, manager_ids, offsets


def _products() -> pa.Table:
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "id",
            "name_zh",
            "name_en",
            "category",
            "product_risk",
            "term_months",
            "min_amount",
            "annual_rate_bp",
            "fab_feature_zh",
            "fab_advantage_zh",
            "fab_benefit_zh",
            "fab_feature_en",
            "fab_advantage_en",
            "fab_benefit_en",
        )
    }
    for code, zh, en, category, risk, term, minimum, rate, fab_zh, fab_en in words.PRODUCTS:
        for name, value in (
            ("id", code),
            ("name_zh", zh),
            ("name_en", en),
            ("category", category),
            ("product_risk", risk),
            ("term_months", term),
            ("min_amount", None if minimum is None else f"{minimum}.00"),
            ("annual_rate_bp", rate),
            ("fab_feature_zh", fab_zh[0]),
            ("fab_advantage_zh", fab_zh[1]),
            ("fab_benefit_zh", fab_zh[2]),
            ("fab_feature_en", fab_en[0]),
            ("fab_advantage_en", fab_en[1]),
            ("fab_benefit_en", fab_en[2]),
        ):
            columns[name].append(value)
    return pa.table(
        {
            name: pa.array(
                values, pa.int64() if name in ("term_months", "annual_rate_bp") else pa.string()
            )
            for name, values in columns.items()
        }
    )


def _draw_customers(
    rng: np.random.Generator,
    count: int,
    branch: np.ndarray,
    managers_per_branch: np.ndarray,
    manager_offset: np.ndarray,
) -> _Customers:
    corporate = rng.random(count) < CORPORATE_SHARE
    # Lognormal business volumes: about a fifth of the customers hold four fifths of the money.
    value = np.where(
        corporate,
        rng.lognormal(np.log(1_500_000), 1.7, count),
        rng.lognormal(np.log(40_000), 1.6, count),
    )
    manager = manager_offset[branch] + (rng.random(count) * managers_per_branch[branch]).astype(int)
    onboarded_day = np.where(
        rng.random(count) < 0.25,
        rng.integers(1, HISTORY_DAYS, count),
        rng.integers(HISTORY_DAYS, 12 * 365, count),
    )
    drifting = (rng.random(count) < DRIFTING_SHARE) & (onboarded_day > 365)
    drift_day = np.where(drifting, rng.integers(150, 540, count), 0)
    closed = drifting & (rng.random(count) < 0.5) & (drift_day > 220)
    risk = rng.choice(len(RISK_LEVELS), size=count, p=RISK_LEVEL_WEIGHTS)
    age_days = rng.integers(20 * 365, 80 * 365, count)
    external_ids = [f"C{number:09d}" for number in range(1, count + 1)]
    primary = [f"62{number:014d}" for number in range(1, count + 1)]
    return _Customers(
        count=count,
        corporate=corporate,
        branch=branch,
        manager=manager,
        value=value,
        onboarded_day=onboarded_day,
        drifting=drifting,
        drift_day=drift_day,
        closed=closed,
        risk=risk,
        age_days=age_days,
        external_ids=external_ids,
        primary_account=primary,
    )


def _customers_table(
    rng: np.random.Generator, people: _Customers, manager_ids: list[str], as_of: date
) -> pa.Table:
    count = people.count
    corporate = people.corporate
    person_names = _person_names(rng, count)
    cities = np.asarray([city for city, _, _ in words.CITIES], dtype=object)
    city = cities[people.branch % len(words.CITIES)]
    industry = rng.integers(0, len(words.INDUSTRIES), count)
    company_word = _pick(rng, words.COMPANY_WORDS, count)
    names = [
        f"{city[i]}{company_word[i]}{words.INDUSTRIES[industry[i]][1]}有限公司"
        if corporate[i]
        else person_names[i]
        for i in range(count)
    ]
    birth = _dates(as_of, people.age_days)
    birth_digits = pc.replace_substring(birth, "-", "")
    serial = pa.array(rng.integers(100, 999, count)).cast(pa.string())
    area = pa.array(rng.integers(110_000, 659_000, count)).cast(pa.string())
    person_id = pc.binary_join_element_wise(
        area, birth_digits, serial, _text(_pick(rng, tuple("0123456789X"), count)), ""
    )
    company_id = pc.binary_join_element_wise(
        "91", area, pa.array(rng.integers(10**8, 10**9, count)).cast(pa.string()), "X", ""
    )
    mobile = pc.binary_join_element_wise(
        _text(_pick(rng, ("13", "15", "18", "17"), count)),
        pa.array(rng.integers(10**8, 10**9, count)).cast(pa.string()),
        "",
    )
    street = _pick(rng, words.STREETS, count)
    house = rng.integers(1, 999, count)
    address = [f"{city[i]}市{street[i]}{house[i]}号" for i in range(count)]
    share_of_wallet = rng.beta(2.0, 2.0, count)
    other_assets = (people.value * (1 / np.clip(share_of_wallet, 0.05, 1.0) - 1) * 100).astype(
        np.int64
    )
    other_banks = [
        "、".join(sorted(set(choice)))
        for choice in _pick(rng, words.OTHER_BANKS, count * 2).reshape(count, 2)
    ]
    credit = rng.choice(len(CREDIT_GRADES), size=count, p=CREDIT_GRADE_WEIGHTS)
    when_corporate = lambda values, otherwise=None: _text(  # noqa: E731
        [values[i] if corporate[i] else otherwise for i in range(count)]
    )
    when_person = lambda values: _text(  # noqa: E731
        [None if corporate[i] else values[i] for i in range(count)]
    )
    decision_makers = [f"{name}（董事长）" for name in _person_names(rng, count)]
    status = np.where(people.closed, "closed", "active")
    return pa.table(
        {
            "id": _text(people.external_ids),
            "customer_type": _text(np.where(corporate, "corporate", "individual")),
            "status": _text(status),
            "name": _text(names),
            "nickname": when_person(
                [name[-1] * 2 if len(name) > 1 else name for name in person_names]
            ),
            "id_number": pc.if_else(pa.array(corporate), company_id, person_id),
            "gender": when_person(_pick(rng, ("男", "女"), count)),
            "birth_date": pc.if_else(pa.array(corporate), pa.scalar(None, pa.string()), birth),
            "primary_address": _text(address),
            "secondary_address": _text(
                [
                    address[i] if rng_value < 0.2 else None
                    for i, rng_value in enumerate(rng.random(count))
                ]
            ),
            "mobile_phone": mobile,
            "office_phone": when_corporate([f"0571-{8000_0000 + i}" for i in range(count)]),
            "fax": when_corporate([f"0571-{8100_0000 + i}" for i in range(count)]),
            "email": _text(
                [f"{external.lower()}@mail.example.cn" for external in people.external_ids]
            ),
            "best_visit_time": _text(_pick(rng, words.VISIT_TIMES, count)),
            "income_level": when_person(_pick(rng, words.INCOME_LEVELS, count)),
            "occupation": when_person(_pick(rng, words.OCCUPATIONS, count)),
            "interests": _text(
                [
                    "、".join(sorted(set(pair)))
                    for pair in _pick(rng, words.INTERESTS, count * 2).reshape(count, 2)
                ]
            ),
            "communication_style": _text(_pick(rng, words.COMMUNICATION_STYLES, count)),
            "decision_pattern": _text(_pick(rng, words.DECISION_PATTERNS, count)),
            "product_knowledge": _text(_pick(rng, words.PRODUCT_KNOWLEDGE, count)),
            "preferences": _text(_pick(rng, words.PREFERENCES, count)),
            "other_banks": _text(other_banks),
            "other_banks_assets": _money(other_assets),
            "risk_level": _text(np.asarray(RISK_LEVELS, dtype=object)[people.risk]),
            "credit_grade": _text(np.asarray(CREDIT_GRADES, dtype=object)[credit]),
            "decision_maker": when_corporate(decision_makers),
            "industry": when_corporate([words.INDUSTRIES[i][0] for i in industry]),
            "ownership": when_corporate(_pick(rng, words.OWNERSHIP, count)),
            "company_size": when_corporate(_pick(rng, words.COMPANY_SIZE, count)),
            "development_stage": when_corporate(_pick(rng, words.DEVELOPMENT_STAGE, count)),
            "registered_capital": pc.if_else(
                pa.array(corporate),
                _money((rng.lognormal(np.log(5_000_000), 1.2, count) * 100).astype(np.int64)),
                pa.scalar(None, pa.string()),
            ),
            "branch_id": _text([f"BR{branch + 1:03d}" for branch in people.branch]),
            "manager_id": _text(np.asarray(manager_ids, dtype=object)[people.manager]),
            "onboarded_on": _dates(as_of, people.onboarded_day),
        }
    )


def _assignments(
    rng: np.random.Generator,
    people: _Customers,
    manager_ids: list[str],
    managers_per_branch: np.ndarray,
    manager_offset: np.ndarray,
    as_of: date,
) -> pa.Table:
    """The current manager for everyone; an earlier one for customers who were handed over."""
    count = people.count
    reassigned = (rng.random(count) < 0.15) & (people.onboarded_day > 60)
    handover_day = (people.onboarded_day * rng.uniform(0.1, 0.9, count)).astype(int)
    step = 1 + (rng.random(count) * (managers_per_branch[people.branch] - 1)).astype(int)
    previous = manager_offset[people.branch] + (
        (people.manager - manager_offset[people.branch] + step) % managers_per_branch[people.branch]
    )
    managers = np.asarray(manager_ids, dtype=object)
    reasons = np.asarray(
        ("客户经理岗位调整", "客户要求更换客户经理", "问题客户2：指派专属客户经理"), dtype=object
    )
    earlier = np.flatnonzero(reassigned)
    current_start = np.where(reassigned, handover_day, people.onboarded_day)
    ids = [f"MA-{number:09d}-1" for number in range(1, count + 1)] + [
        f"MA-{index + 1:09d}-0" for index in earlier
    ]
    customer = [*people.external_ids, *(people.external_ids[index] for index in earlier)]
    manager = np.concatenate([managers[people.manager], managers[previous[earlier]]])
    started = pa.concat_arrays(
        [_dates(as_of, current_start), _dates(as_of, people.onboarded_day[earlier])]
    )
    ended = pa.concat_arrays([pa.nulls(count, pa.string()), _dates(as_of, handover_day[earlier])])
    reason = np.concatenate(
        [
            np.where(
                reassigned, reasons[rng.integers(0, 3, count)], np.full(count, None, dtype=object)
            ),
            np.full(len(earlier), None),
        ]
    )
    return pa.table(
        {
            "id": _text(ids),
            "customer_id": _text(customer),
            "manager_id": _text(manager),
            "started_on": started,
            "ended_on": ended,
            "reason": _text(reason),
        }
    )


LIFE_STAGE_YEARS = (30, 45, 60)
"""Edges of the life stages under 30, 30–44, 45–59 and 60 or over."""
STEP_DAYS = 30
ADOPTION_STEPS = 37
ADOPTION_DAYS = ADOPTION_STEPS * STEP_DAYS
"""Products are taken up after onboarding over the last three years (since onboarding for
newer customers), drawn a month at a time, so that every half-year before ``as_of`` holds
plenty of adoptions."""
OCCASIONS_PER_YEAR = 0.7
"""Mean occasions a year on which an individual considers a product of their own accord (a
visit, a call, a campaign); follow-ons come on top."""
NOT_NOW = 4.0
"""Weight of taking nothing up on such an occasion, against the products' weights: a customer
to whom nothing much appeals mostly declines, instead of taking the least unsuitable."""
WELL_OFF = 30_000
"""Business value (yuan) above which individuals are sold wealth, fund and insurance products;
money-market funds, bought from one yuan, are sold to anyone."""
LARGE_DEPOSIT = 200_000
"""Business value (yuan) from which time deposits are large certificates of deposit (起存20万)."""
ONBOARDING_SHARES: dict[str, tuple[float, float, float, float]] = {
    "time deposit": (0.25, 0.35, 0.5, 0.6),
    "CARD-DEB": (0.8, 0.75, 0.7, 0.6),
    "CARD-CRD": (0.35, 0.3, 0.15, 0.05),
    "LOAN-MTG": (0.08, 0.3, 0.12, 0.02),
}
"""Share of new individual customers who open each with their first account, by life stage
at onboarding (credit cards and mortgages for adults only)."""
CORPORATE_ONBOARDING_SHARES = {"time deposit": 0.3, "LOAN-WC": 0.4}
CROSS_SELL: dict[str, tuple[float, tuple[float, float, float, float], float]] = {
    "DEP-T1Y": (1.0, (0.8, 1.0, 1.0, 1.4), 0.0),
    "DEP-T3Y": (0.6, (0.3, 0.7, 1.3, 2.0), 0.1),
    "DEP-CD": (1.0, (0.2, 0.6, 1.5, 3.0), 0.3),
    "CARD-CRD": (1.0, (4.0, 1.5, 0.5, 0.15), 0.0),
    "LOAN-CON": (0.6, (1.0, 4.0, 1.0, 0.1), -0.2),
    "WM-STB": (0.4, (0.2, 0.8, 2.5, 3.0), 0.5),
    "WM-BAL": (0.3, (0.15, 0.8, 3.0, 0.8), 0.5),
    "FUND-MM": (1.0, (5.0, 1.5, 0.5, 0.2), -0.4),
    "FUND-BND": (0.6, (0.4, 0.8, 2.5, 2.0), 0.2),
    "FUND-EQ": (0.8, (4.0, 2.5, 0.4, 0.05), 0.1),
    "FUND-QDII": (0.3, (1.5, 1.5, 0.8, 0.2), 0.3),
    "INS-LIFE": (0.6, (0.5, 4.0, 1.0, 0.2), 0.2),
    "INS-ANN": (0.5, (0.05, 0.5, 4.0, 0.8), 0.3),
}
"""The products taken up after onboarding (seed 004: cross-selling follows life stage, wealth
and holdings). Per product: a weight, its multipliers for the life stages at the time and
its elasticity to business value (relative to a typical 40,000 yuan); an adoption picks one
product the customer may take and does not hold, in proportion to the product."""
TIME_DEPOSITS = ("DEP-T1Y", "DEP-T3Y", "DEP-CD")
FUNDS = ("FUND-MM", "FUND-BND", "FUND-EQ", "FUND-QDII")


@dataclass(frozen=True)
class _FollowOn:
    """Taking up one of ``after`` leads, with ``chance``, to one of ``then`` (picked as any
    adoption is) ``days`` later: the bank's cross-selling sequences."""

    after: tuple[str, ...]
    then: tuple[str, ...]
    chance: float
    days: tuple[int, int]
    renews: bool = False
    """``after`` renews every ``days[0]`` days (a time deposit rolling over at maturity) and
    the chance comes again at each renewal."""
    boost: float = 1.0
    """While holding one of ``after``, a customer also picks one of ``then`` this many times
    as readily of their own accord."""


FOLLOW_ONS = (
    # deposits move into conservative wealth products when they mature
    _FollowOn(("DEP-T1Y",), ("WM-STB",), 0.4, (365, 379), renews=True),
    _FollowOn(("DEP-CD",), ("WM-STB",), 0.4, (730, 744), renews=True),
    _FollowOn(("DEP-T3Y",), ("WM-STB",), 0.4, (1095, 1109), renews=True),
    # bond-fund holders move on to balanced wealth products
    _FollowOn(("FUND-BND",), ("WM-BAL",), 0.35, (90, 540), boost=2.0),
    # a first fund is followed by another
    _FollowOn(FUNDS, FUNDS, 0.5, (30, 365), boost=3.0),
)
ACCOUNT_TAGS = {
    "DEP-T1Y": "T1",
    "DEP-T3Y": "T3",
    "DEP-CD": "CD",
    "CARD-DEB": "DC",
    "CARD-CRD": "CC",
    "LOAN-MTG": "LM",
    "LOAN-CON": "LC",
    "LOAN-WC": "LW",
}
"""Account-number prefix of each product besides the primary account (at most one account
of a product per customer)."""
HOLDING_CATEGORIES = ("wealth", "fund", "insurance")
LOAN_CODES = ("LOAN-MTG", "LOAN-CON", "LOAN-WC")
"""A loan's ``credit_limit`` is its approved amount."""
LOAN_BAD_BASE = -4.6
"""Log-odds of a loan going bad for a typical borrower (about 5 % of loans bad)."""
BAD_CLASSES = (("substandard", 0.5), ("doubtful", 0.3), ("loss", 0.2))


@dataclass
class _Adoptions:
    """Every product taken up besides the primary account: one row per customer and product,
    each customer's rows in the order taken up."""

    owner: IntArray
    product: np.ndarray
    day: IntArray
    """Days before ``as_of``."""

    def of(self, code: str) -> tuple[IntArray, IntArray]:
        """The customers who took ``code`` up, and when."""
        chosen = self.product == code
        return self.owner[chosen], self.day[chosen]


def _life_stage(age_days: IntArray) -> IntArray:
    return np.searchsorted(np.asarray(LIFE_STAGE_YEARS) * 365, age_days, side="right")


def _adoptions(rng: np.random.Generator, people: _Customers) -> _Adoptions:
    """The products each customer opened with, then those individuals took up later."""
    owners: list[IntArray] = []
    codes: list[np.ndarray] = []
    days: list[IntArray] = []

    def add(mask: np.ndarray, product: np.ndarray | str) -> None:
        index = np.flatnonzero(mask)
        owners.append(index)
        codes.append(
            product[index]
            if isinstance(product, np.ndarray)
            else np.full(len(index), product, dtype=object)
        )
        days.append(np.maximum(people.onboarded_day[index] - rng.integers(0, 30, len(index)), 1))

    count = people.count
    corporate = people.corporate
    age_then = people.age_days - people.onboarded_day
    stage = _life_stage(age_then)
    adult = age_then >= 18 * 365

    def share(code: str) -> np.ndarray:
        return np.asarray(ONBOARDING_SHARES[code])[stage]

    deposit_share = np.where(
        corporate, CORPORATE_ONBOARDING_SHARES["time deposit"], share("time deposit")
    )
    term = np.where(
        people.value >= LARGE_DEPOSIT,
        "DEP-CD",
        np.where(rng.random(count) < 0.5, "DEP-T1Y", "DEP-T3Y"),
    ).astype(object)
    add(rng.random(count) < deposit_share, term)
    add(~corporate & (rng.random(count) < share("CARD-DEB")), "CARD-DEB")
    add(~corporate & adult & (rng.random(count) < share("CARD-CRD")), "CARD-CRD")
    add(~corporate & adult & (rng.random(count) < share("LOAN-MTG")), "LOAN-MTG")
    add(corporate & (rng.random(count) < CORPORATE_ONBOARDING_SHARES["LOAN-WC"]), "LOAN-WC")
    opened = _Adoptions(
        owner=np.concatenate(owners), product=np.concatenate(codes), day=np.concatenate(days)
    )
    later = _cross_sell(rng, people, opened)

    owner = np.concatenate([opened.owner, later.owner])
    day = np.concatenate([opened.day, later.day])
    order = np.lexsort((-day, owner))
    product = np.concatenate([opened.product, later.product])
    return _Adoptions(owner=owner[order], product=product[order], day=day[order])


def _cross_sell(rng: np.random.Generator, people: _Customers, opened: _Adoptions) -> _Adoptions:
    """Individuals' adoptions after onboarding, a month at a time: each customer's own (at a
    rate of their own) and the follow-ons of what they took up before, each depending on the
    customer's life stage, value and holdings at the time."""
    count = people.count
    codes = list(CROSS_SELL)
    column = np.asarray([PRODUCT_INDEX[code] for code in codes])
    weight = np.asarray([CROSS_SELL[code][0] for code in codes])
    by_stage = np.asarray([CROSS_SELL[code][1] for code in codes]).T
    elasticity = np.asarray([CROSS_SELL[code][2] for code in codes])

    product = {code: words.PRODUCTS[PRODUCT_INDEX[code]] for code in codes}
    holding = np.asarray([product[code][3] in HOLDING_CATEGORIES for code in codes])
    product_risk = np.asarray([int(product[code][4][1]) - 1 for code in codes])
    rich = people.value >= LARGE_DEPOSIT
    may = ~people.corporate[:, None] & np.ones((count, len(codes)), dtype=bool)
    # investments only within the customer's assessed risk level, and not for the departed
    may &= ~holding | (
        (product_risk <= people.risk[:, None])
        & ~people.closed[:, None]
        & ((people.value > WELL_OFF)[:, None] | (np.asarray(codes) == "FUND-MM"))
    )
    may[:, codes.index("DEP-CD")] &= rich
    for code in ("DEP-T1Y", "DEP-T3Y"):
        may[:, codes.index(code)] &= ~rich
    mortgage = PRODUCT_INDEX["LOAN-MTG"]
    targets = np.asarray(
        [[code in rule.then for code in codes] for rule in FOLLOW_ONS] + [[True] * len(codes)]
    )
    anything = len(FOLLOW_ONS)
    boosts = [
        (
            np.asarray([PRODUCT_INDEX[code] for code in rule.after]),
            np.asarray([codes.index(code) for code in rule.then]),
            rule.boost,
        )
        for rule in FOLLOW_ONS
        if rule.boost != 1.0
    ]

    held = np.zeros((count, len(words.PRODUCTS)), dtype=bool)
    held[opened.owner, np.asarray([PRODUCT_INDEX[code] for code in opened.product], int)] = True
    # nothing is taken up once a drifting customer's activity begins to fade
    fades = np.where(people.drifting, people.drift_day, 0)
    taken: list[tuple[IntArray, np.ndarray, IntArray]] = []
    due: list[tuple[IntArray, IntArray, IntArray]] = []

    def follow(owner: IntArray, products: np.ndarray, day: IntArray) -> None:
        for number, rule in enumerate(FOLLOW_ONS):
            rows = np.flatnonzero(np.isin(products, rule.after))
            if rule.renews:
                # the first maturity within the simulated years, then each renewal's chance
                period = rule.days[0]
                first = day[rows] - period * np.maximum(
                    1, -(-(day[rows] - ADOPTION_DAYS) // period)
                )
                when = (
                    first
                    - (rng.geometric(rule.chance, len(rows)) - 1) * period
                    - rng.integers(0, rule.days[1] - period + 1, len(rows))
                )
            else:
                rows = rows[rng.random(len(rows)) < rule.chance]
                when = day[rows] - rng.integers(rule.days[0], rule.days[1] + 1, len(rows))
            soon = when >= 1
            due.append((owner[rows][soon], when[soon], np.full(soon.sum(), number)))

    def take(owner: IntArray, day: IntArray, rule: IntArray) -> None:
        owner, first = np.unique(owner, return_index=True)
        day, rule = day[first], rule[first]
        stage = by_stage[_life_stage(people.age_days[owner] - day)]
        odds = (
            weight
            * stage
            * (np.clip(people.value[owner], 5_000, 5_000_000)[:, None] / 40_000) ** elasticity
            * (may[owner] & ~held[owner][:, column] & targets[rule])
        )
        own = rule == anything
        for after, then, boost in boosts:
            odds[np.ix_(own & held[owner][:, after].any(axis=1), then)] *= boost
        odds[held[owner, mortgage], codes.index("LOAN-CON")] = 0.0
        odds[day <= fades[owner]] = 0.0
        cumulative = np.cumsum(odds, axis=1)
        scale = cumulative[:, -1] + np.where(own, NOT_NOW, 0.0)
        drawn = (cumulative <= (rng.random(len(owner)) * scale)[:, None]).sum(axis=1)
        pick = np.minimum(drawn, len(codes) - 1)
        # a follow-on goes ahead less often where the life stage speaks against it
        chosen = (drawn < len(codes)) & (
            own | (rng.random(len(owner)) < stage[np.arange(len(owner)), pick])
        )
        owner, day, pick = owner[chosen], day[chosen], pick[chosen]
        held[owner, column[pick]] = True
        products = np.asarray(codes, dtype=object)[pick]
        taken.append((owner, products, day))
        follow(owner, products, day)

    follow(opened.owner, opened.product, opened.day)
    rate = OCCASIONS_PER_YEAR * rng.gamma(1.5, 1 / 1.5, count) * STEP_DAYS / 365
    for step in range(ADOPTION_STEPS):
        latest = ADOPTION_DAYS - step * STEP_DAYS
        owner, when, rule = (np.concatenate(part) for part in zip(*due, strict=True))
        now = (when <= latest) & (when > latest - STEP_DAYS)
        due[:] = [(owner[~now], when[~now], rule[~now])]
        take(owner[now], when[now], rule[now])
        day = latest - rng.integers(0, STEP_DAYS, count)
        own = np.flatnonzero(
            ~people.corporate
            & (day < people.onboarded_day)
            & (rng.random(count) < np.minimum(rate, 0.5))
        )
        take(own, day[own], np.full(len(own), anything))
    owner, products, day = (np.concatenate(part) for part in zip(*taken, strict=True))
    return _Adoptions(owner=owner, product=products, day=day)


def _with_loan_classes(
    rng: np.random.Generator, people: _Customers, accounts: pa.Table, as_of: date
) -> pa.Table:
    """The loans' five-category class, drawn from what the bank knew when it lent: the
    amount against the borrower's means, their age, appetite for risk and time with the
    bank, and whether their business with the bank was already fading."""
    products = accounts.column("product_id").to_numpy(zero_copy_only=False)
    is_loan = np.isin(products, LOAN_CODES)
    index_of = {external: i for i, external in enumerate(people.external_ids)}
    owners = np.array(
        [index_of[c] for c in accounts.column("customer_id").to_pylist()], dtype=np.int64
    )
    opened = pc.days_between(
        pc.cast(accounts.column("opened_on"), pa.date32()), pa.scalar(as_of, pa.date32())
    ).to_numpy(zero_copy_only=False)
    amount = pc.cast(accounts.column("credit_limit"), pa.float64()).to_numpy(zero_copy_only=False)
    means = np.maximum(people.value[owners], 1_000.0)
    burden = np.log1p(np.nan_to_num(amount, nan=0.0) / means)
    age_at_loan = (people.age_days[owners] - opened) / 365.25
    tenure_years = np.maximum(people.onboarded_day[owners] - opened, 0) / 365.25
    young = np.clip(30 - age_at_loan, 0, 12) / 12
    log_odds = (
        LOAN_BAD_BASE
        + 0.9 * (burden - 1.0)
        + 0.35 * (people.risk[owners] - 2)
        + 0.8 * young
        - 0.12 * np.minimum(tenure_years, 10)
        + 0.9 * (people.drifting[owners] & (people.drift_day[owners] >= opened))
        - 0.5 * people.corporate[owners]
    )
    bad = rng.random(len(products)) < 1 / (1 + np.exp(-log_odds))
    watched = rng.random(len(products)) < 0.08 + 0.3 / (1 + np.exp(-(log_odds + 1.5)))
    worst = rng.choice(
        [name for name, _ in BAD_CLASSES], size=len(products), p=[p for _, p in BAD_CLASSES]
    )
    classes = np.where(bad, worst, np.where(watched, "special_mention", "normal")).astype(object)
    classes[~is_loan] = None
    return accounts.append_column("loan_class", _text(classes))


def _accounts(
    rng: np.random.Generator, people: _Customers, adopted: _Adoptions, as_of: date
) -> pa.Table:
    count = people.count
    corporate = people.corporate
    value_cents = (people.value * 100).astype(np.int64)
    branch_ids = np.asarray(
        [f"BR{branch + 1:03d}" for branch in range(people.branch.max() + 1)], dtype=object
    )
    # a departing customer's accounts are closed together, some months into the fade
    closed_day = np.maximum(people.drift_day - rng.integers(120, 200, count), 1)
    parts: list[dict[str, object]] = []

    def add(
        index: IntArray,
        product: np.ndarray,
        opened_day: IntArray,
        balance: np.ndarray,
        tag: str,
        credit_limit: np.ndarray | None = None,
    ) -> None:
        closed = people.closed[index]
        parts.append(
            {
                "id": [
                    people.primary_account[i] if tag == "primary" else f"{tag}{i + 1:012d}"
                    for i in index
                ],
                "customer_id": [people.external_ids[i] for i in index],
                "product_id": product,
                "branch_id": branch_ids[people.branch[index]],
                "status": np.where(closed, "closed", "open"),
                "opened_on": _dates(as_of, opened_day),
                "closed_on": pc.if_else(
                    pa.array(closed), _dates(as_of, closed_day[index]), pa.scalar(None, pa.string())
                ),
                "balance": np.where(closed, 0, balance[index]),
                "credit_limit": None if credit_limit is None else credit_limit[index],
            }
        )

    everyone = np.arange(count)
    add(
        everyone,
        np.where(corporate, "CORP-SET", "DEP-CUR").astype(object),
        np.maximum(people.onboarded_day - rng.integers(0, 30, count), 1),
        (value_cents * rng.uniform(0.1, 0.5, count)).astype(np.int64),
        "primary",
    )
    limit = (np.clip(people.value * 0.3, 10_000, 500_000) // 1000 * 1000 * 100).astype(np.int64)
    # every balance is drawn for every customer, so that what was taken up does not move
    # the draws that follow
    share = {code: rng.random(count) for code in ACCOUNT_TAGS}
    deposit = {
        code: (value_cents * (0.2 + 0.4 * share[code]) // 5_000_000 * 5_000_000 + 5_000_000)
        for code in TIME_DEPOSITS
    }
    balances = {
        **deposit,
        "CARD-DEB": np.zeros(count, np.int64),
        "CARD-CRD": -(limit * 0.4 * share["CARD-CRD"]),
        "LOAN-MTG": (300_000 + 2_700_000 * share["LOAN-MTG"]) * 100,
        "LOAN-CON": (10_000 + 290_000 * share["LOAN-CON"]) * 100,
        "LOAN-WC": value_cents * (0.3 + 1.2 * share["LOAN-WC"]),
    }
    for code, tag in ACCOUNT_TAGS.items():
        owner, opened_day = adopted.of(code)
        add(
            owner,
            np.full(len(owner), code, dtype=object),
            opened_day,
            balances[code].astype(np.int64),
            tag,
            credit_limit=limit
            if code == "CARD-CRD"
            else balances[code].astype(np.int64)
            if code in LOAN_CODES
            else None,
        )
    columns = {
        name: np.concatenate([np.asarray(part[name], dtype=object) for part in parts])
        for name in ("id", "customer_id", "product_id", "branch_id", "status")
    }
    balance = np.concatenate([np.asarray(part["balance"], dtype=np.int64) for part in parts])
    limits = pa.concat_arrays(
        [
            _money(np.asarray(part["credit_limit"]))
            if part["credit_limit"] is not None
            else pa.nulls(len(part["id"]), pa.string())  # type: ignore[arg-type]
            for part in parts
        ]
    )
    return pa.table(
        {
            "id": _text(columns["id"]),
            "customer_id": _text(columns["customer_id"]),
            "product_id": _text(columns["product_id"]),
            "branch_id": _text(columns["branch_id"]),
            "currency": _text(np.full(len(balance), "CNY", dtype=object)),
            "status": _text(columns["status"]),
            "opened_on": pa.concat_arrays([part["opened_on"] for part in parts]),
            "closed_on": pa.concat_arrays([part["closed_on"] for part in parts]),
            "balance": _money(balance),
            "credit_limit": limits,
        }
    )


def _account_parties(rng: np.random.Generator, people: _Customers) -> pa.Table:
    """Each primary account's owner, and a relative authorised on some individuals' accounts."""
    owners = np.arange(people.count)
    authorising = np.flatnonzero(
        ~people.corporate & ~people.closed & (rng.random(people.count) < 0.05)
    )
    relative = rng.integers(0, people.count, len(authorising))
    keep = relative != authorising
    authorising, relative = authorising[keep], relative[keep]
    accounts = np.asarray(people.primary_account, dtype=object)
    customers = np.asarray(people.external_ids, dtype=object)
    size = people.count + len(authorising)
    return pa.table(
        {
            "id": _text([f"AP{number:010d}" for number in range(1, size + 1)]),
            "account_id": _text(np.concatenate([accounts[owners], accounts[authorising]])),
            "customer_id": _text(np.concatenate([customers[owners], customers[relative]])),
            "role": _text(["owner"] * people.count + ["authorised"] * len(authorising)),
        }
    )


def _standing_orders(rng: np.random.Generator, people: _Customers) -> pa.Table:
    """Household bills and insurance for individuals, leasing for some companies."""
    purposes = np.where(
        people.corporate,
        "leasing",
        np.where(rng.random(people.count) < 0.75, "household payment", "insurance payment"),
    )
    chance = np.where(people.corporate, 0.1, 0.35)
    payers = np.flatnonzero((rng.random(people.count) < chance) & ~people.closed)
    amount = np.where(
        people.corporate[payers],
        rng.uniform(5_000, 80_000, len(payers)),
        rng.uniform(80, 1_500, len(payers)),
    )
    return pa.table(
        {
            "id": _text([f"SO{number:09d}" for number in range(1, len(payers) + 1)]),
            "account_id": _text(np.asarray(people.primary_account, dtype=object)[payers]),
            "amount": _money(np.round(amount * 100).astype(np.int64)),
            "purpose": _text(purposes[payers]),
            "counterparty_bank": _text(_pick(rng, words.OTHER_BANKS, len(payers))),
            "counterparty_account": _text(
                pa.array(rng.integers(10**15, 10**16, len(payers))).cast(pa.string())
            ),
        }
    )


def _holdings(
    rng: np.random.Generator, people: _Customers, adopted: _Adoptions, as_of: date
) -> pa.Table:
    """Wealth, fund and insurance positions as taken up (so never above the customer's risk
    level); some have been sold since."""
    categories = {code: category for code, _, _, category, *_ in words.PRODUCTS}
    chosen = np.asarray(
        [categories[code] in HOLDING_CATEGORIES for code in adopted.product], dtype=bool
    )
    owner, product, started_day = (
        adopted.owner[chosen],
        adopted.product[chosen],
        adopted.day[chosen],
    )
    size = len(owner)
    amount = (people.value[owner] * rng.uniform(0.05, 0.4, size) * 100).astype(np.int64)
    # a position is sold at least a month after it was bought
    ended = (rng.random(size) < 0.15) & (started_day > 30)
    ended_day = np.maximum(started_day - rng.integers(30, 365, size), 1)
    return pa.table(
        {
            "id": _text([f"H{number:010d}" for number in range(1, size + 1)]),
            "customer_id": _text([people.external_ids[i] for i in owner]),
            "product_id": _text(product),
            "amount": _money(np.maximum(amount // 100 * 100, 100_000)),
            "started_on": _dates(as_of, started_day),
            "ended_on": pc.if_else(
                pa.array(ended), _dates(as_of, ended_day), pa.scalar(None, pa.string())
            ),
        }
    )


def _day_weights(as_of: date) -> np.ndarray:
    """Relative activity of each of the last HISTORY_DAYS days (index 0 = the oldest day)."""
    days = [as_of - timedelta(days=HISTORY_DAYS - index) for index in range(HISTORY_DAYS)]
    weights = np.ones(HISTORY_DAYS)
    for index, day in enumerate(days):
        if day.weekday() >= 5:
            weights[index] *= 0.6
        if day.day >= 25 or day.day <= 2:
            weights[index] *= 1.5  # salaries and month-end payments
        if (day.month == 1 and day.day >= 15) or (day.month == 2 and day.day <= 15):
            weights[index] *= 1.6  # the Spring Festival season
        if day.month == 12:
            weights[index] *= 1.2
    return weights / weights.sum()


KINDS_IN = np.asarray(("salary", "transfer_in", "cash_deposit"), dtype=object)
KINDS_OUT = np.asarray(("payment", "transfer_out", "cash_withdrawal", "card_payment"), dtype=object)
DESCRIPTIONS = {
    "salary": "代发工资",
    "transfer_in": "转账收入",
    "cash_deposit": "现金存入",
    "payment": "消费支付",
    "transfer_out": "转账支出",
    "cash_withdrawal": "现金支取",
    "card_payment": "POS消费",
    "interest": "结息",
}
CHANNELS = {
    "salary": "system",
    "transfer_in": "mobile",
    "cash_deposit": "counter",
    "payment": "online",
    "transfer_out": "mobile",
    "cash_withdrawal": "atm",
    "card_payment": "pos",
    "interest": "system",
}


def _transactions(
    rng: np.random.Generator,
    people: _Customers,
    out_dir: Path,
    as_of: date,
    transaction_format: Literal["csv", "parquet"],
    progress: Progress | None,
) -> int:
    weights = _day_weights(as_of)
    cdf = np.cumsum(weights)
    interest_days = np.asarray(
        [HISTORY_DAYS - (as_of - day).days for day in _quarter_interest_dates(as_of)]
    )
    writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None
    path = out_dir / f"transactions.{transaction_format}"
    written = 0
    try:
        for start in range(0, people.count, TRANSACTION_BLOCK_CUSTOMERS):
            block = np.arange(start, min(start + TRANSACTION_BLOCK_CUSTOMERS, people.count))
            table = _transaction_block(rng, people, block, cdf, interest_days, as_of, written)
            if writer is None:
                writer = (
                    pq.ParquetWriter(path, table.schema)
                    if transaction_format == "parquet"
                    else pa_csv.CSVWriter(path, table.schema)
                )
            writer.write_table(table)
            written += table.num_rows
            if progress:
                progress("synth transactions", table.num_rows)
    finally:
        if writer is not None:
            writer.close()
    return written


def _quarter_interest_dates(as_of: date) -> list[date]:
    first = as_of - timedelta(days=HISTORY_DAYS)
    return [
        date(year, month, 21)
        for year in range(first.year, as_of.year + 1)
        for month in (3, 6, 9, 12)
        if first < date(year, month, 21) <= as_of
    ]


def _transaction_block(
    rng: np.random.Generator,
    people: _Customers,
    block: np.ndarray,
    cdf: np.ndarray,
    interest_days: np.ndarray,
    as_of: date,
    first_number: int,
) -> pa.Table:
    corporate = people.corporate[block]
    activity = rng.gamma(1.5, 1 / 1.5, len(block)) * np.where(corporate, 3.0, 1.0)
    first_day = np.maximum(HISTORY_DAYS - people.onboarded_day[block], 0)
    window = HISTORY_DAYS - first_day
    counts = rng.poisson(CUSTOMER_TRANSACTIONS_PER_YEAR * activity * window / 365)
    owner = np.repeat(np.arange(len(block)), counts)
    start_mass = np.where(first_day > 0, cdf[np.maximum(first_day - 1, 0)], 0.0)[owner]
    day = np.searchsorted(cdf, start_mass + rng.random(len(owner)) * (1 - start_mass))
    day = np.minimum(day, HISTORY_DAYS - 1)
    drift_start = HISTORY_DAYS - people.drift_day[block][owner]
    fading = people.drifting[block][owner] & (day > drift_start)
    keep = ~fading | (
        (rng.random(len(owner)) < np.exp(-(day - drift_start) / 40.0)) & (day < drift_start + 150)
    )
    owner, day = owner[keep], day[keep]
    size = len(owner)
    credit = rng.random(size) < CREDIT_SHARE
    kind = np.where(credit, KINDS_IN[rng.integers(0, 3, size)], KINDS_OUT[rng.integers(0, 4, size)])
    scale = people.value[block][owner] * 0.02 + 50
    # fewer but larger credits (salaries, transfers in) balance the many small debits
    inflow_weight = np.where(credit, (1 - CREDIT_SHARE) / CREDIT_SHARE, 1.0)
    amount = np.round(rng.lognormal(np.log(scale), 0.9) * inflow_weight * 100).astype(np.int64)

    active_until = np.where(
        people.drifting[block], HISTORY_DAYS - people.drift_day[block] + 150, HISTORY_DAYS
    )
    interest_owner = np.repeat(np.arange(len(block)), len(interest_days))
    interest_day = np.tile(interest_days, len(block))
    due = (interest_day >= first_day[interest_owner]) & (
        interest_day < active_until[interest_owner]
    )
    interest_owner, interest_day = interest_owner[due], interest_day[due]
    interest_amount = np.maximum(
        (people.value[block][interest_owner] * 0.3 * 0.0035 / 4 * 100).astype(np.int64), 1
    )
    owner = np.concatenate([owner, interest_owner])
    day = np.concatenate([day, interest_day])
    kind = np.concatenate([kind, np.full(len(interest_owner), "interest", dtype=object)])
    credit = np.concatenate([credit, np.ones(len(interest_owner), dtype=bool)])
    amount = np.concatenate([amount, interest_amount])
    system = kind == "interest"
    seconds = np.where(system, 2 * 3600, rng.integers(8 * 3600, 21 * 3600, len(owner)))
    order = np.lexsort((seconds, day, owner))
    owner = owner[order]
    day = day[order]
    kind = kind[order]
    credit = credit[order]
    amount = amount[order]
    seconds = seconds[order]
    system = system[order]
    size = len(owner)
    customers = block[owner]
    accounts = np.asarray(people.primary_account, dtype=object)[customers]
    channel = np.vectorize(CHANNELS.__getitem__, otypes=[object])(kind) if size else kind
    channel = np.where((channel == "mobile") & (rng.random(size) < 0.3), "counter", channel)
    description = np.vectorize(DESCRIPTIONS.__getitem__, otypes=[object])(kind) if size else kind
    numbers = pa.array(np.arange(first_number + 1, first_number + size + 1)).cast(pa.string())
    return pa.table(
        {
            "id": pc.binary_join_element_wise("T", pc.utf8_lpad(numbers, 12, "0"), ""),
            "account_id": _text(accounts),
            "booked_at": _datetimes(as_of, HISTORY_DAYS - day, seconds),
            "amount": _money(amount),
            "direction": _text(np.where(credit, "credit", "debit")),
            "channel": _text(channel),
            "kind": _text(kind),
            "customer_initiated": _text(np.where(system, "false", "true")),
            "description": _text(description),
        }
    )


def _interactions(
    rng: np.random.Generator, people: _Customers, manager_ids: list[str], as_of: date
) -> pa.Table:
    counts = rng.poisson(np.where(people.value > np.median(people.value), 3.0, 1.2))
    owner = np.repeat(np.arange(people.count), counts)
    size = len(owner)
    day = rng.integers(1, HISTORY_DAYS, size)
    day = np.minimum(day, people.onboarded_day[owner])
    kinds = np.asarray(
        ("visit", "call", "message", "wechat", "email", "branch_contact"), dtype=object
    )
    return pa.table(
        {
            "id": _text([f"I{number:010d}" for number in range(1, size + 1)]),
            "customer_id": _text(np.asarray(people.external_ids, dtype=object)[owner]),
            "staff_id": _text(np.asarray(manager_ids, dtype=object)[people.manager[owner]]),
            "kind": _text(kinds[rng.choice(6, size, p=(0.25, 0.35, 0.15, 0.15, 0.05, 0.05))]),
            "occurred_at": _datetimes(
                as_of, np.maximum(day, 1), rng.integers(9 * 3600, 18 * 3600, size)
            ),
            "subject": _text(_pick(rng, words.INTERACTION_SUBJECTS, size)),
            "outcome": _text(_pick(rng, words.INTERACTION_OUTCOMES, size)),
        }
    )


COMPLAINT_CHANCE = 0.025
"""Share of (individual) customers who complain at least once in the two years."""
DRIFTING_COMPLAINT_CHANCE = 0.09
"""Drifting customers complain more: complaints are one of the reasons relationships fade."""
HOTSPOT_BRANCH = 2
"""BR003: its customers complain more, and much of the extra is about waiting and staff."""
HOTSPOT_CHANCE_FACTOR = 1.5
HOTSPOT_ISSUE_SHARE = 0.4
"""Share of BR003's complaints that are about waiting time or staff attitude by design."""
REPEAT_COMPLAINANT_SHARE = 0.05
SAME_CASE_AGAIN_SHARE = 0.6
"""Share of a repeat complainant's further complaints about the same product and issue."""
PLANTED_OPEN_SHARE = 0.008
"""Share of complaints placed among the open cases as overdue, and again as due soon."""
DEADLINE_DAYS = 15
EXTENDED_DEADLINE_DAYS = 30
EXTENSION_SHARE = 0.10
LATE_REPLY_SHARE = 0.04
WITHDRAWN_SHARE = 0.02
REOPEN_SHARE = 0.03
OVERPROMISED_SHARE = 0.92
"""Share of wealth-management "not as advertised" cases whose root cause is overpromising."""
COMPLAINT_CHANNELS = ("counter", "phone", "web", "app", "letter", "regulator")
COMPLAINT_CHANNEL_WEIGHTS = (0.28, 0.34, 0.10, 0.18, 0.03, 0.07)
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_WEIGHTS = (0.30, 0.47, 0.19, 0.04)
REGULATOR_SEVERITY_WEIGHTS = (0.05, 0.35, 0.45, 0.15)
GRAVE_ISSUES = ("fraud_or_scam", "collection_conduct", "privacy_and_security")
AMOUNT_MEDIANS = {
    "fees_and_interest": 260.0,
    "transaction_problem": 3_000.0,
    "fraud_or_scam": 8_000.0,
    "not_as_advertised": 30_000.0,
    "incorrect_information": 2_000.0,
}
"""Typical yuan amount a complaint of each issue mentions; 1,000 for the others."""
SECOND_ISSUE_SHARE = 0.12
"""Share of complaint texts that also mention a lesser grievance of another issue."""
SECONDS_PER_DAY = 86_400


def _branch_name(index: int) -> str:
    city = words.CITIES[index % len(words.CITIES)][0]
    suffix = words.BRANCH_SUFFIXES[(index // len(words.CITIES)) % len(words.BRANCH_SUFFIXES)]
    cycle = index // (len(words.CITIES) * len(words.BRANCH_SUFFIXES))
    return f"{city}{suffix}" + (f"{cycle + 1}" if cycle else "")


def _complaints(
    rng: np.random.Generator, people: _Customers, manager_ids: list[str], as_of: date
) -> pa.Table:
    """Complaint cases with their whole handling, judged at the start of ``as_of``.

    Cases received more than 30 days ago are closed (a few withdrawn); recent ones are
    spread over the open statuses, with some overdue and some due within three days.
    Planted for the reports: BR003 draws more waiting-time and staff-attitude complaints;
    wealth-management "not as advertised" cases are mostly found to be overpromised (gap
    4); about 5 % of complainants complain again; about 10 % of cases have their deadline
    extended and a few are replied to late.
    """
    who, original, day, overdue, due_soon = _complainants(rng, people)
    size = len(who)
    line, issue = _complaint_labels(rng, people, who, original)
    channel = np.asarray(COMPLAINT_CHANNELS, dtype=object)[
        rng.choice(len(COMPLAINT_CHANNELS), size, p=COMPLAINT_CHANNEL_WEIGHTS)
    ]
    channel = np.where((issue == "waiting_time") & (rng.random(size) < 0.4), "counter", channel)
    regulator = channel == "regulator"
    level = np.where(
        regulator,
        rng.choice(len(SEVERITIES), size, p=REGULATOR_SEVERITY_WEIGHTS),
        rng.choice(len(SEVERITIES), size, p=SEVERITY_WEIGHTS),
    )
    grave = np.isin(issue, GRAVE_ISSUES) & (rng.random(size) < 0.35)
    level = np.minimum(level + grave, len(SEVERITIES) - 1)

    # every moment in seconds from the start of as_of (negative: in the past)
    office = np.isin(channel, ("counter", "letter", "regulator"))
    clock = np.where(
        office, rng.integers(9 * 3600, 17 * 3600, size), rng.integers(27_000, 22 * 3600, size)
    )
    received = -day.astype(np.int64) * SECONDS_PER_DAY + clock

    def hours(low: float, high: float) -> IntArray:
        return (rng.uniform(low, high, size) * 3600).astype(np.int64)

    def days(low: float, high: float) -> IntArray:
        return (rng.uniform(low, high, size) * SECONDS_PER_DAY).astype(np.int64)

    accepted = received + hours(2, 72)
    investigating = accepted + hours(24, 120)
    planted = np.zeros(size, dtype=bool)
    planted[np.concatenate([overdue, due_soon])] = True
    extended = ~planted & (rng.random(size) < EXTENSION_SHARE)
    late = ~extended & ~planted & (rng.random(size) < LATE_REPLY_SHARE)
    withdrawn = ~planted & (rng.random(size) < WITHDRAWN_SHARE)
    reopened = ~withdrawn & (day > 60) & (rng.random(size) < REOPEN_SHARE)
    reply_days = np.where(
        extended,
        rng.uniform(15.5, EXTENDED_DEADLINE_DAYS - 0.5, size),
        np.where(
            late,
            rng.uniform(DEADLINE_DAYS + 0.3, DEADLINE_DAYS + 6, size),
            np.minimum(1.0 + rng.gamma(2.0, 2.8, size), DEADLINE_DAYS - 0.4),
        ),
    )
    # overdue: received 16-25 days ago, not replied yet; due soon: the reply is still ahead
    reply_days[overdue] = day[overdue] + rng.uniform(1, 6, len(overdue))
    reply_days[due_soon] = rng.uniform(day[due_soon] + 0.05, DEADLINE_DAYS - 0.05)
    first_reply = np.maximum(
        received + (reply_days * SECONDS_PER_DAY).astype(np.int64), investigating + days(0.5, 4)
    )
    extended_at = received + days(7, 14)
    escalation_chance = np.select(
        [regulator, level == 3, level == 2], [0.3, 0.25, 0.08], default=0.03
    )
    escalate = rng.random(size) < escalation_chance
    escalated_at = accepted + ((first_reply - accepted) * rng.uniform(0.2, 0.8, size)).astype(
        np.int64
    )
    withdrawn_at = received + ((first_reply - received) * rng.uniform(0.2, 0.8, size)).astype(
        np.int64
    )
    last_reply = np.where(reopened, first_reply + days(2, 6) + days(3, 10), first_reply)

    cause = np.empty(size, dtype=object)
    for code, weights in words.COMPLAINT_ROOT_CAUSE_WEIGHTS.items():
        rows = np.flatnonzero(issue == code)
        cause[rows] = _weighted(rng, weights, len(rows))
    promised = np.flatnonzero((line == "wealth_management") & (issue == "not_as_advertised"))
    cause[promised] = np.where(
        rng.random(len(promised)) < OVERPROMISED_SHARE, "overpromised", "perception_mismatch"
    )
    answer = rng.random(size)
    doubtful = (cause == "unfounded") | late
    confirmation = np.where(
        answer < np.where(doubtful, 0.45, 0.74),
        "satisfied",
        np.where(answer < np.where(doubtful, 0.8, 0.87), "unsatisfied", "no_response"),
    )
    closing = last_reply + np.where(confirmation == "no_response", days(7, 10), days(0.5, 6))
    settled = day > 30
    closing = np.where(
        settled & (closing >= 0),
        last_reply - (last_reply * rng.uniform(0.3, 0.9, size)).astype(np.int64),
        closing,
    )

    gone = withdrawn & (withdrawn_at < 0)
    status = np.select(
        [
            gone,
            closing < 0,
            first_reply < 0,
            escalate & (escalated_at < 0),
            investigating < 0,
            accepted < 0,
        ],
        ["withdrawn", "closed", "replied", "escalated", "investigating", "accepted"],
        default="received",
    )
    replied = np.isin(status, ("replied", "closed"))
    closed = status == "closed"
    shown_extension = extended & (extended_at < 0) & ~(gone & (withdrawn_at < extended_at))
    shown_escalation = escalate & (escalated_at < 0) & ~(gone & (withdrawn_at < escalated_at))
    deadline = received + np.where(
        shown_extension, EXTENDED_DEADLINE_DAYS, DEADLINE_DAYS
    ) * np.int64(SECONDS_PER_DAY)

    texts, products = _complaint_texts(
        rng, line, issue, original >= 0, day, people.branch[who], regulator | (level == 3), as_of
    )
    variant = rng.integers(0, 2, size)
    replies = np.asarray(
        [
            (words.COMPLAINT_SECOND_REPLY if again else "") + words.COMPLAINT_REPLIES[code][pick]
            for code, pick, again in zip(cause, variant, reopened, strict=True)
        ],
        dtype=object,
    )
    reasons = _pick(rng, words.COMPLAINT_EXTENSION_REASONS, size)

    order = np.argsort(received, kind="stable")

    def only(shown: np.ndarray, values: pa.Array) -> pa.Array:
        return pc.if_else(pa.array(shown[order]), values, pa.scalar(None, pa.string()))

    def moments(seconds: IntArray, shown: np.ndarray | None = None) -> pa.Array:
        stamps = _datetimes(as_of, np.zeros(size, np.int64), seconds[order])
        return stamps if shown is None else only(shown, stamps)

    def optional(values: np.ndarray, shown: np.ndarray) -> pa.Array:
        return only(shown, _text(values[order]))

    return pa.table(
        {
            "id": _text([f"TS{number:08d}" for number in range(1, size + 1)]),
            "customer_id": _text(np.asarray(people.external_ids, dtype=object)[who][order]),
            "branch_id": _text([f"BR{people.branch[i] + 1:03d}" for i in who[order]]),
            "product_id": _text(np.asarray(products, dtype=object)[order]),
            "owner_id": _text(np.asarray(manager_ids, dtype=object)[people.manager[who]][order]),
            "channel": _text(channel[order]),
            "product_line": _text(line[order]),
            "issue": _text(issue[order]),
            "severity": _text(np.asarray(SEVERITIES, dtype=object)[level][order]),
            "text": _text(np.asarray(texts, dtype=object)[order]),
            "status": _text(status[order]),
            "received_at": moments(received),
            "deadline_at": moments(deadline),
            "extended_at": moments(extended_at, shown_extension),
            "extension_reason": optional(reasons, shown_extension),
            "first_replied_at": moments(first_reply, replied),
            "replied_at": moments(last_reply, replied),
            "reply": optional(replies, replied),
            "confirmation": optional(confirmation, closed),
            "closed_at": moments(closing, closed),
            "escalated_at": moments(escalated_at, shown_escalation),
            "reopen_count": pa.array((reopened & closed).astype(np.int64)[order]),
            "root_cause": optional(cause, replied),
        }
    )


def _complainants(
    rng: np.random.Generator, people: _Customers
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Who complains and when (days before ``as_of``).

    Returns each case's customer, the case it repeats (-1 for a first complaint), its day,
    and the cases placed to be overdue and due soon.
    """
    chance = np.where(people.drifting, DRIFTING_COMPLAINT_CHANCE, COMPLAINT_CHANCE)
    chance = np.where(people.branch == HOTSPOT_BRANCH, chance * HOTSPOT_CHANCE_FACTOR, chance)
    chance = np.where(people.corporate, 0.0, chance)
    first = np.flatnonzero(rng.random(people.count) < chance)
    repeaters = np.flatnonzero(rng.random(len(first)) < REPEAT_COMPLAINANT_SHARE)
    again = np.repeat(repeaters, np.where(rng.random(len(repeaters)) < 0.8, 1, 2))
    who = np.concatenate([first, first[again]])
    original = np.concatenate([np.full(len(first), -1), again])
    latest = np.minimum(np.maximum(people.onboarded_day[first], 1), HISTORY_DAYS - 1)
    # a drifting customer complains around the time the relationship begins to fade
    day = np.where(
        people.drifting[first],
        people.drift_day[first] + rng.integers(0, 60, len(first)),
        rng.integers(1, HISTORY_DAYS, len(first)),
    )
    day = np.minimum(day, latest)
    steady = np.flatnonzero(
        ~people.drifting[first] & (latest > 26) & ~np.isin(np.arange(len(first)), repeaters)
    )
    planted = min(len(steady) // 2, max(1, round(len(who) * PLANTED_OPEN_SHARE)))
    chosen = rng.permutation(steady)[: 2 * planted]
    overdue, due_soon = chosen[:planted], chosen[planted:]
    day[overdue] = rng.integers(DEADLINE_DAYS + 1, DEADLINE_DAYS + 11, len(overdue))
    day[due_soon] = rng.integers(DEADLINE_DAYS - 2, DEADLINE_DAYS, len(due_soon))
    gap = rng.integers(7, 120, len(again))
    later = day[again] - gap
    earlier = np.minimum(day[again] + gap, latest[again])
    day = np.concatenate([day, np.where(later >= 1, later, earlier)])
    return who, original, day, overdue, due_soon


def _weighted(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    codes = np.asarray(list(weights), dtype=object)
    shares = np.asarray(list(weights.values()))
    return codes[rng.choice(len(codes), size, p=shares / shares.sum())]


def _complaint_labels(
    rng: np.random.Generator, people: _Customers, who: IntArray, original: IntArray
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's product line and issue, from the plausible pairs."""
    size = len(who)
    shares = {code: share for code, (share, _) in words.COMPLAINT_PRODUCT_LINES.items()}
    line = _weighted(rng, shares, size)
    issue = np.empty(size, dtype=object)
    for code in shares:
        rows = np.flatnonzero(line == code)
        issue[rows] = _weighted(rng, words.COMPLAINT_ISSUE_WEIGHTS[code], len(rows))
    hot = np.flatnonzero(
        (people.branch[who] == HOTSPOT_BRANCH) & (rng.random(size) < HOTSPOT_ISSUE_SHARE)
    )
    issue[hot] = np.where(rng.random(len(hot)) < 0.55, "waiting_time", "service_attitude")
    for code in ("waiting_time", "service_attitude"):
        # the product line given the issue: P(line) P(issue | line), over the plausible lines
        given: dict[str, float] = {}
        for product_line, share in shares.items():
            weights = words.COMPLAINT_ISSUE_WEIGHTS[product_line]
            if code in weights:
                given[product_line] = share * weights[code] / sum(weights.values())
        rows = hot[issue[hot] == code]
        line[rows] = _weighted(rng, given, len(rows))
    same = np.flatnonzero((original >= 0) & (rng.random(size) < SAME_CASE_AGAIN_SHARE))
    line[same] = line[original[same]]
    issue[same] = issue[original[same]]
    return line, issue


def _complaint_texts(
    rng: np.random.Generator,
    line: np.ndarray,
    issue: np.ndarray,
    repeat: np.ndarray,
    day: IntArray,
    branch: IntArray,
    angry: np.ndarray,
    as_of: date,
) -> tuple[list[str], list[str | None]]:
    """Chinese complaint texts put together from fragments, and the product each names."""
    size = len(line)
    draw = rng.random((size, 25))
    incident = np.datetime64(as_of.isoformat(), "D") - (day + rng.integers(0, 10, size)).astype(
        "timedelta64[D]"
    )
    month = incident.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (incident - incident.astype("datetime64[M]")).astype(np.int64) + 1
    medians = np.asarray([AMOUNT_MEDIANS.get(code, 1_000.0) for code in issue])
    amount = rng.lognormal(0.0, 0.9, size) * medians

    def choose(options: tuple[str, ...], u: float) -> str:
        return options[int(u * len(options))]

    texts: list[str] = []
    products: list[str | None] = []
    for i in range(size):
        u = draw[i]
        phrase, product = words.COMPLAINT_PRODUCT_LINES[line[i]][1][
            int(u[0] * len(words.COMPLAINT_PRODUCT_LINES[line[i]][1]))
        ]
        sentences = _issue_sentences(line[i], issue[i])
        first = int(u[1] * len(sentences))
        parts = []
        if repeat[i] and u[2] < 0.6:
            parts.append(choose(words.COMPLAINT_REPEAT_OPENINGS, u[3]))
        elif u[2] < 0.55:
            parts.append(choose(words.COMPLAINT_OPENINGS, u[3]))
        if "{p}" not in sentences[first] or u[4] < 0.6:
            parts.append(choose(words.COMPLAINT_PRODUCT_SENTENCES, u[5]))
        parts.append(sentences[first])
        if u[6] < 0.3 and len(sentences) > 1:
            parts.append(sentences[(first + 1 + int(u[7] * (len(sentences) - 1))) % len(sentences)])
        if u[21] < SECOND_ISSUE_SHARE:
            # complaints seldom keep to one thing: a lesser grievance about the same product,
            # with its own amount
            weights = words.COMPLAINT_ISSUE_WEIGHTS[line[i]]
            others = [code for code in weights if code != issue[i]]
            shares = np.cumsum([weights[code] for code in others])
            lesser = others[int(np.searchsorted(shares, u[22] * shares[-1], side="right"))]
            aside = _issue_sentences(line[i], lesser)
            parts.append(
                words.COMPLAINT_SECOND_ISSUE
                + choose(aside, u[23]).replace("{amount}", _yuan(amount[i] * (0.1 + u[24])))
            )
        other = choose(tuple(code for code in words.COMPLAINT_ASIDE_LINES if code != line[i]), u[8])
        if u[9] < 0.1:
            parts.append(choose(words.COMPLAINT_ASIDES, u[10]))
        if u[11] < 0.85:
            demands = words.COMPLAINT_DEMANDS + words.COMPLAINT_ISSUE_DEMANDS[issue[i]]
            parts.append(choose(demands, u[12]))
        if u[13] < (0.5 if angry[i] else 0.15):
            parts.append(choose(words.COMPLAINT_THREATS, u[14]))
        texts.append(
            "".join(parts).format(
                p=phrase,
                q=choose(tuple(p for p, _ in words.COMPLAINT_PRODUCT_LINES[other][1]), u[15]),
                branch=choose(words.COMPLAINT_BRANCH_WORDS, u[16]).format(
                    name=_branch_name(int(branch[i])),
                    city=words.CITIES[int(branch[i]) % len(words.CITIES)][0],
                ),
                date=f"{month[i]}月{day_of_month[i]}日",
                amount=_yuan(amount[i]),
                minutes=40 + 5 * int(u[17] * 28),
                hours=choose(words.COMPLAINT_HOURS, u[18]),
                n=3 + int(u[19] * 40),
                rate=f"{3.2 + 3.6 * u[20]:.1f}",
            )
        )
        products.append(product)
    return texts, products


def _issue_sentences(line: str, issue: str) -> tuple[str, ...]:
    """Sentences of an issue; a product line may have its own for it."""
    return words.COMPLAINT_PAIR_SENTENCES.get((line, issue), words.COMPLAINT_ISSUE_SENTENCES[issue])


def _yuan(amount: float) -> str:
    """An amount as a complaint writes it: to the fen when small, in hundreds when large."""
    value = float(amount)
    return f"{value:,.2f}" if value < 10_000 else f"{round(value, -2):,.0f}"


SERVQUAL_EXPECTATION = 6.0
"""Customers expect much of an excellent bank: the mean expectation on the 7-point scale."""


def servqual_answers(
    rng: np.random.Generator,
    *,
    item_dimension: np.ndarray,
    item_gap: np.ndarray,
    respondents: int,
    low: int = 1,
    high: int = 7,
) -> tuple[np.ndarray, np.ndarray]:
    """Expectations and perceptions (respondents × items) on a ``low``–``high`` scale,
    perceptions ``item_gap`` below expectations on average.

    Each respondent has one level per dimension for expectations and one for perceptions,
    shared by that dimension's items, plus noise per item: the items of a dimension agree
    as real answers do (Cronbach's α of about 0.8 per dimension), instead of being
    independent draws whose α is near 0. The item noise comes from ``rng``; the levels come
    from a generator spawned from it, so what ``rng`` draws afterwards does not change.
    """
    items = len(item_dimension)
    expectation_noise = rng.normal(0.0, 0.45, (respondents, items))
    perception_noise = rng.normal(0.0, 0.5, (respondents, items))
    (levels,) = rng.spawn(1)
    dimensions = int(item_dimension.max()) + 1
    expectation_level = levels.normal(0.0, 0.55, (respondents, dimensions))[:, item_dimension]
    perception_level = levels.normal(0.0, 0.6, (respondents, dimensions))[:, item_dimension]
    expectation = np.clip(
        np.round(SERVQUAL_EXPECTATION + expectation_level + expectation_noise), low, high
    ).astype(int)
    perception = np.clip(
        np.round(expectation - item_gap + perception_level + perception_noise), low, high
    ).astype(int)
    return expectation, perception


def _surveys(rng: np.random.Generator, people: _Customers, as_of: date) -> pa.Table:
    """SERVQUAL answers (perceptions below expectations, most on responsiveness), CSAT, NPS."""
    dimension_of_item = np.repeat(np.arange(5), (4, 5, 4, 4, 5))
    dimension_gap = np.asarray((0.3, 0.8, 1.2, 0.6, 0.9))
    respondents = np.flatnonzero(rng.random(people.count) < 0.03)
    size = len(respondents)
    expectation, perception = servqual_answers(
        rng,
        item_dimension=dimension_of_item,
        item_gap=dimension_gap[dimension_of_item],
        respondents=size,
    )
    answers = [
        json.dumps(
            {
                **{f"E{i + 1}": int(e[i]) for i in range(22)},
                **{f"P{i + 1}": int(p[i]) for i in range(22)},
            }
        )
        for e, p in zip(expectation, perception, strict=True)
    ]
    answer_day = rng.integers(1, 360, size)
    wave = np.where(answer_day > 180, "SERVQUAL-2025H2", "SERVQUAL-2026H1")
    csat_people = np.flatnonzero(rng.random(people.count) < 0.06)
    nps_people = np.flatnonzero(rng.random(people.count) < 0.06)
    csat = np.clip(np.round(rng.normal(4.0, 0.9, len(csat_people))), 1, 5).astype(int)
    nps = np.clip(np.round(rng.normal(7.5, 2.0, len(nps_people))), 0, 10).astype(int)
    nps = np.where(people.drifting[nps_people], np.minimum(nps, rng.integers(0, 7, len(nps))), nps)
    kind = ["servqual"] * size + ["csat"] * len(csat_people) + ["nps"] * len(nps_people)
    everyone = np.concatenate([respondents, csat_people, nps_people])
    days = np.concatenate(
        [answer_day, rng.integers(1, HISTORY_DAYS, len(csat_people) + len(nps_people))]
    )
    return pa.table(
        {
            "id": _text([f"SR{number:09d}" for number in range(1, len(kind) + 1)]),
            "kind": _text(kind),
            "wave": _text([*wave, *([None] * (len(kind) - size))]),
            "customer_id": _text(np.asarray(people.external_ids, dtype=object)[everyone]),
            "branch_id": _text([f"BR{people.branch[i] + 1:03d}" for i in everyone]),
            "answered_on": _dates(as_of, days),
            "score": pa.array([*([None] * size), *csat.tolist(), *nps.tolist()], pa.int64()),
            "answers": _text([*answers, *([None] * (len(kind) - size))]),
        }
    )
